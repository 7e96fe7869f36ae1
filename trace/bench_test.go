package trace_test

import (
	"context"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// echo replies to every call with its message.
type echo struct{}

func (echo) Init(context.Context) (int, error) { return 0, nil }
func (echo) HandleCall(_ context.Context, m int, s int) (int, int, error) {
	return m, s, nil
}
func (echo) HandleCast(_ context.Context, _ noex.None, s int) (int, error) { return s, nil }

// caller is a real-mode runtime whose Run body makes the calls it is asked
// for and reports how long they took.
type caller struct {
	rt     *noex.Runtime
	detach func()
	cmd    chan int
	took   chan time.Duration
	ran    chan error
}

// newCaller starts a real-mode runtime whose Run body makes the calls the
// benchmark asks for over c.cmd and reports their wall time over c.took.
//
//noexvet:ignore a real-mode benchmark driver: it takes commands over channels and measures wall time
func newCaller(b *testing.B, attach func(*noex.Runtime) func()) *caller {
	c := &caller{rt: noex.NewRuntime(), detach: func() {}, cmd: make(chan int),
		took: make(chan time.Duration), ran: make(chan error, 1)}
	if attach != nil {
		c.detach = attach(c.rt)
	}
	go func() {
		c.ran <- c.rt.Run(context.Background(), func(ctx context.Context) error {
			ref, err := noex.Start(ctx, echo{})
			if err != nil {
				return err
			}
			for n := range c.cmd {
				start := time.Now()
				for i := range n {
					if _, err := noex.Call(ctx, ref, i); err != nil {
						return err
					}
				}
				c.took <- time.Since(start)
			}
			return nil
		})
	}()
	return c
}

func (c *caller) calls(n int) time.Duration {
	c.cmd <- n
	return <-c.took
}

func (c *caller) stop(b *testing.B) {
	close(c.cmd)
	if err := <-c.ran; err != nil {
		b.Fatal(err)
	}
	if err := c.rt.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	c.detach()
}

// benchRatio measures call round trips on a runtime set up by attach
// against an untraced runtime in the same run, in alternating chunks, and
// reports both and their ratio (x-untraced). between runs after each chunk,
// outside the measurement.
func benchRatio(b *testing.B, attach func(*noex.Runtime) func(), between func()) {
	base, traced := newCaller(b, nil), newCaller(b, attach)
	defer base.stop(b)
	defer traced.stop(b)
	const chunk = 2000
	base.calls(chunk) // warm up both
	traced.calls(chunk)
	var tb, tt time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		tb += base.calls(n)
		tt += traced.calls(n)
		if between != nil {
			between()
		}
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(tt.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "untraced-ns/op")
	b.ReportMetric(float64(tt)/float64(tb), "x-untraced")
}

// BenchmarkCall compares a call round trip (real mode) with tracing
// attached to an untraced runtime: the event stream alone (an observer
// that does nothing), Attach with a no-op provider, Attach with samplers
// that drop spans, the floor of those (an observer that starts and ends one
// bare span per call with a sampler that drops it), and Attach with the SDK
// recording every span into an in-memory exporter.
func BenchmarkCall(b *testing.B) {
	b.Run("observer", func(b *testing.B) {
		benchRatio(b, func(rt *noex.Runtime) func() { return rt.Observe(func(noex.Event) {}) }, nil)
	})
	b.Run("noop", func(b *testing.B) {
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(noop.NewTracerProvider()))
		}, nil)
	})
	b.Run("sdk-unexported", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider()
		defer tp.Shutdown(context.Background())
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(tp))
		}, nil)
	})
	b.Run("sdk-never-sample", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSyncer(exp))
		defer tp.Shutdown(context.Background())
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(tp))
		}, nil)
	})
	b.Run("floor-never-sample", func(b *testing.B) {
		// The least a translator can do when the sampler drops every
		// span: see every event, and ask the SDK once per call (the
		// call's root span, with the attributes a sampler sees).
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
		defer tp.Shutdown(context.Background())
		tr := tp.Tracer("floor")
		attrs := []attribute.KeyValue{
			attribute.String("messaging.system", "noex"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.operation.name", "call"),
			attribute.String("messaging.destination.name", "p2"),
		}
		benchRatio(b, func(rt *noex.Runtime) func() {
			return rt.Observe(func(ev noex.Event) {
				if ev.Kind == noex.MessageSent {
					_, s := tr.Start(context.Background(), "call p2", oteltrace.WithTimestamp(ev.Time),
						oteltrace.WithSpanKind(oteltrace.SpanKindProducer), oteltrace.WithAttributes(attrs...))
					s.End()
				}
			})
		}, nil)
	})
	b.Run("sdk-sample-1pct", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01))), sdktrace.WithSyncer(exp))
		defer tp.Shutdown(context.Background())
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(tp))
		}, exp.Reset)
	})
	b.Run("sdk-batch-inmemory", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
		defer tp.Shutdown(context.Background())
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(tp))
		}, func() {
			tp.ForceFlush(context.Background())
			exp.Reset()
		})
	})
	b.Run("sdk-inmemory", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		defer tp.Shutdown(context.Background())
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(tp))
		}, exp.Reset)
	})
	b.Run("sdk-inmemory-nomessages", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		defer tp.Shutdown(context.Background())
		benchRatio(b, func(rt *noex.Runtime) func() {
			return trace.Attach(rt, trace.WithTracerProvider(tp), trace.WithoutMessages())
		}, exp.Reset)
	})
}
