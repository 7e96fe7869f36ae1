package noextest

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// seedWave is how many seeds run between two updates of the estimate of a
// run's length that PCT spreads its change points over, after the first
// seed, which runs alone so that the estimate exists from the second seed
// on. It is a constant, not the number of cores, so that every seed's
// strategy, and so its run, is the same on every machine.
const seedWave = 16

// waveEnd is where the wave that starts at index w ends.
func waveEnd(w int) int {
	if w == 0 {
		return 1
	}
	return w + seedWave
}

// Seeds runs scenario under n seeds, each as a subtest named "seed=N" with
// its own deterministic [Runtime] (configured by opts, then set to the
// seed) that is checked and shut down when the subtest ends. The seeds are
// base, base+1, …, base+n-1, where base comes from -noex.seed, else
// NOEX_SEED, else is random.
//
// Each seed runs the strategy of [WithStrategy] among opts, else of
// -noex.strategy, else of NOEX_STRATEGY, else the portfolio, which rotates
// strategies from seed to seed; PCT's estimate of a run's length adapts from
// the seeds run before (the first alone, then waves of 16, so that it is
// the same on every machine). A failing seed prints the command that reruns exactly it, its
// strategy included, and Seeds ends with the list of failing seeds.
//
// Seeds run in parallel, as many at once as -test.parallel allows (by
// default GOMAXPROCS): each has its own runtime, so a scenario must share no
// unsynchronized state with other seeds. Which seeds run and what each does
// are the same whatever the parallelism; the order of Go's own "=== RUN"
// and "--- PASS" lines is not, unless -parallel=1. -noex.shard=i/n (or
// NOEX_SHARD) runs only the seeds whose index modulo n is i, to split a
// long sweep across machines. Under -v Seeds logs a progress line (seeds
// done, total, failures so far) every tenth of the way.
func Seeds(t *testing.T, n int, scenario func(t *testing.T, rt *Runtime), opts ...Option) {
	t.Helper()
	if n <= 0 {
		t.Fatalf("[noex] Seeds(%d): the number of seeds must be positive", n)
		return
	}
	if scenario == nil {
		t.Fatalf("[noex] Seeds: the scenario is nil")
		return
	}
	base, _, err := defaultSeed()
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	shard, shards, err := loadShard(*shardFlag, os.LookupEnv)
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	spec := cfg.strategy
	if !cfg.hasStrategy {
		if spec, err = loadStrategy(*strategyFlag, os.LookupEnv); err != nil {
			t.Fatalf("%v", err)
			return
		}
	}
	var idx []int
	for i := shard; i < n; i += shards {
		idx = append(idx, i)
	}
	sw := &sweep{t: t, base: base, spec: spec, scenario: scenario, opts: opts, par: seedsParallelism()}
	step := max(1, len(idx)/10)
	for w := 0; w < len(idx); w = waveEnd(w) {
		batch := idx[w:min(waveEnd(w), len(idx))]
		for _, r := range sw.runWave(batch) {
			sw.runLength = max(sw.runLength, r.decisions)
			sw.done++
			if !r.ok {
				sw.failed = append(sw.failed, strconv.FormatUint(r.seed, 10))
			}
			if testing.Verbose() && (sw.done%step == 0 || sw.done == len(idx)) {
				t.Logf("[noex] seeds: %d/%d done, %d failed (base seed %d%s)", sw.done, len(idx), len(sw.failed), base, shardNote(shard, shards))
			}
		}
	}
	if len(sw.failed) > 0 {
		t.Logf("[noex] %d of %d seeds failed: %s", len(sw.failed), len(idx), strings.Join(sw.failed, ", "))
	}
}

// sweep is one call of Seeds.
type sweep struct {
	t         *testing.T
	base      uint64
	spec      string
	scenario  func(t *testing.T, rt *Runtime)
	opts      []Option
	par       int
	runLength int // the most decisions a seed of an earlier wave made
	done      int
	failed    []string
}

type seedResult struct {
	seed      uint64
	ok        bool
	decisions int
}

// runWave runs the seeds of one wave, at most par at once, and returns
// their results in seed order.
func (sw *sweep) runWave(batch []int) []seedResult {
	res := make([]seedResult, len(batch))
	if sw.par <= 1 {
		for j, i := range batch {
			res[j] = sw.runSeed(sw.base + uint64(i))
		}
		return res
	}
	sem := make(chan struct{}, sw.par)
	var wg sync.WaitGroup
	for j, i := range batch {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res[j] = sw.runSeed(sw.base + uint64(i))
		}()
	}
	wg.Wait()
	return res
}

func (sw *sweep) runSeed(seed uint64) seedResult {
	r := seedResult{seed: seed}
	runLength := sw.runLength
	r.ok = sw.t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
		rt := New(t, append(sw.opts[:len(sw.opts):len(sw.opts)], seedOf(seed, sw.spec, runLength))...)
		if rt == nil {
			return
		}
		defer func() { r.decisions = int(rt.Decisions()) }()
		sw.scenario(t, rt)
	})
	return r
}

// seedOf sets a Seeds run's seed and strategy: unlike WithSeed, the seed
// does not pin the strategy to random.
func seedOf(seed uint64, spec string, runLength int) Option {
	return option(func(c *config) {
		c.seed, c.hasSeed, c.swept = seed, true, true
		c.strategy, c.hasStrategy, c.runLength = spec, true, runLength
	})
}

// seedsParallelism is parallelism; the kit's tests change it.
var seedsParallelism = parallelism

// parallelism is -test.parallel's value: how many subtests may run at once.
func parallelism() int {
	if f := flag.Lookup("test.parallel"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if n, ok := g.Get().(int); ok && n > 0 {
				return n
			}
		}
	}
	return runtime.GOMAXPROCS(0)
}

func shardNote(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf(", shard %d/%d", i, n)
}
