package noex_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

// task is a message of the runaway servers below.
type task struct{ ID int }

// looper casts itself more work for every task it handles: a run that
// never goes idle.
type looper struct{}

func (looper) Init(context.Context) (int, error) { return 0, nil }
func (looper) HandleCall(_ context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (looper) HandleCast(ctx context.Context, t task, n int) (int, error) {
	err := noex.Cast(ctx, noex.RefOf[noex.None, task, int](noex.Self(ctx)), task{ID: t.ID + 1})
	return n + 1, err
}

func TestStepBudgetStopsARunThatNeverGoesIdle(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1), noex.WithStepBudget(1000))
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		r, err := noex.Start(ctx, looper{}, noex.WithName("worker-1"))
		if err != nil {
			return err
		}
		return noex.Cast(ctx, r, task{ID: 1})
	})
	be, ok := errors.AsType[*noex.StepBudgetError](err)
	if !ok || !errors.Is(err, noex.ErrStepBudget) {
		t.Fatalf("Run = %v, want a *StepBudgetError", err)
	}
	if be.Budget != 1000 || len(be.Top) == 0 {
		t.Fatalf("error = %+v, want budget 1000 and the top processes", be)
	}
	top := be.Top[0]
	if top.Label != "worker-1" || top.LastKind != noex.KindCast || !strings.HasPrefix(top.LastMsg, "task{ID:") {
		t.Errorf("top = %+v, want worker-1 handling a task cast", top)
	}
	if top.Steps < 900 || top.Steps > 1000 {
		t.Errorf("worker-1 took %d steps, want most of the 1000", top.Steps)
	}
	want := "noex: step budget of 1000 steps exhausted: worker-1 took "
	if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "(last message: cast task{ID:") {
		t.Errorf("Error() = %q, want it to start with %q and name the last message", err, want)
	}
	// The runtime is unusable afterwards, like after a deadlock.
	err2 := rt.Run(context.Background(), func(ctx context.Context) error { return nil })
	if !errors.Is(err2, noex.ErrStepBudget) {
		t.Errorf("a later Run = %v, want the budget failure", err2)
	}
}

// TestStepBudgetCountsEachRun: the budget bounds each Run, not the
// runtime's lifetime; a Run below it is not affected by earlier ones.
func TestStepBudgetCountsEachRun(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1), noex.WithStepBudget(200))
	var r noex.Ref[noex.None, task, int]
	run(t, rt, func(ctx context.Context) (err error) {
		r, err = noex.Start(ctx, looper{})
		return err
	})
	for i := range 20 {
		run(t, rt, func(ctx context.Context) error {
			for range 10 {
				if _, err := noex.Call(ctx, r, noex.None{}); err != nil {
					return err
				}
			}
			return nil
		})
		if i == 19 && rt.Steps() < 200 {
			t.Fatalf("20 runs took %d steps in all, want more than one budget", rt.Steps())
		}
	}
}

// TestStepBudgetUnbounded: math.MaxUint64 removes the bound; 0 keeps the
// default.
func TestStepBudgetUnbounded(t *testing.T) {
	for _, n := range []uint64{0, math.MaxUint64} {
		rt := newRT(t, noex.WithSeed(1), noex.WithStepBudget(n))
		run(t, rt, func(ctx context.Context) error {
			r, err := noex.Start(ctx, looper{})
			if err != nil {
				return err
			}
			for range 100 {
				if _, err := noex.Call(ctx, r, noex.None{}); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// producer queues work for a consumer that never takes it: the queue grows
// at every step until the budget stops the run.
type producer struct{ to noex.PID }

func (producer) Init(context.Context) (int, error) { return 0, nil }
func (producer) HandleCall(_ context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (p producer) HandleCast(ctx context.Context, t task, n int) (int, error) {
	noex.Send(ctx, p.to, t)
	return n + 1, noex.Cast(ctx, noex.RefOf[noex.None, task, int](noex.Self(ctx)), task{ID: t.ID + 1})
}

type stuckSink struct{}

func (stuckSink) Init(context.Context) (int, error) { return 0, nil }
func (stuckSink) HandleCall(_ context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (stuckSink) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (stuckSink) HandleInfo(ctx context.Context, _ any, n int) (int, error) {
	noex.Sleep(ctx, 1<<62) // never pops its queue again
	return n, nil
}

func TestStepBudgetNamesTheProcessesThatTookTheMostSteps(t *testing.T) {
	rt := newRT(t, noex.WithSeed(7), noex.WithStepBudget(5000))
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		s, err := noex.Start(ctx, stuckSink{}, noex.WithName("queue"))
		if err != nil {
			return err
		}
		// The stuckSink blocks in its first message, so its queue is never read.
		if err := noex.Send(ctx, s, "wake"); err != nil {
			return err
		}
		p, err := noex.Start(ctx, producer{to: s.PID()}, noex.WithName("producer"))
		if err != nil {
			return err
		}
		return noex.Cast(ctx, p, task{ID: 1})
	})
	be, ok := errors.AsType[*noex.StepBudgetError](err)
	if !ok {
		t.Fatalf("Run = %v, want a *StepBudgetError", err)
	}
	if len(be.Top) < 2 || be.Top[0].Label != "producer" || be.Top[1].Label != "queue" {
		t.Errorf("top = %+v, want the producer, then the queue", be.Top)
	}
	for i := 1; i < len(be.Top); i++ {
		if be.Top[i].Steps > be.Top[i-1].Steps {
			t.Errorf("top not sorted by steps: %+v", be.Top)
		}
	}
}
