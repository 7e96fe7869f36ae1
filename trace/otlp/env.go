package otlp

import (
	"fmt"
	"strings"
)

// DefaultEndpoint is where Setup exports over OTLP/HTTP when no endpoint
// variable is set: a collector on this machine, such as a local Jaeger,
// over plain HTTP.
const DefaultEndpoint = "http://localhost:4318"

// exporterChoice is what OTEL_TRACES_EXPORTER asks for.
type exporterChoice uint8

const (
	exportOTLP    exporterChoice = iota // "otlp", the default
	exportConsole                       // "console": to standard output
	exportNone                          // "none": no export
)

// tracesExporter reads OTEL_TRACES_EXPORTER: otlp (the default), console
// or none; anything else, including a list of several, is refused.
func tracesExporter(lookup func(string) (string, bool)) (exporterChoice, error) {
	v, _ := lookup("OTEL_TRACES_EXPORTER")
	switch strings.TrimSpace(strings.ToLower(v)) {
	case "", "otlp":
		return exportOTLP, nil
	case "console":
		return exportConsole, nil
	case "none":
		return exportNone, nil
	}
	return 0, fmt.Errorf("%w: OTEL_TRACES_EXPORTER=%q is not supported: use otlp (the default), console or none", ErrSetup, v)
}

// checkProtocol reads OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else
// OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf is supported.
func checkProtocol(lookup func(string) (string, bool)) error {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		v, ok := lookup(name)
		if !ok || v == "" {
			continue
		}
		if strings.TrimSpace(strings.ToLower(v)) == "http/protobuf" {
			return nil
		}
		return fmt.Errorf("%w: %s=%q is not supported: noex exports OTLP over HTTP with protobuf; "+
			"unset it or set http/protobuf, and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's OTLP/HTTP port (4318 by default)",
			ErrSetup, name, v)
	}
	return nil
}

// endpointSet reports whether an OTLP endpoint variable is set.
func endpointSet(lookup func(string) (string, bool)) bool {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if v, ok := lookup(name); ok && v != "" {
			return true
		}
	}
	return false
}
