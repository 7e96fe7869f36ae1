package noex_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// poisoner casts a panicking message to a peer from its Terminate, and may
// panic in Terminate itself.
type poisoner struct {
	peer  noex.PID
	panic bool
}

func (p *poisoner) Init(context.Context) (int, error) { return 0, nil }
func (p *poisoner) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (p *poisoner) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (p *poisoner) Terminate(ctx context.Context, _ error, _ int) {
	if !p.peer.IsZero() {
		noex.Cast(ctx, noex.RefOf[op, op, int](p.peer), op{kind: "panic"})
	}
	if p.panic {
		panic("terminate of " + noex.Self(ctx).Label())
	}
}

// TestShutdownGoesOnAfterAbnormalEnds: before, Shutdown returned at the
// first crash ("stopping y: … crashed") and left the older processes
// running with their names; a second Shutdown returned nil.
func TestShutdownGoesOnAfterAbnormalEnds(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		terms := make(chan error, 4)
		run(t, rt, func(ctx context.Context) error {
			start(t, ctx, &testSrv{term: terms}, noex.WithName("w"))
			y := start(t, ctx, &testSrv{term: terms}, noex.WithName("y"))
			if _, err := noex.Start(ctx, &poisoner{panic: true}, noex.WithName("x1")); err != nil {
				return err
			}
			_, err := noex.Start(ctx, &poisoner{peer: y.PID()}, noex.WithName("x2"))
			return err
		})
		err := rt.Shutdown(context.Background())
		if !errors.Is(err, noex.ErrCrashed) {
			t.Fatalf("Shutdown = %v, want the crashes", err)
		}
		for _, want := range []string{"stop to y: y crashed: cast boom", "stop to x1: x1 crashed: terminate of x1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Shutdown = %q, want it to contain %q", err, want)
			}
		}
		var ce *noex.CallError
		if !errors.As(err, &ce) || ce.Op != "stop" {
			t.Errorf("Shutdown = %#v, want *CallErrors naming the processes", err)
		}
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("left running: %v", ps)
		}
		if names := rt.Registry().Names(); len(names) != 0 {
			t.Errorf("left registered: %v", names)
		}
		if len(terms) != 2 {
			t.Errorf("%d Terminates of w and y ran, want 2", len(terms))
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Errorf("a second Shutdown = %v, want nil", err)
		}
	})
}

// TestShutdownKillsWhatOutlivesItsContext: a process whose Terminate
// outlives Shutdown's ctx is killed with those still waiting, and the
// error names them (real mode: deterministic mode's clock is virtual).
func TestShutdownKillsWhatOutlivesItsContext(t *testing.T) {
	rt := noex.NewRuntime()
	release := make(chan struct{})
	run(t, rt, func(ctx context.Context) error {
		start(t, ctx, &testSrv{}, noex.WithName("older"))
		_, err := noex.Start(ctx, gatedTerm{gate: release}, noex.WithName("slow"))
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := rt.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "killed without Terminate: slow, older") {
		t.Errorf("Shutdown = %v, want the deadline and the killed processes", err)
	}
	if rt.Registry().IsRegistered("older") {
		t.Error("older is still registered")
	}
	close(release) // the slow Terminate returns; its goroutine exits
}

// gatedTerm's Terminate blocks until gate is closed (real mode only).
type gatedTerm struct{ gate <-chan struct{} }

func (gatedTerm) Init(context.Context) (int, error) { return 0, nil }
func (gatedTerm) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (gatedTerm) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (g gatedTerm) Terminate(context.Context, error, int)                       { <-g.gate }

// TestShutdownDuringADeterministicRunChangesNothing: before, the refused
// Shutdown closed the runtime anyway, and the Run in progress failed with
// a false escape report.
func TestShutdownDuringADeterministicRunChangesNothing(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1))
	run(t, rt, func(ctx context.Context) error {
		r := start(t, ctx, &testSrv{})
		errc := make(chan error, 1)
		go func() { errc <- rt.Shutdown(context.Background()) }()
		for {
			select {
			case err := <-errc:
				if !errors.Is(err, noex.ErrNotOwner) {
					t.Errorf("Shutdown during Run = %v, want ErrNotOwner", err)
				}
				if rt.ShuttingDown() {
					t.Error("the refused Shutdown began shutting down")
				}
				_, err = noex.Call(ctx, r, op{kind: "get"})
				return err
			default:
				if _, err := noex.Call(ctx, r, op{kind: "get"}); err != nil {
					return err
				}
			}
		}
	})
	run(t, rt, func(ctx context.Context) error { return nil })
}
