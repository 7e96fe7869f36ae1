package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

// strategies are the table's columns.
var strategies = []string{"random", "pct:d=1", "pct:d=2", "pct:d=3", "pos", "portfolio"}

// wave is the number of seeds between two updates of PCT's run length,
// after the first seed, which runs alone, as in noextest.Seeds.
const wave = 16

func waveEnd(w int) int {
	if w == 0 {
		return 1
	}
	return w + wave
}

func main() {
	cfg := config{}
	flag.IntVar(&cfg.seeds, "seeds", 1000, "seeds per kernel and strategy for the share that find the bug")
	flag.IntVar(&cfg.campaigns, "campaigns", 20, "independent campaigns to the first find, for the median")
	flag.IntVar(&cfg.cap, "cap", 5000, "runs after which a campaign gives up")
	flag.IntVar(&cfg.explore, "explore", 20000, "most runs of an exhaustive exploration")
	flag.StringVar(&cfg.only, "kernels", "", "comma-separated kernels to measure (default all)")
	out := flag.String("out", "", "file to write the tables to (default standard output)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "bugtable: unexpected argument %q\nusage: go run ./bugbench/cmd/bugtable [flags]\n", flag.Arg(0))
		flag.PrintDefaults()
		os.Exit(2)
	}
	kernels, err := cfg.kernels()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bugtable:", err)
		os.Exit(2)
	}
	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bugtable:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	start := time.Now()
	t := measure(kernels, cfg, os.Stderr)
	t.write(w, cfg)
	fmt.Fprintf(os.Stderr, "bugtable: done in %v\n", time.Since(start).Round(time.Second))
	if t.fixedFailed {
		fmt.Fprintln(os.Stderr, "bugtable: a fixed program failed; see the table")
		os.Exit(1)
	}
}

type config struct {
	seeds, campaigns, cap, explore int
	only                           string
}

