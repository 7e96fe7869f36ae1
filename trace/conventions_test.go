package trace_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// TestAnonymousDestinations: an unnamed process is an anonymous
// destination, with no p<id> in span names.
func TestAnonymousDestinations(t *testing.T) {
	spans := traced(t, seeded(1), func(ctx context.Context) error {
		ch, err := noex.Start(ctx, channel{}) // no name
		if err != nil {
			return err
		}
		_, err = noex.Call(ctx, ch, Deliver{Notification{ID: 1, Channel: "email", Title: "hi"}})
		return err
	}, trace.WithRunID(0))
	for _, name := range []string{"call", "handle_call"} {
		s := one(t, spans, name)
		if s.Attrs["messaging.destination.anonymous"] != "true" || !strings.HasPrefix(s.Attrs["messaging.destination.name"], "p") {
			t.Errorf("%q: anonymous=%q destination=%q; want an anonymous destination named by its id",
				name, s.Attrs["messaging.destination.anonymous"], s.Attrs["messaging.destination.name"])
		}
	}
	for _, s := range spans {
		for _, f := range strings.Fields(s.Name)[1:] {
			if len(f) > 1 && f[0] == 'p' && strings.Trim(f[1:], "0123456789") == "" {
				t.Errorf("span %q names an unnamed process", s.Name)
			}
		}
	}
	// A named destination is not anonymous.
	named := traced(t, seeded(1), func(ctx context.Context) error {
		if err := startSystem(ctx, "email"); err != nil {
			return err
		}
		_, err := noex.Call(ctx, channelName("email"), Deliver{Notification{ID: 1, Channel: "email", Title: "hi"}})
		return err
	}, trace.WithRunID(0))
	if v, ok := one(t, named, "call channel-email").Attrs["messaging.destination.anonymous"]; ok {
		t.Errorf("a named destination has messaging.destination.anonymous=%s", v)
	}
}

// TestProcessSpansLinkToTheSend: every handling links to the span that sent
// its message (the creation context), besides being its child.
func TestProcessSpansLinkToTheSend(t *testing.T) {
	spans := traced(t, seeded(3), func(ctx context.Context) error {
		if err := startSystem(ctx, "email"); err != nil {
			return err
		}
		_, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "hi"}})
		return err
	}, trace.WithRunID(0))
	n := 0
	for _, s := range spans {
		if s.Kind != "consumer" || s.Parent == "" {
			continue
		}
		n++
		if len(s.Links) == 0 || s.Links[0] != s.Parent {
			t.Errorf("%q: links %v, want a link to its producer %s", s.Name, s.Links, s.Parent)
		}
	}
	if n < 3 {
		t.Errorf("only %d consumer spans with a producer", n)
	}
}

// TestErrorTypeOnEveryFailure: every span with status Error has error.type.
func TestErrorTypeOnEveryFailure(t *testing.T) {
	spans := traced(t, seeded(4), func(ctx context.Context) error {
		if err := startSystem(ctx, "email", "sms"); err != nil {
			return err
		}
		_, _ = noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "sms", Title: "panic"}})
		_, _ = noex.Call(ctx, Router, Send{Notification{ID: 2, Channel: "email", Title: "fail"}})
		_, err := noex.Call(ctx, channelName("email"), Deliver{Notification{ID: 3, Channel: "email", Title: "slow"}}, noex.WithTimeout(time.Millisecond))
		if !errors.Is(err, noex.ErrTimeout) {
			return errors.New("want a timeout, got " + errString(err))
		}
		return nil
	}, trace.WithRunID(0))
	types := map[string]bool{}
	for _, s := range spans {
		if !strings.HasPrefix(s.Status, "Error") {
			if v, ok := s.Attrs["error.type"]; ok {
				t.Errorf("%q succeeded but has error.type=%s", s.Name, v)
			}
			continue
		}
		et := s.Attrs["error.type"]
		if et == "" {
			t.Errorf("%q failed (%s) without error.type", s.Name, s.Status)
		}
		types[et] = true
	}
	for _, want := range []string{"panic", "noex.ErrCrashed", "noex.ErrTimeout", "*errors.errorString"} {
		if !types[want] {
			t.Errorf("no span with error.type=%s; got %v", want, types)
		}
	}
}

// TestTracerScope: the tracer carries the schema URL of the conventions
// the keys come from, and the module's version.
func TestTracerScope(t *testing.T) {
	r := newRecorder()
	rt := noex.NewRuntime(noex.WithSeed(1))
	detach := trace.Attach(rt, trace.WithTracerProvider(r.tp))
	ctx := context.Background()
	if err := rt.Run(ctx, func(ctx context.Context) error {
		if err := startSystem(ctx, "email"); err != nil {
			return err
		}
		_, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "hi"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_ = rt.Shutdown(ctx)
	detach()
	stubs := tracetest.SpanStubsFromReadOnlySpans(r.rec.Ended())
	r.shutdown(t)
	if len(stubs) == 0 {
		t.Fatal("no spans")
	}
	for _, s := range stubs {
		sc := s.InstrumentationScope
		if sc.Name != trace.ScopeName || sc.SchemaURL != semconv.SchemaURL || sc.Version != trace.Version() || sc.Version == "" {
			t.Fatalf("scope %+v, want %s with schema %s and version %q", sc, trace.ScopeName, semconv.SchemaURL, trace.Version())
		}
	}
}

// TestRunUnderAnOuterSpan: a run inside a request (a span in the context
// given to Run) puts its traces under that span.
func TestRunUnderAnOuterSpan(t *testing.T) {
	for _, det := range []bool{true, false} {
		r := newRecorder()
		var opts []noex.Option
		if det {
			opts = append(opts, noex.WithSeed(2))
		}
		rt := noex.NewRuntime(opts...)
		detach := trace.Attach(rt, trace.WithTracerProvider(r.tp))
		ctx, request := r.tp.Tracer("http").Start(context.Background(), "GET /notify", oteltrace.WithSpanKind(oteltrace.SpanKindServer))
		err := rt.Run(ctx, func(ctx context.Context) error {
			if err := startSystem(ctx, "email"); err != nil {
				return err
			}
			_, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "hi"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		request.End()
		_ = rt.Shutdown(context.Background())
		detach()
		spans := r.spans()
		r.shutdown(t)
		call := one(t, spans, "call notification-router")
		req := one(t, spans, "GET /notify")
		if call.Parent != req.ID || call.Trace != req.Trace {
			t.Errorf("det=%v: the run's call has parent %s in trace %s, want the request %s in %s",
				det, call.Parent, call.Trace, req.ID, req.Trace)
		}
	}
}
