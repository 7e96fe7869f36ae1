package noex_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/noex-go/noex/noex"
)

// TestAPanickingObserverIsDetachedAndReported: before, the panic crashed
// the whole program from a process goroutine.
func TestAPanickingObserverIsDetachedAndReported(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		var calls atomic.Int32
		rt.Observe(func(e noex.Event) {
			if e.Kind == noex.MessageSent {
				calls.Add(1)
				panic("observer exploded")
			}
		})
		rec := record(rt)
		err := rt.Run(context.Background(), func(ctx context.Context) error {
			r := start(t, ctx, &testSrv{})
			for i := range 3 {
				if n, err := noex.Call(ctx, r, op{kind: "add", n: 1}); err != nil || n != i+1 {
					t.Errorf("call %d = %d, %v; want %d", i, n, err, i+1)
				}
			}
			return nil
		})
		if !errors.Is(err, noex.ErrObserverPanic) || !strings.Contains(err.Error(), "observer exploded") {
			t.Errorf("Run = %v, want the observer's panic reported", err)
		}
		if calls.Load() != 1 {
			t.Errorf("the observer was called %d times after it panicked, want it detached", calls.Load()-1)
		}
		if n := len(rec.kinds(noex.MessageSent)); n != 3 {
			t.Errorf("the other observer saw %d MessageSent events, want 3", n)
		}
		// Reported once; the runtime goes on.
		run(t, rt, func(ctx context.Context) error { return nil })

		rt.Observe(func(e noex.Event) {
			if e.Kind == noex.ProcessStopped {
				panic("shutdown observer exploded")
			}
		})
		if err := rt.Shutdown(context.Background()); !errors.Is(err, noex.ErrObserverPanic) {
			t.Errorf("Shutdown = %v, want the observer's panic reported", err)
		}
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("left running: %v", ps)
		}
	})
}
