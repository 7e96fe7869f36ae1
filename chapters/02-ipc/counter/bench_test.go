package main

import (
	"context"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// BenchmarkWrites measures the chapter's claim that casting the writes
// "maximizes write throughput": in real mode, 100 increments as casts
// followed by one read, beside the baseline of 100 increments as calls
// (each waiting for its reply). Both run in the same iteration, on the same
// runtime, so the reported ratio call/cast compares like with like.
//
//noexvet:ignore a real-mode benchmark measures wall time around the runtime's operations
func BenchmarkWrites(b *testing.B) {
	const writes = 100
	rt := noex.NewRuntime()
	defer rt.Shutdown(context.Background())
	var castTime, callTime time.Duration
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		counter, err := noex.Start(ctx, Counter{})
		if err != nil {
			return err
		}
		adder, err := noex.Start(ctx, callCounter{})
		if err != nil {
			return err
		}
		b.ResetTimer()
		for range b.N {
			start := time.Now()
			for range writes {
				if err := counter.Cast(ctx, Increment{}); err != nil {
					return err
				}
			}
			if _, err := counter.Call(ctx, Get{}); err != nil {
				return err
			}
			castTime += time.Since(start)

			start = time.Now()
			for range writes {
				if _, err := adder.Call(ctx, callIncrement{}); err != nil {
					return err
				}
			}
			callTime += time.Since(start)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	n := float64(b.N * writes)
	b.ReportMetric(float64(castTime.Nanoseconds())/n, "cast-ns/write")
	b.ReportMetric(float64(callTime.Nanoseconds())/n, "call-ns/write")
	b.ReportMetric(float64(callTime)/float64(castTime), "call/cast")
}

// callCounter is the baseline: a counter whose increments are calls.
type callCounter struct{}

type callIncrement struct{}

func (callCounter) Init(ctx context.Context) (int, error) { return 0, nil }
func (callCounter) HandleCall(ctx context.Context, _ callIncrement, v int) (int, int, error) {
	return v + 1, v + 1, nil
}
func (callCounter) HandleCast(ctx context.Context, _ noex.None, v int) (int, error) { return v, nil }
