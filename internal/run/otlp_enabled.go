//go:build otlp

package run

import (
	"context"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/otlp"
)

// builtExporter is the exporter of -otlp when Config.Exporter is nil: in a
// build with -tags otlp, OTLP/HTTP configured by the standard OTEL_*
// environment variables (endpoint, headers, OTEL_SERVICE_NAME...).
var builtExporter Exporter = func(ctx context.Context, rt *noex.Runtime) (func(context.Context) error, error) {
	return otlp.Setup(ctx, rt)
}
