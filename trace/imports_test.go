package trace_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyTheAPI keeps the package on the OpenTelemetry API: the SDK
// and the exporters belong to trace/otlp and to tests.
func TestImportsOnlyTheAPI(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if !strings.Contains(imp, ".") { // the standard library
			continue
		}
		switch imp {
		case "github.com/noex-go/noex/noex",
			"go.opentelemetry.io/otel",
			"go.opentelemetry.io/otel/attribute",
			"go.opentelemetry.io/otel/codes",
			"go.opentelemetry.io/otel/semconv/v1.43.0", // the conventions' keys, part of the API module
			"go.opentelemetry.io/otel/trace",
			"go.opentelemetry.io/otel/trace/noop":
		default:
			t.Errorf("package trace imports %s; only noex and the OpenTelemetry API are allowed", imp)
		}
	}
}
