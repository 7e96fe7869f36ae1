package trace_test

import (
	"context"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// greeter answers a name with a greeting, after 5ms of work.
type greeter struct{}

func (greeter) Init(context.Context) (int, error) { return 0, nil }
func (greeter) HandleCall(ctx context.Context, name string, n int) (string, int, error) {
	return "hello, " + name, n + 1, noex.Sleep(ctx, 5*time.Millisecond)
}
func (greeter) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// front asks the greeter and logs each greeting to the logger with a cast.
type front struct{}

func (front) Init(context.Context) (int, error) { return 0, nil }
func (front) HandleCall(ctx context.Context, name string, n int) (string, int, error) {
	g, err := noex.Name[string, noex.None, string]("greeter").Call(ctx, name)
	if err != nil {
		return "", n, err
	}
	return g, n + 1, noex.Name[noex.None, string, noex.None]("logger").Cast(ctx, g)
}
func (front) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// logger takes greetings by cast.
type logger struct{}

func (logger) Init(context.Context) (int, error) { return 0, nil }
func (logger) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (logger) HandleCast(_ context.Context, _ string, n int) (int, error) { return n + 1, nil }

// The spans of one request through two servers, recorded in memory from a
// deterministic run: one trace, the call's handling under the call, the
// inner call and the cast under that handling, in virtual time. With run id
// 0 the ids depend on the seed alone, so this output never changes.
func Example() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec),
		sdktrace.WithIDGenerator(trace.NewIDGenerator()))
	rt := noex.NewRuntime(noex.WithSeed(1))
	detach := trace.Attach(rt, trace.WithTracerProvider(tp), trace.WithRunID(0))

	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		if _, err := noex.Start(ctx, greeter{}, noex.WithName("greeter")); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, front{}, noex.WithName("front")); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, logger{}, noex.WithName("logger")); err != nil {
			return err
		}
		_, err := noex.Name[string, noex.None, string]("front").Call(ctx, "Ada")
		return err
	})
	if err != nil {
		fmt.Println(err)
	}
	rt.Shutdown(ctx)
	detach()

	names := map[string]string{}
	for _, s := range rec.Ended() {
		names[s.SpanContext().SpanID().String()] = s.Name()
	}
	for _, s := range rec.Ended() {
		parent, ok := names[s.Parent().SpanID().String()]
		if !ok {
			parent = "(root)"
		}
		fmt.Printf("%-20s %-8s %4s..%-4s parent: %s\n", s.Name(), s.SpanKind(),
			s.StartTime().Sub(noex.Epoch), s.EndTime().Sub(noex.Epoch), parent)
	}
	fmt.Println("trace", rec.Ended()[0].SpanContext().TraceID())
	// Output:
	// handle_call greeter  consumer   0s..5ms  parent: call greeter
	// call greeter         producer   0s..5ms  parent: handle_call front
	// cast logger          producer  5ms..5ms  parent: handle_call front
	// handle_call front    consumer   0s..5ms  parent: call front
	// call front           producer   0s..5ms  parent: (root)
	// handle_cast logger   consumer  5ms..5ms  parent: cast logger
	// trace 7fbea1ee223d3de1e7270848fd2e9259
}