func (c config) kernels() ([]bugbench.Kernel, error) {
	all := bugbench.Kernels()
	if c.only == "" {
		return all, nil
	}
	var out []bugbench.Kernel
	for _, name := range strings.Split(c.only, ",") {
		i := slices.IndexFunc(all, func(k bugbench.Kernel) bool { return k.Name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("no kernel %q", name)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// cell is one kernel and strategy.
type cell struct {
	found    int   // seeds of 1..seeds that found the bug
	medians  []int // runs to the first find, per campaign (cap+1 if none)
	fixedBad int   // seeds on which the fixed program failed
}

type exploration struct {
	buggy         noex.ExploreResult
	fixed, plain  noex.ExploreResult
	tBuggy, tFixd time.Duration
}

type table struct {
	kernels     []bugbench.Kernel
	cells       [][]cell // [kernel][strategy]
	explore     []exploration
	fixedFailed bool
}

// measure fills the table, on every core.
func measure(kernels []bugbench.Kernel, cfg config, progress io.Writer) *table {
	t := &table{kernels: kernels, cells: make([][]cell, len(kernels)), explore: make([]exploration, len(kernels))}
	type job func()
	var jobs []job
	for i, k := range kernels {
		t.cells[i] = make([]cell, len(strategies))
		for j, spec := range strategies {
			c := &t.cells[i][j]
			c.medians = make([]int, cfg.campaigns)
			jobs = append(jobs, func() { c.found, c.fixedBad = share(k, spec, cfg.seeds) })
			for n := range cfg.campaigns {
				jobs = append(jobs, func() { c.medians[n] = campaign(k, spec, uint64(n)*100003, cfg.cap) })
			}
		}
		e := &t.explore[i]
		jobs = append(jobs, func() {
			begin := time.Now()
			e.buggy = explore(k.Buggy, noex.MaxSchedules(cfg.explore))
			e.tBuggy = time.Since(begin)
		}, func() {
			begin := time.Now()
			e.fixed = explore(k.Fixed, noex.MaxSchedules(cfg.explore))
			e.tFixd = time.Since(begin)
			e.plain = explore(k.Fixed, noex.MaxSchedules(cfg.explore), noex.WithoutReduction())
		})
	}
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	next := make(chan job)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j()
				mu.Lock()
				done++
				if done%50 == 0 || done == len(jobs) {
					fmt.Fprintf(progress, "bugtable: %d/%d jobs\n", done, len(jobs))
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	for i := range t.cells {
		for j := range t.cells[i] {
			if t.cells[i][j].fixedBad > 0 {
				t.fixedFailed = true
			}
		}
	}
	return t
}

// runOnce runs p under seed and strategy and reports whether the bug
// showed and how many decisions the run made.
func runOnce(p bugbench.Program, seed uint64, strategy string) (found bool, decisions int) {
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(seed), noex.WithStrategy(strategy))
	err := p(ctx, rt)
	if serr := rt.Shutdown(ctx); serr != nil && err == nil {
		err = serr
	}
	if err != nil && !errors.Is(err, bugbench.ErrViolation) {
		fmt.Fprintf(os.Stderr, "bugtable: seed %d, %s: the run failed: %v\n", seed, strategy, err)
		return true, int(rt.Decisions())
	}
	return err != nil, int(rt.Decisions())
}

// sweep runs seeds first+1, first+2, … in waves, adapting PCT's run length
// as noextest.Seeds does, until stop returns true.
func sweep(p bugbench.Program, spec string, first uint64, n int, stop func(i int, found bool) bool) {
	runLength := 0
	for w := 0; w < n; w = waveEnd(w) {
		most := 0
		for i := w; i < min(waveEnd(w), n); i++ {
			seed := first + uint64(i) + 1
			s, err := noex.ResolveStrategy(spec, seed, runLength)
			if err != nil {
				panic(err)
			}
			found, d := runOnce(p, seed, s)
			most = max(most, d)
			if stop(i, found) {
				return
			}
		}
		runLength = max(runLength, most)
	}
}

func share(k bugbench.Kernel, spec string, seeds int) (found, fixedBad int) {
	sweep(k.Buggy, spec, 0, seeds, func(_ int, f bool) bool {
		if f {
			found++
		}
		return false
	})
	sweep(k.Fixed, spec, 0, seeds, func(_ int, f bool) bool {
		if f {
			fixedBad++
		}
		return false
	})
	return found, fixedBad
}

func campaign(k bugbench.Kernel, spec string, first uint64, cap int) int {
	runs := cap + 1
	sweep(k.Buggy, spec, first, cap, func(i int, f bool) bool {
		if f {
			runs = i + 1
		}
		return f
	})
	return runs
}

func explore(p bugbench.Program, opts ...noex.ExploreOption) noex.ExploreResult {
	return noex.Explore(func(xopts ...noex.Option) error {
		ctx := context.Background()
		rt := noex.NewRuntime(append([]noex.Option{noex.WithSeed(1)}, xopts...)...)
		err := p(ctx, rt)
		if serr := rt.Shutdown(ctx); serr != nil && err == nil {
			err = serr
		}
		return err
	}, opts...)
}

func median(xs []int) int {
	s := slices.Clone(xs)
	sort.Ints(s)
	return s[(len(s)-1)/2]
}

func (t *table) write(w io.Writer, cfg config) {
	fmt.Fprintf(w, "<!-- Generated by go run ./bugbench/cmd/bugtable -seeds %d -campaigns %d -cap %d -explore %d; do not edit. -->\n\n",
		cfg.seeds, cfg.campaigns, cfg.cap, cfg.explore)
	fmt.Fprintf(w, "### Finding each bug\n\n")
	fmt.Fprintf(w, "Each cell: the share of seeds 1–%d that find the bug · the median number of runs to the first find over %d campaigns (\">%d\": more than half gave up at %d).\n\n",
		cfg.seeds, cfg.campaigns, cfg.cap, cfg.cap)
	fmt.Fprintf(w, "| kernel | d |")
	for _, s := range strategies {
		fmt.Fprintf(w, " %s |", s)
	}
	fmt.Fprintf(w, " fixed |\n|---|---|")
	for range strategies {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintf(w, "---|\n")
	for i, k := range t.kernels {
		fmt.Fprintf(w, "| %s | %d |", k.Name, k.Depth)
		bad := 0
		for j := range strategies {
			c := t.cells[i][j]
			fmt.Fprintf(w, " %s · %s |", pct(c.found, cfg.seeds), med(median(c.medians), cfg.cap))
			bad += c.fixedBad
		}
		if bad == 0 {
			fmt.Fprintf(w, " 0 failures |\n")
		} else {
			fmt.Fprintf(w, " **%d failures** |\n", bad)
		}
	}
	fmt.Fprintf(w, "\n### Exploring each kernel exhaustively\n\n")
	fmt.Fprintf(w, "Runs of noex.Explore (at most %d): until the first failing schedule of the buggy program; for the fixed one, with partial-order reduction and without it.\n\n", cfg.explore)
	fmt.Fprintf(w, "| kernel | buggy: runs to the bug | fixed: runs with reduction | time | fixed: runs without | reduction saves |\n|---|---|---|---|---|---|\n")
	for i, k := range t.kernels {
		e := t.explore[i]
		buggy := fmt.Sprintf("%d", e.buggy.Schedules)
		if e.buggy.Err == nil {
			buggy = "not found: " + e.buggy.String()
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.1f s | %s | %s |\n", k.Name, buggy, runs(e.fixed), e.tFixd.Seconds(), runs(e.plain), saving(e.fixed, e.plain))
	}
}

func pct(n, of int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of)) }

func med(m, cap int) string {
	if m > cap {
		return fmt.Sprintf(">%d", cap)
	}
	return fmt.Sprint(m)
}

func runs(r noex.ExploreResult) string {
	n := r.Schedules + r.Pruned
	switch {
	case r.Err != nil:
		return fmt.Sprintf("**failed after %d**", n)
	case r.Complete:
		return fmt.Sprintf("%d (complete)", n)
	}
	return fmt.Sprintf("≥%d (bound)", n)
}

func saving(reduced, plain noex.ExploreResult) string {
	a, b := reduced.Schedules+reduced.Pruned, plain.Schedules+plain.Pruned
	if a == 0 || b == 0 || !reduced.Complete {
		return "– (not complete)"
	}
	s := fmt.Sprintf("%.1f×", float64(b)/float64(a))
	if !plain.Complete {
		s = "≥" + s
	}
	return s
}
