package noex_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// BenchmarkSupervisorRestart compares, in real mode, the restart of a
// crashed child (Kill, the supervisor's Down handling, the new Start, and
// a ChildPID call that observes the new process) with a plain Start+Stop of
// the same server. The restart sub-benchmark reports its cost as a
// multiple of the baseline's ("x-start-stop"); the target is ≤ 10.
//
//	go test ./noex -run '^$' -bench BenchmarkSupervisorRestart -count 5
func BenchmarkSupervisorRestart(b *testing.B) {
	var baseline float64 // ns per Start+Stop
	b.Run("start-stop", func(b *testing.B) {
		rt := svBenchRuntime(b)
		svBenchRun(b, rt, func(ctx context.Context) error {
			b.ResetTimer()
			for range b.N {
				r, err := noex.Start(ctx, &svWorker{})
				if err != nil {
					return err
				}
				if err := noex.Stop(ctx, r, nil); err != nil {
					return err
				}
			}
			b.StopTimer()
			return nil
		})
		baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("restart", func(b *testing.B) {
		rt := svBenchRuntime(b)
		svBenchRun(b, rt, func(ctx context.Context) error {
			// A 1ns window never holds two restarts: the intensity never trips.
			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{MaxRestarts: 1, Within: time.Nanosecond,
				Children: []noex.ChildSpec{noex.ServerChild("w", &svWorker{})}})
			if err != nil {
				return err
			}
			pid, err := noex.ChildPID(ctx, sup, "w")
			if err != nil {
				return err
			}
			b.ResetTimer()
			for i := range b.N {
				if err := noex.Kill(ctx, pid, errBoom); err != nil {
					return err
				}
				// Kill queues the Down before it returns, and a real-mode
				// mailbox is FIFO: this call is handled after the restart.
				old := pid
				if pid, err = noex.ChildPID(ctx, sup, "w"); err != nil || pid == old {
					return fmt.Errorf("restart %d: ChildPID = %v, %v", i, pid, err)
				}
			}
			b.StopTimer()
			return nil
		})
		if ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N); baseline > 0 {
			b.ReportMetric(ns/baseline, "x-start-stop")
		}
	})
}

func svBenchRuntime(b *testing.B) *noex.Runtime {
	rt := noex.NewRuntime()
	b.Cleanup(func() {
		if err := rt.Shutdown(context.Background()); err != nil {
			b.Errorf("Shutdown: %v", err)
		}
	})
	return rt
}

func svBenchRun(b *testing.B, rt *noex.Runtime, body func(ctx context.Context) error) {
	b.Helper()
	if err := rt.Run(context.Background(), body); err != nil {
		b.Fatal(err)
	}
}
