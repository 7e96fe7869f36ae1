package trace

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// worker answers calls, sleeps on request, panics on request, and sets a
// timer on every cast.
type worker struct{}

type tick struct{}

func (worker) Init(context.Context) (int, error) { return 0, nil }
func (worker) HandleCall(ctx context.Context, m string, n int) (string, int, error) {
	switch m {
	case "sleep":
		return m, n, noex.Sleep(ctx, time.Millisecond)
	case "panic":
		panic("worker bug")
	case "fail":
		return "", n, errors.New("failed")
	}
	return m, n + 1, nil
}
func (worker) HandleCast(ctx context.Context, _ string, n int) (int, error) {
	_, err := noex.SendAfter(ctx, noex.Self(ctx), tick{}, time.Millisecond)
	return n, err
}
func (worker) HandleInfo(_ context.Context, _ any, n int) (int, error) { return n + 1, nil }

// TestStateIsCleanedUp checks that the translator keeps nothing for spans
// that ended: after many calls, casts, timers, crashes and kills its maps
// hold only what live processes need.
func TestStateIsCleanedUp(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	rt := noex.NewRuntime(noex.WithSeed(11))
	tr := newTranslator(rt, tp.Tracer(ScopeName), config{hasRunID: true})
	stop := rt.Observe(tr.observe)
	defer stop()
	ctx := context.Background()
	const rounds = 300
	err := rt.Run(ctx, func(ctx context.Context) error {
		for i := range rounds {
			w, err := noex.Start(ctx, worker{})
			if err != nil {
				return err
			}
			for _, m := range []string{"a", "sleep", "fail"} {
				noex.Call(ctx, w, m)
			}
			if err := noex.Cast(ctx, w, "tick"); err != nil {
				return err
			}
			if err := noex.Sleep(ctx, 2*time.Millisecond); err != nil {
				return err
			}
			switch i % 3 {
			case 0:
				noex.Call(ctx, w, "panic")
			case 1:
				noex.Kill(ctx, w, nil)
			default:
				noex.Stop(ctx, w, nil)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Started()) - len(rec.Ended()); n != 0 {
		t.Errorf("%d spans were started and never ended", n)
	}
	if len(tr.msgs) != 0 || len(tr.timers) != 0 || len(tr.causes) != 0 || len(tr.sups) != 0 || len(tr.subs) != 0 {
		t.Errorf("after the run: %d messages, %d timers, %d causes, %d supervisors, %d subscriptions kept; want none",
			len(tr.msgs), len(tr.timers), len(tr.causes), len(tr.sups), len(tr.subs))
	}
	if len(tr.procs) > endedKept+1 {
		t.Errorf("%d processes remembered for %d started, want at most %d", len(tr.procs), rounds, endedKept+1)
	}
	for id, p := range tr.procs {
		if p.cur != nil || p.call != 0 || len(p.scoped) != 0 || p.pub != nil || p.mailbox != nil {
			t.Errorf("process %d keeps an open handling, call or publication: %+v", id, p)
		}
	}
}
