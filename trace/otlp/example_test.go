package otlp_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/otlp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Exporting a deterministic run over OTLP/HTTP, as configured by the
// OTEL_* environment variables (for a local Jaeger:
// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 and a service name in
// OTEL_SERVICE_NAME). The shutdown function reports spans that could not be
// exported.
func ExampleSetup() {
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(7))
	shutdown, err := otlp.Setup(ctx, rt)
	if err != nil {
		log.Fatal(err)
	}
	err = rt.Run(ctx, notificationFlow)
	err = errors.Join(err, rt.Shutdown(ctx))
	if err := errors.Join(err, shutdown(ctx)); err != nil {
		log.Fatal(err) // for example: otlp: 23 of 23 spans not exported: ... connection refused
	}
}

// Setup with an in-memory exporter, as in tests: the spans are there as
// soon as they end.
func ExampleWithExporter() {
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(7))
	exp := tracetest.NewInMemoryExporter()
	shutdown, err := otlp.Setup(ctx, rt, otlp.WithExporter(exp))
	if err != nil {
		log.Fatal(err)
	}
	if err := rt.Run(ctx, notificationFlow); err != nil {
		log.Fatal(err)
	}
	// The notification's trace, in the order the spans ended; read the
	// spans before shutdown, which clears an in-memory exporter.
	spans := exp.GetSpans()
	names := map[string]string{}
	var root tracetest.SpanStub
	for _, s := range spans {
		names[s.SpanContext.SpanID().String()] = s.Name
		if s.Name == "call notification-router" {
			root = s
		}
	}
	for _, s := range spans {
		if s.SpanContext.TraceID() == root.SpanContext.TraceID() {
			parent, ok := names[s.Parent.SpanID().String()]
			if !ok {
				parent = "(root)"
			}
			fmt.Printf("%-32s %-8s <- %s\n", s.Name, s.SpanKind, parent)
		}
	}
	if err := errors.Join(rt.Shutdown(ctx), shutdown(ctx)); err != nil {
		log.Fatal(err)
	}
	// Output:
	// handle_call channel-email        consumer <- call channel-email
	// call channel-email               producer <- handle_call notification-router
	// cast event-bus                   producer <- handle_call notification-router
	// handle_call notification-router  consumer <- call notification-router
	// call notification-router         producer <- (root)
	// deliver notification.sent.email  producer <- publish notification.sent.email
	// publish notification.sent.email  producer <- handle_cast event-bus
	// handle_cast event-bus            consumer <- cast event-bus
	// handle_info analytics            consumer <- deliver notification.sent.email
}
