package noextest_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// fiveByFifty is the benchmark scenario: five counters, fifty messages
// (eight casts and two calls to each, interleaved), then a stop of each.
func fiveByFifty(ctx context.Context) error {
	refs := make([]counterRef, 5)
	for i := range refs {
		var err error
		if refs[i], err = startCounter(ctx, ""); err != nil {
			return err
		}
	}
	for i := range 50 {
		c := refs[i%5]
		if i%5 == 0 || i >= 45 {
			if _, err := noex.Call(ctx, c, get{}); err != nil {
				return err
			}
			continue
		}
		if err := noex.Cast(ctx, c, any(inc{By: i})); err != nil {
			return err
		}
	}
	for _, c := range refs {
		if err := noex.Stop(ctx, c, nil); err != nil {
			return err
		}
	}
	return nil
}

// benchT is a TB for one benchmark iteration: failures fail the benchmark.
type benchT struct {
	b        *testing.B
	cleanups []func()
}

func (t *benchT) Helper()                           {}
func (t *benchT) Name() string                      { return t.b.Name() }
func (t *benchT) Logf(format string, args ...any)   {}
func (t *benchT) Errorf(format string, args ...any) { t.b.Errorf(format, args...) }
func (t *benchT) Fatalf(format string, args ...any) { t.b.Fatalf(format, args...) }
func (t *benchT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *benchT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// BenchmarkSeeds runs the five-process, fifty-message scenario once per
// seed: "raw" on a bare deterministic runtime with nothing observing, the
// baseline; "kit" on a noextest runtime that records every event, has the
// fault injector attached and runs the end-of-test checks. Compare their
// seeds/s.
func BenchmarkSeeds(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		for i := range b.N {
			rt := noex.NewRuntime(noex.WithSeed(uint64(i)))
			if err := rt.Run(context.Background(), fiveByFifty); err != nil {
				b.Fatal(err)
			}
			rt.Shutdown(context.Background())
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
	})
	b.Run("kit", func(b *testing.B) {
		for i := range b.N {
			t := &benchT{b: b}
			rt := noextest.New(t, noextest.WithSeed(uint64(i)))
			rt.Run(fiveByFifty)
			t.done()
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
	})
}

// BenchmarkSeedsCores runs the kit's seeds on every core the benchmark is
// given: with -cpu 1,2 it shows how seeds/s grows with cores, as Seeds
// runs them (each runtime is independent of the others).
func BenchmarkSeedsCores(b *testing.B) {
	var next atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t := &benchT{b: b}
			rt := noextest.New(t, noextest.WithSeed(next.Add(1)))
			rt.Run(fiveByFifty)
			t.done()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
}

// TestSeedsAtScale runs the benchmark scenario under 200 seeds, as the
// exercise grader does, with every kit check on.
func TestSeedsAtScale(t *testing.T) {
	var events atomic.Int64 // seeds run in parallel
	noextest.Seeds(t, 200, func(t *testing.T, rt *noextest.Runtime) {
		rt.Run(fiveByFifty)
		rt.ExpectFIFO()
		events.Add(int64(rt.Recorder().Len()))
	})
	if events := events.Load(); events < 200*100 {
		t.Errorf("the 200 runs recorded %d events, want at least 100 each", events)
	}
	t.Logf("200 seeds, %d events", events.Load())
}
