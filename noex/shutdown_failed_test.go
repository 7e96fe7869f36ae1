package noex_test

import (
	"context"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// sleeperSelf sleeps a millisecond of the clock, then casts itself again.
type sleeperSelf struct{}

func (sleeperSelf) Init(ctx context.Context) (int, error)                  { return 0, nil }
func (sleeperSelf) HandleCall(context.Context, int, int) (int, int, error) { return 0, 0, nil }
func (sleeperSelf) HandleCast(ctx context.Context, n int, s int) (int, error) {
	noex.Sleep(ctx, time.Millisecond)
	return s, noex.Cast(ctx, noex.RefOf[int, int, int](noex.Self(ctx)), n+1)
}

// startSleepers starts four sleeperSelf processes and sets them going.
func startSleepers(ctx context.Context) error {
	for range 4 {
		r, err := noex.Start(ctx, sleeperSelf{})
		if err != nil {
			return err
		}
		noex.Cast(ctx, r, 0)
	}
	return nil
}

// A runtime whose deterministic run failed (its step budget, its context)
// while processes sleep on the clock shuts down cleanly, without a race
// between the driver and the processes unwinding.
func TestShutdownAfterAFailedRunWithSleepers(t *testing.T) {
	for i := 0; i < 20; i++ {
		rt := noex.NewRuntime(noex.WithSeed(uint64(i)), noex.WithStepBudget(3000))
		err := rt.Run(context.Background(), startSleepers)
		if err == nil {
			t.Fatal("no budget error")
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown after a failed run: %v", err)
		}
	}
}

func TestShutdownAfterACancelledRunWithSleepers(t *testing.T) {
	for i := 0; i < 20; i++ {
		rt := noex.NewRuntime(noex.WithSeed(uint64(i)))
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		rt.Observe(func(e noex.Event) {
			if n++; n == 500 {
				cancel()
			}
		})
		err := rt.Run(ctx, startSleepers)
		if err == nil {
			t.Fatal("no cancel error")
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown after a failed run: %v", err)
		}
	}
}
