package noex_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/noex-go/noex/noex"
)

// stopPeer is a message: stop (or wait for) the process registered as
// peer, and report the outcome on out.
type stopPeer struct {
	peer    string
	wait    bool
	out     chan<- error
	barrier *sync.WaitGroup // every message is sent before any is acted on
}

func cycleInfo(ctx context.Context, msg any, s srvState) (srvState, error) {
	m := msg.(stopPeer)
	m.barrier.Done()
	m.barrier.Wait() // real mode only: blocks outside the runtime
	to := noex.Name[op, op, int](m.peer)
	var err error
	if m.wait {
		_, err = noex.Wait(ctx, to)
	} else {
		err = noex.Stop(ctx, to, nil)
	}
	m.out <- err
	return s, nil
}

// TestAStopOrWaitCycleFailsInRealMode: before, a stopping b while b stops a
// (or a wait cycle) hung for ever, and Shutdown could not free them.
func TestAStopOrWaitCycleFailsInRealMode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		waits []bool // per process of the cycle: Wait instead of Stop
	}{
		{"stop-stop", []bool{false, false}},
		{"wait-wait", []bool{true, true}},
		{"stop-wait-stop", []bool{false, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRT(t)
			n := len(tc.waits)
			out := make(chan error, n)
			names := []string{"a", "b", "c"}[:n]
			run(t, rt, func(ctx context.Context) error {
				var refs []ref
				for _, name := range names {
					refs = append(refs, start(t, ctx, &testSrv{info: cycleInfo}, noex.WithName(name)))
				}
				var barrier sync.WaitGroup
				barrier.Add(n)
				for i, r := range refs {
					must(t, noex.Send(ctx, r, stopPeer{peer: names[(i+1)%n], wait: tc.waits[i], out: out, barrier: &barrier}))
				}
				return nil
			})
			var deadlocks int
			for range n {
				err := <-out
				if errors.Is(err, noex.ErrDeadlock) {
					deadlocks++
					var dl *noex.DeadlockError
					errors.As(err, &dl)
					if len(dl.Cycle) != n || !strings.HasPrefix(dl.Cycle[0], "a waits for b (") {
						t.Errorf("cycle = %q, want %d waits from a's", dl.Cycle, n)
					}
				}
			}
			if deadlocks == 0 {
				t.Error("no wait of the cycle failed with ErrDeadlock")
			}
			must(t, rt.Shutdown(context.Background()))
		})
	}
}

// TestAWaitCycleWithMainFailsInRealMode is the real-mode twin of
// TestDeadlockReportsWaitForCycle: there the run fails, here the waits do.
func TestAWaitCycleWithMainFailsInRealMode(t *testing.T) {
	rt := newRT(t)
	out := make(chan error, 1)
	run(t, rt, func(ctx context.Context) error {
		root := noex.Self(ctx)
		a := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
			_, err := noex.Wait(ctx, root)
			out <- err
			return s, nil
		}}, noex.WithName("a"))
		must(t, noex.Send(ctx, a, "wait for main"))
		_, err := noex.Wait(ctx, a)
		var dl *noex.DeadlockError
		if !errors.As(err, &dl) || !strings.Contains(err.Error(), "main waits for a (wait), a waits for main (wait)") {
			t.Errorf("Wait = %v, want a *DeadlockError naming the cycle", err)
		}
		if err := <-out; !errors.Is(err, noex.ErrDeadlock) {
			t.Errorf("a's Wait = %v, want ErrDeadlock", err)
		}
		return nil
	})
}
