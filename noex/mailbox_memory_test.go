package noex_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/noex-go/noex/noex"
)

// gate is a server whose first call blocks until the gate opens (real
// mode), so that casts queue up behind it.
type gateSrv struct{ open <-chan struct{} }

func (g gateSrv) Init(context.Context) (int, error) { return 0, nil }
func (g gateSrv) HandleCall(_ context.Context, wait bool, n int) (int, int, error) {
	if wait {
		<-g.open
	}
	return n, n, nil
}
func (g gateSrv) HandleCast(_ context.Context, k int, n int) (int, error) { return n + k, nil }

func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestAMailboxReleasesItsMemoryAfterABurst: before, a drained mailbox kept
// every envelope of the burst reachable (97 MiB after a million casts) until
// the receiver stopped.
func TestAMailboxReleasesItsMemoryAfterABurst(t *testing.T) {
	modesSeeds(t, []uint64{1}, func(t *testing.T, rt *noex.Runtime) {
		// Before, 100,000 casts left about 9 MiB behind in real mode, and
		// 200,000 casts 2 MiB of queue buffer in deterministic mode
		// (docs/performance.md has the figures for a million).
		n := 100_000
		if rt.Deterministic() {
			n = 200_000
		}
		const slack = 2 << 20
		open := make(chan struct{})
		run(t, rt, func(ctx context.Context) error {
			r, err := noex.Start(ctx, gateSrv{open: open})
			if err != nil {
				return err
			}
			before := heapAlloc()
			if !rt.Deterministic() {
				go noex.Call(ctx, r, true) // r waits at the gate while the casts queue
			}
			for range n {
				if err := noex.Cast(ctx, r, 1); err != nil {
					return err
				}
			}
			close(open)
			got, err := noex.Call(ctx, r, false)
			if err != nil || got != n {
				t.Errorf("after the burst: %d, %v; want %d", got, err, n)
			}
			if after := heapAlloc(); after > before+slack {
				t.Errorf("heap after draining %d casts: %d KiB, before: %d KiB; want at most %d KiB more",
					n, after>>10, before>>10, slack>>10)
			}
			return nil
		})
	})
}
