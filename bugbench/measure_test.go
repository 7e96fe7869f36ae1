package bugbench_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

// lengthRuns is how many random runs (seeds 1 to lengthRuns) estimate a
// kernel's run length k for PCT: the most decisions any of them made (as
// the table's command, bugbench/cmd/bugtable, estimates it).
const lengthRuns = 30

// tableStrategies are the strategies of the table, for a kernel whose run
// length is k. A "portfolio" is resolved seed by seed (see strategyOpts).
func tableStrategies(k int) []string {
	return []string{
		"random",
		fmt.Sprintf("pct:d=1,k=%d", k),
		fmt.Sprintf("pct:d=2,k=%d", k),
		fmt.Sprintf("pct:d=3,k=%d", k),
		"pos",
		"portfolio",
	}
}

// strategyOpts returns the options of a run of spec on seed, the way a
// driver runs it: a portfolio becomes the member of that seed, its PCT
// members with k as their run length.
func strategyOpts(t testing.TB, spec string, seed uint64, k int) []noex.Option {
	t.Helper()
	full, err := noex.ResolveStrategy(spec, seed, k)
	if err != nil {
		t.Fatal(err)
	}
	return []noex.Option{noex.WithSeed(seed), noex.WithStrategy(full)}
}

// runLength is a program's run length for PCT: the most decisions that
// lengthRuns random runs of it made.
func runLength(t testing.TB, p bugbench.Program) int {
	t.Helper()
	k := 0
	for seed := uint64(1); seed <= lengthRuns; seed++ {
		o := run(t, p, false, noex.WithSeed(seed), noex.WithStrategy("random"))
		if o.err != nil && !errors.Is(o.err, bugbench.ErrViolation) {
			t.Fatalf("seed %d: the run failed: %v", seed, o.err)
		}
		k = max(k, int(o.decisions))
	}
	return max(k, 1) // a pct spec needs k ≥ 1, even for a run without decisions
}

// finds runs p once with opts and reports whether it showed the bug.
func finds(t testing.TB, p bugbench.Program, opts []noex.Option) (bool, outcome) {
	t.Helper()
	o := run(t, p, false, opts...)
	if o.err != nil && !errors.Is(o.err, bugbench.ErrViolation) {
		t.Fatalf("%v: the run failed: %v", opts, o.err)
	}
	return o.err != nil, o
}

// findRate returns how many of seeds 1 to n find the bug with spec, and
// the mean number of steps per run.
func findRate(t testing.TB, p bugbench.Program, spec string, k int, n uint64) (found int, steps float64) {
	t.Helper()
	var total uint64
	for seed := uint64(1); seed <= n; seed++ {
		ok, o := finds(t, p, strategyOpts(t, spec, seed, k))
		if ok {
			found++
		}
		total += o.steps
	}
	return found, float64(total) / float64(n)
}
