// Package otlp sets up the export of a [noex.Runtime]'s spans in one call:
// [Setup] builds an OpenTelemetry SDK TracerProvider, exporting over
// OTLP/HTTP as the standard OTEL_* environment variables say (to a local
// Jaeger, for example), to a writer ([WithStdout]) or to any SDK exporter
// ([WithExporter]), and attaches it to the runtime with
// [github.com/noex-go/noex/trace.Attach].
//
// A program typically does (as ExampleSetup does):
//
//	rt := noex.NewRuntime(noex.WithSeed(7))
//	shutdown, err := otlp.Setup(ctx, rt)
//	if err != nil {
//		log.Fatal(err)
//	}
//	err = rt.Run(ctx, notificationFlow)
//	err = errors.Join(err, rt.Shutdown(ctx))
//	if err := errors.Join(err, shutdown(ctx)); err != nil {
//		log.Fatal(err)
//	}
//
// and is run with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 and
// OTEL_SERVICE_NAME=chapter-02. The shutdown function reports spans that
// could not be exported (an [*ExportError]), which the SDK's own Shutdown
// does not.
//
// Setup leaves OpenTelemetry's global state alone and, for OTLP, uses an
// HTTP transport of its own that the shutdown function closes, so that a
// program or test that shuts down has no exporter goroutine left.
package otlp
