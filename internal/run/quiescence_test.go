package run_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

// napper counts the casts it handled, each after sleeping on the runtime's
// clock for the cast's duration.
type napper struct{}

func (napper) Init(ctx context.Context) (int, error) { return 0, nil }
func (napper) HandleCall(ctx context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (napper) HandleCast(ctx context.Context, d time.Duration, n int) (int, error) {
	return n + 1, noex.Sleep(ctx, d)
}

// The next phase starts only after a handler sleeping on the clock in the
// previous one has finished, in both modes (the chapter's "Running the
// examples" and the deterministic-mode guide say so); a pending timer on its
// own does not hold it.
func TestPhaseWaitsForSleepingHandler(t *testing.T) {
	var nap noex.Ref[noex.None, time.Duration, int]
	first := func(ctx context.Context, out io.Writer) error {
		var err error
		if nap, err = noex.Start(ctx, napper{}); err != nil {
			return err
		}
		if _, err := noex.SendAfter(ctx, nap, "never waited for", time.Hour); err != nil {
			return err
		}
		return nap.Cast(ctx, 20*time.Millisecond)
	}
	second := func(ctx context.Context, out io.Writer) error {
		n, err := nap.Call(ctx, noex.None{})
		fmt.Fprintln(out, "handled:", n, "at", noex.Now(ctx).Sub(noex.Epoch) >= 20*time.Millisecond)
		return err
	}
	for _, cfg := range []run.Config{run.DefaultConfig(), {Real: true}} {
		res, err := run.Once(context.Background(), cfg, first, second)
		if err != nil {
			t.Fatalf("real=%v: %v", cfg.Real, err)
		}
		want := []string{"handled: 1 at true"}
		if diff := cmp.Diff(want, res.Lines()); diff != "" {
			t.Errorf("real=%v: output (-want +got):\n%s", cfg.Real, diff)
		}
	}
}
