package noextest_test

import (
	"context"
	"crypto/sha256"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// BenchmarkSeedsScaling measures how seeds/s grows from one core to two,
// on a machine whose load varies more between runs than the two differ:
// each op is one window of 1 core (GOMAXPROCS=1, the seeds in turn) and one
// of 2 cores (GOMAXPROCS=2, two goroutines taking seeds), the order of the
// two alternating from op to op, each window running seedsPerWindow seeds.
// It reports both rates and their ratio, "speedup": "kit" for the kit's
// runtime with its checks, "raw" for a bare deterministic runtime, and two
// baselines without noex.
func BenchmarkSeedsScaling(b *testing.B) {
	var next atomic.Uint64
	b.Run("kit", func(b *testing.B) {
		seedsScaling(b, func() {
			t := &benchT{b: b}
			rt := noextest.New(t, noextest.WithSeed(next.Add(1)))
			rt.Run(fiveByFifty)
			t.done()
		})
	})
	b.Run("raw", func(b *testing.B) {
		seedsScaling(b, func() {
			rt := noex.NewRuntime(noex.WithSeed(next.Add(1)))
			if err := rt.Run(context.Background(), fiveByFifty); err != nil {
				b.Error(err)
			}
			rt.Shutdown(context.Background())
		})
	})
	// The baselines, without noex: pure computation, which scales with
	// cores, and two goroutines handing a token back and forth 200 times,
	// as a deterministic runtime hands its baton from the scheduler to a
	// process and back at every step.
	b.Run("baseline-cpu", func(b *testing.B) {
		seedsScaling(b, func() {
			buf := make([]byte, 4096)
			for range 20 {
				sum := sha256.Sum256(buf)
				buf[0] = sum[0]
			}
		})
	})
	b.Run("baseline-handoff", func(b *testing.B) {
		seedsScaling(b, func() {
			there, back := make(chan struct{}), make(chan struct{})
			go func() {
				for range there {
					back <- struct{}{}
				}
			}()
			for range 200 {
				there <- struct{}{}
				<-back
			}
			close(there)
		})
	})
}

func seedsScaling(b *testing.B, seed func()) {
	const seedsPerWindow = 200
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	window := func(cores int) time.Duration {
		runtime.GOMAXPROCS(cores)
		var left atomic.Int64
		left.Store(seedsPerWindow)
		start := time.Now()
		var wg sync.WaitGroup
		for range cores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for left.Add(-1) >= 0 {
					seed()
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	var one, two time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			one += window(1)
			two += window(2)
		} else {
			two += window(2)
			one += window(1)
		}
	}
	n := float64(b.N * seedsPerWindow)
	b.ReportMetric(n/one.Seconds(), "seeds/s-1core")
	b.ReportMetric(n/two.Seconds(), "seeds/s-2cores")
	b.ReportMetric(one.Seconds()/two.Seconds(), "speedup")
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
