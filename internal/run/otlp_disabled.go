//go:build !otlp

package run

// builtExporter is the exporter of -otlp when Config.Exporter is nil: none
// in a build without the otlp tag, which leaves the OpenTelemetry SDK out.
var builtExporter Exporter
