package bugbench_test

import (
	"errors"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

var (
	table        = flag.Bool("bugbench.table", false, "measure every kernel under every strategy and print the table (takes minutes)")
	tableKernels = flag.String("bugbench.kernels", "", "with -bugbench.table, only the kernels whose name matches this regexp")
)

// The protocol of the strategy table.
const (
	// lengthRuns is how many random runs (seeds 1 to lengthRuns) estimate a
	// kernel's run length k for PCT: the most decisions any of them made.
	lengthRuns = 30
	// tableSeeds is how many seeds (1 to tableSeeds) measure a find rate.
	tableSeeds = 1000
	// campaigns is how many campaigns measure the schedules to the first
	// find; campaign c runs seeds c·campaignStride+1, c·campaignStride+2,
	// and so on, at most campaignCap of them.
	campaigns      = 20
	campaignStride = 100003
	campaignCap    = 5000
)

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

// firstFind returns how many schedules campaign c runs with spec before
// one finds the bug (that one included), or 0 if none of campaignCap does.
func firstFind(t testing.TB, p bugbench.Program, spec string, k int, c uint64) int {
	t.Helper()
	for i := uint64(1); i <= campaignCap; i++ {
		if ok, _ := finds(t, p, strategyOpts(t, spec, c*campaignStride+i, k)); ok {
			return int(i)
		}
	}
	return 0
}

// medianFirstFind is the median over campaigns 1 to campaigns of
// firstFind; a campaign that finds nothing counts as more than the cap.
// It returns the median and how many campaigns found nothing.
func medianFirstFind(t testing.TB, p bugbench.Program, spec string, k int) (float64, int) {
	t.Helper()
	var xs []int
	missed := 0
	for c := uint64(1); c <= campaigns; c++ {
		n := firstFind(t, p, spec, k, c)
		if n == 0 {
			n, missed = campaignCap+1, missed+1
		}
		xs = append(xs, n)
	}
	slices.Sort(xs)
	return float64(xs[(len(xs)-1)/2]+xs[len(xs)/2]) / 2, missed
}

// cell is one kernel's figures under one strategy.
type cell struct {
	found  int     // seeds of 1 to tableSeeds that find the bug
	median float64 // schedules to the first find, median over the campaigns
	missed int     // campaigns that found nothing within campaignCap
	steps  float64 // mean steps per run
}

func (c cell) String() string {
	med := fmt.Sprintf("%g", c.median)
	if c.median > campaignCap {
		med = fmt.Sprintf(">%d", campaignCap)
	}
	return fmt.Sprintf("%.1f%% / %s", 100*float64(c.found)/tableSeeds, med)
}

// measureKernel measures k under every strategy of the table.
func measureKernel(t testing.TB, k bugbench.Kernel) (length int, cells []cell) {
	length = runLength(t, k.Buggy)
	for _, spec := range tableStrategies(length) {
		var c cell
		c.found, c.steps = findRate(t, k.Buggy, spec, length, tableSeeds)
		c.median, c.missed = medianFirstFind(t, k.Buggy, spec, length)
		cells = append(cells, c)
	}
	return length, cells
}

// TestStrategyTable measures, for every kernel, the share of seeds 1 to
// 1000 that find its bug and the median number of schedules to the first
// find over 20 campaigns, under uniform random choice, PCT of depths 1 to 3
// (k: the most decisions of 30 random runs), POS and the portfolio. It
// runs only when asked; it logs each kernel's figures as they come, then
// the whole table, one row per kernel, each cell "find rate / median":
//
//	go test ./bugbench -run TestStrategyTable -bugbench.table -v -timeout 0
//	go test ./bugbench -run TestStrategyTable -bugbench.table -bugbench.kernels 'stale|commit' -v
func TestStrategyTable(t *testing.T) {
	if !*table {
		t.Skip("measures for minutes; run with -bugbench.table")
	}
	re, err := regexp.Compile(*tableKernels)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		rows = map[string]string{}
	)
	kernels := bugbench.Kernels()
	t.Cleanup(func() { // after every parallel subtest
		var b strings.Builder
		b.WriteString("\n| kernel | depth | k | random | pct:d=1 | pct:d=2 | pct:d=3 | pos | portfolio |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, k := range kernels {
			if r, ok := rows[k.Name]; ok {
				b.WriteString(r + "\n")
			}
		}
		t.Log(b.String())
	})
	for _, k := range kernels {
		if !re.MatchString(k.Name) {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			t.Parallel()
			length, cells := measureKernel(t, k)
			var b strings.Builder
			fmt.Fprintf(&b, "%s (depth %d, k=%d)\n", k.Name, k.Depth, length)
			row := fmt.Sprintf("| %s | %d | %d |", k.Name, k.Depth, length)
			for i, spec := range tableStrategies(length) {
				c := cells[i]
				fmt.Fprintf(&b, "  %-16s %-18v (%d of %d campaigns found nothing, %.0f steps/run)\n",
					spec, c, c.missed, campaigns, c.steps)
				row += " " + c.String() + " |"
			}
			t.Log("\n" + b.String())
			mu.Lock()
			rows[k.Name] = row
			mu.Unlock()
		})
	}
}
