package bugbench_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

const (
	// searchSeeds bounds the search for a seed on which a buggy kernel
	// fails under uniform random choice.
	searchSeeds = 2000
	// fixedSeeds is how many seeds every fixed kernel must pass under
	// uniform random choice, and strategySeeds under each other strategy.
	fixedSeeds    = 500
	strategySeeds = 100
	// rateSeeds is how many seeds measure a deep kernel's find rate, which
	// must stay under maxDeepRate for uniform random choice.
	rateSeeds   = 500
	maxDeepRate = 0.05
	// minDeep is how many kernels of depth 3 or more the benchmark has.
	minDeep = 6
)

// outcome is what one run of a program gave.
type outcome struct {
	err       error
	log       []string
	steps     uint64
	decisions uint64
	schedule  string
}

// run runs p on a fresh deterministic runtime built with opts, records the
// event log if asked to, shuts the runtime down and checks that the
// program left it quiescent: no timer pending, and a clean shutdown.
func run(t testing.TB, p bugbench.Program, record bool, opts ...noex.Option) outcome {
	t.Helper()
	ctx := context.Background()
	rt := noex.NewRuntime(opts...)
	var o outcome
	if record {
		rt.Observe(func(e noex.Event) { o.log = append(o.log, e.String()) })
	}
	o.err = p(ctx, rt)
	o.steps = rt.Steps()
	o.decisions = rt.Decisions()
	if n := rt.PendingTimers(); n != 0 {
		t.Errorf("the program left %d timers pending", n)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rt.Shutdown(sctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	o.schedule = rt.Schedule() // shutdown's decisions included
	return o
}

func TestKernels(t *testing.T) {
	ks := bugbench.Kernels()
	if len(ks) < 19 {
		t.Errorf("%d kernels, want at least 19", len(ks))
	}
	deep := 0
	seen := map[string]bool{}
	for _, k := range ks {
		if k.Name == "" || k.Title == "" || k.Source == "" || k.Why == "" || k.Buggy == nil || k.Fixed == nil {
			t.Errorf("kernel %q is incomplete: %+v", k.Name, k)
		}
		if seen[k.Name] {
			t.Errorf("two kernels are named %q", k.Name)
		}
		seen[k.Name] = true
		if k.Depth < 1 {
			t.Errorf("%s: depth %d, want at least 1", k.Name, k.Depth)
		}
		if k.Depth >= 3 {
			deep++
		}
	}
	if deep < minDeep {
		t.Errorf("%d kernels of depth 3 or more, want at least %d", deep, minDeep)
	}
}

// firstFailure returns the first seed in [1, searchSeeds] on which p
// violates its property under uniform random choice, and what that run
// gave.
func firstFailure(t *testing.T, p bugbench.Program) (uint64, outcome) {
	t.Helper()
	for seed := uint64(1); seed <= searchSeeds; seed++ {
		o := run(t, p, false, noex.WithSeed(seed), noex.WithStrategy("random"))
		switch {
		case errors.Is(o.err, bugbench.ErrViolation):
			return seed, o
		case o.err != nil:
			t.Fatalf("seed %d: the run failed: %v", seed, o.err)
		}
	}
	t.Fatalf("no seed in [1, %d] shows the bug", searchSeeds)
	return 0, outcome{}
}

// Every buggy kernel shows its bug on some seed under uniform random
// choice, and that seed, or the run's schedule string, replays the same
// failure with the same event log.
func TestBuggyKernelsFail(t *testing.T) {
	for _, k := range bugbench.Kernels() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			seed, first := firstFailure(t, k.Buggy)
			a := run(t, k.Buggy, true, noex.WithSeed(seed), noex.WithStrategy("random"))
			b := run(t, k.Buggy, true, noex.WithSeed(seed), noex.WithStrategy("random"))
			c := run(t, k.Buggy, true, noex.WithSchedule(first.schedule))
			for _, o := range []outcome{a, b, c} {
				if fmt.Sprint(o.err) != fmt.Sprint(first.err) {
					t.Errorf("seed %d replayed: %v; first run: %v", seed, o.err, first.err)
				}
			}
			if diff := cmp.Diff(a.log, b.log); diff != "" {
				t.Errorf("seed %d, event log of two runs (-first +second):\n%s", seed, diff)
			}
			if diff := cmp.Diff(a.log, c.log); diff != "" {
				t.Errorf("seed %d, event log of the seed and of its schedule %q (-seed +schedule):\n%s", seed, first.schedule, diff)
			}
			t.Logf("seed %d (schedule %q): %v", seed, first.schedule, first.err)
		})
	}
}

// Every fixed kernel passes on every seed, under uniform random choice and
// under the strategies that reach the schedules it rarely takes.
func TestFixedKernelsPass(t *testing.T) {
	n, m := uint64(fixedSeeds), uint64(strategySeeds)
	if testing.Short() {
		n, m = fixedSeeds/10, strategySeeds/10
	}
	for _, k := range bugbench.Kernels() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(1); seed <= n; seed++ {
				if o := run(t, k.Fixed, false, noex.WithSeed(seed), noex.WithStrategy("random")); o.err != nil {
					t.Fatalf("random, seed %d: %v", seed, o.err)
				}
			}
			length := runLength(t, k.Fixed)
			for _, spec := range tableStrategies(length)[1:] {
				for seed := uint64(1); seed <= m; seed++ {
					if o := run(t, k.Fixed, false, strategyOpts(t, spec, seed, length)...); o.err != nil {
						t.Fatalf("%s, seed %d: %v", spec, seed, o.err)
					}
				}
			}
		})
	}
}

// The same seed gives the same event log, buggy or fixed.
func TestDeterminism(t *testing.T) {
	for _, k := range bugbench.Kernels() {
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			for _, p := range []bugbench.Program{k.Buggy, k.Fixed} {
				for seed := uint64(1); seed <= 5; seed++ {
					a := run(t, p, true, noex.WithSeed(seed))
					b := run(t, p, true, noex.WithSeed(seed))
					if fmt.Sprint(a.err) != fmt.Sprint(b.err) {
						t.Errorf("seed %d: %v, then %v", seed, a.err, b.err)
					}
					if diff := cmp.Diff(a.log, b.log); diff != "" {
						t.Errorf("seed %d, event log of two runs (-first +second):\n%s", seed, diff)
					}
				}
			}
		})
	}
}

// The deep kernels are what the benchmark is for: uniform random choice
// finds them (TestBuggyKernelsFail), but rarely.
func TestDeepKernelsAreRareForRandom(t *testing.T) {
	for _, k := range bugbench.Kernels() {
		if k.Depth < 3 {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			found, _ := findRate(t, k.Buggy, "random", 0, rateSeeds)
			if rate := float64(found) / rateSeeds; rate >= maxDeepRate {
				t.Errorf("random finds the bug on %d of %d seeds (%.1f%%), want under %.0f%%",
					found, rateSeeds, 100*rate, 100*maxDeepRate)
			}
		})
	}
}
