package taskqueue_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
	"github.com/noex-go/noex/solutions/taskqueue"
)

const benchSeeds = 200

// BenchmarkGrade measures grading the solution under 200 seeds, in
// seeds per second, beside its baseline: the same 200 seeds of the system
// alone (start, 12 tasks, shutdown), with nobody observing and nothing
// checked, as many at once as the grader runs (GOMAXPROCS); "recorded"
// attaches an event recorder, as grading does, which makes the runtime build
// every event. Grading runs each seed twice (part 1, then part 2 with a worker
// crash), records every event and checks each requirement; "and-real" adds
// the 3+3 real-mode runs of a default Grade, which take wall time.
//
//	go test ./solutions/taskqueue -run '^$' -bench Grade -benchtime 10x
func BenchmarkGrade(b *testing.B) {
	for _, observed := range []bool{false, true} {
		name := "baseline-system-alone"
		if observed {
			name = "baseline-system-recorded"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := bareRuns(benchSeeds, observed); err != nil {
					b.Fatal(err)
				}
			}
			reportSeeds(b)
		})
	}
	for _, real := range []int{-1, grader.DefaultRealRuns} {
		name := "graded-deterministic"
		if real > 0 {
			name = "graded-and-real"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				rep := grader.Run(Impl(), grader.Config{Seeds: benchSeeds, BaseSeed: 1, RealRuns: real})
				for _, p := range rep.Parts {
					if !p.Passed() {
						b.Fatalf("part %d failed: %s", p.Part, rep.Summary())
					}
				}
			}
			reportSeeds(b)
		})
	}
}

func reportSeeds(b *testing.B) {
	b.ReportMetric(float64(benchSeeds)*float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
}

// bareRuns runs seeds 0 to n-1 with bareRun, GOMAXPROCS at a time.
func bareRuns(n int, observed bool) error {
	seeds := make(chan uint64)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for s := range seeds {
				errs <- bareRun(s, observed)
			}
		})
	}
	for s := range uint64(n) {
		seeds <- s
	}
	close(seeds)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// bareRun runs the system once under seed, as a grading run does, without
// probe or checks (and with observed, with a recorder attached): it lets the
// tasks run out on the virtual clock.
func bareRun(seed uint64, observed bool) error {
	opts := []noex.Option{noex.WithSeed(seed)}
	if observed {
		opts = append(opts, noex.WithObserver(noextest.NewRecorder().Observe))
	}
	rt := noex.NewRuntime(opts...)
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		sys, err := taskqueue.Start(ctx)
		if err != nil {
			return err
		}
		for i := range grader.DefaultTasks {
			if _, err := sys.Enqueue(ctx, fmt.Sprintf("job-%02d", i+1)); err != nil {
				return err
			}
		}
		if err := noex.Sleep(ctx, time.Second); err != nil {
			return err
		}
		done, err := sys.Completions(ctx)
		if err == nil && len(done) != grader.DefaultTasks {
			err = fmt.Errorf("seed %d: %d completions, want %d", seed, len(done), grader.DefaultTasks)
		}
		if serr := sys.Shutdown(ctx); err == nil {
			err = serr
		}
		return err
	})
	if serr := rt.Shutdown(ctx); err == nil {
		err = serr
	}
	return err
}
