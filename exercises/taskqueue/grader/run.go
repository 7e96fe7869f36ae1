package grader

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

const (
	// firstBatch is how many seeds a part is graded under before deciding
	// whether it is solved: an unsolved part is not graded further.
	firstBatch = 4
	// replays[part] is how many seeds are run twice, to compare the logs.
	replays1, replays2 = 2, 1
	// maxBroken is how many runs of a part may break (never come to rest,
	// block outside the runtime) before the part's remaining runs are
	// skipped: each such run costs seconds, and more say nothing new.
	maxBroken = 3
)

// Run grades impl as cfg says and returns the report; it fails no test.
// The source in impl.Dir, if any, is analysed first. Part 1 is graded
// next; part 2 only once part 1 is solved (or when grading is strict).
// Each part runs under cfg.Seeds seeds in deterministic mode, then
// cfg.RealRuns times in real mode; a part found not solved yet after its
// first few seeds is not run further (unless strict). Runs are independent
// and graded cfg.Parallel at a time. Run may be called from any goroutine,
// but not from inside a runtime.
func Run(impl Impl, cfg Config) *Report {
	cfg = cfg.withDefaults()
	begin := time.Now()
	strict := cfg.Strict || impl.Strict
	rep := &Report{cfg: cfg}
	dir := impl.Dir
	if cfg.Vet == VetNever {
		dir = ""
	}
	static := newStaticAnalysis(dir)
	if cfg.Vet == VetAlways {
		static.start()
	}
	p1 := gradePart(impl, cfg, 1, strict, static, nil)
	rep.Parts = append(rep.Parts, p1)
	if p1.Graded {
		rep.Parts = append(rep.Parts, gradePart(impl, cfg, 2, strict, static, &p1))
	} else {
		rep.Parts = append(rep.Parts, PartReport{Part: 2, Unsolved: "finish part 1 first",
			Results: notRun(2, "not graded yet: finish part 1 first")})
	}
	if static.res != nil {
		rep.StaticErr = static.res.err
	}
	rep.Elapsed = time.Since(begin)
	return rep
}

func (c Config) withDefaults() Config {
	if c.Seeds <= 0 {
		c.Seeds = DefaultSeeds
	}
	if c.Only {
		c.Seeds, c.RealRuns = 1, -1
	}
	if c.RealRuns == 0 {
		c.RealRuns = DefaultRealRuns
	}
	if c.Tasks < workers {
		c.Tasks = DefaultTasks
	}
	if c.Parallel <= 0 {
		c.Parallel = runtime.GOMAXPROCS(0)
	}
	if c.TestName == "" {
		c.TestName = "TestGrade"
	}
	return c
}

// gradePart grades one part. static is the static analysis of the source,
// whose findings go into the first part that asks for them (see
// useStatic); prev is the report of part 1 when grading part 2: part 2's
// failures follow from part 1's while part 1 fails.
func gradePart(impl Impl, cfg Config, part int, strict bool, static *staticAnalysis, prev *PartReport) PartReport {
	reqs := partRequirements(part)
	jobs := plans(cfg, part)
	rt := probeRun(impl, jobs[0])
	n := min(firstBatch, len(jobs))
	var broken atomic.Int32
	outs := executeAll(impl, cfg, jobs[:n], reqs, rt.failed(), &broken)
	why := unsolved(part, outs)
	if why == "" || strict {
		outs = append(outs, executeAll(impl, cfg, jobs[n:], reqs, rt.failed(), &broken)...)
		why = unsolved(part, outs)
	}
	if useStatic(cfg, static, reqs, outs, rt) {
		if rt.static = static.result(); rt.static.failed() {
			static.shown = true
			for _, o := range outs { // the failures the analysis explains follow from it
				markConsequences(reqs, o.verdicts, true)
			}
		}
	}
	pr := summarize(cfg, part, reqs, outs, rt)
	pr.Unsolved, pr.Graded = why, why == "" || strict
	if pr.Skipped = len(jobs) - len(outs); pr.Skipped > 0 {
		pr.SkipReason = "not solved yet"
		if broken.Load() >= maxBroken {
			pr.SkipReason = fmt.Sprintf("%d runs broke", broken.Load())
		}
	}
	if prev != nil && !prev.Passed() {
		pr.followPart(*prev)
	}
	return pr
}

// strategyOf is the strategy of the deterministic run of seed, in full
// (see Config.Strategy).
func strategyOf(cfg Config, seed uint64) string {
	spec := cfg.Strategy
	if spec == "" {
		spec = "portfolio"
	}
	s, err := noex.ResolveStrategy(spec, seed, noex.DefaultRunLength)
	if err != nil { // see Config.Strategy
		s, _ = noex.ResolveStrategy("portfolio", seed, noex.DefaultRunLength)
	}
	return s
}

// plans lists the runs of a part: the seeds, then the real-mode runs.
func plans(cfg Config, part int) []plan {
	replays := replays1
	if part == 2 {
		replays = replays2
	}
	var ps []plan
	for i := range cfg.Seeds {
		seed := cfg.BaseSeed + uint64(i)
		p := plan{part: part, seed: seed, strategy: strategyOf(cfg, seed), tasks: cfg.Tasks, replay: i < replays || cfg.Only}
		if part == 2 {
			p.crash, p.victim, p.killAfter = crashFor(p.seed, cfg.Tasks)
		}
		ps = append(ps, p)
	}
	for i := range max(cfg.RealRuns, 0) {
		p := plan{part: part, real: true, tasks: cfg.Tasks}
		if part == 2 {
			// In real mode a kill could land between a worker's publication and
			// its Ready, which no design can tell from a crash before it; a
			// panic on receiving a task happens at a known point.
			p.crash, p.victim = crashPanic, i%workers
		}
		ps = append(ps, p)
	}
	return ps
}

// crashFor chooses, from a seed, how a deterministic part-2 run crashes a
// worker: killed in the middle of its work (while it sleeps) after 1 to
// tasks/2 completions, or made to panic on receiving its first task.
func crashFor(seed uint64, tasks int) (crashKind, int, int) {
	victim := int(seed / 2 % workers)
	if seed%2 == 0 {
		return crashKill, victim, 1 + int(seed/6%uint64(tasks/2))
	}
	return crashPanic, victim, 0
}

// outcome is what the grader keeps of one run.
type outcome struct {
	plan     plan
	verdicts []verdict
	notImpl  string // where a TODO body ran, or ""
	todoPart int    // the part that TODO belongs to
	begun    bool   // the producer monitored a worker (part 2 has begun)
	noCrash  string // part 2: why no worker crashed in the middle of a task, or ""
	log      string // the event log, kept with Config.Only
}

// executeAll grades the jobs, cfg.Parallel at a time, and returns the
// outcomes of those it ran, in job order. Once maxBroken runs have broken
// (counted in broken), the jobs not started yet are skipped.
func executeAll(impl Impl, cfg Config, jobs []plan, reqs []requirement, globalFailed bool, broken *atomic.Int32) []outcome {
	out := make([]outcome, len(jobs))
	ran := make([]bool, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(cfg.Parallel, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				if broken.Load() >= maxBroken {
					continue
				}
				out[i], ran[i] = grade(impl, cfg, jobs[i], reqs, globalFailed), true
				if _, b := out[i].broke(); b {
					broken.Add(1)
				}
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	var done []outcome
	for i, o := range out {
		if ran[i] {
			done = append(done, o)
		}
	}
	return done
}

// broke reports whether the run broke in a way that cost time: it never
// came to rest, or a process blocked outside the runtime.
func (o outcome) broke() (string, bool) {
	for _, v := range o.verdicts {
		if v.checked && v.obs != "" && v.cause < 0 && v.slow {
			return v.obs, true
		}
	}
	return "", false
}

// grade runs one job (twice for a replay) and checks it.
func grade(impl Impl, cfg Config, p plan, reqs []requirement, globalFailed bool) outcome {
	r := execute(impl, p)
	if p.replay && r.limit == nil && r.runErr == nil {
		again := execute(impl, p)
		again.replayOf = r
		r = again
	}
	x := newFacts(r)
	o := outcome{plan: p, verdicts: evaluate(x, reqs, globalFailed), begun: monitorsWorkers(r)}
	o.notImpl, o.todoPart = notImplemented(r, impl.ErrNotImplemented)
	if _, ok := x.injectedCrash(); p.part == 2 && !ok {
		o.noCrash = x.noCrash()
	}
	if cfg.Only {
		o.log = noextest.Text(r.events)
	}
	return o
}

// unsolved says why a part counts as not solved yet, or "".
func unsolved(part int, outs []outcome) string {
	for _, o := range outs {
		if o.notImpl != "" && o.todoPart <= part {
			return "a TODO still runs: " + o.notImpl
		}
	}
	if part == 2 {
		for _, o := range outs {
			if o.begun {
				return ""
			}
		}
		return "the producer monitors no worker yet"
	}
	return ""
}

// useStatic reports whether a part's report takes the static analysis: not
// if a part before has shown its findings; always with VetAlways; with
// VetAuto, if a requirement it may explain failed as a mistake of its own.
func useStatic(cfg Config, static *staticAnalysis, reqs []requirement, outs []outcome, rt runtimeCheck) bool {
	switch {
	case static.shown || cfg.Vet == VetNever:
		return false
	case cfg.Vet == VetAlways || rt.failed():
		return true
	}
	for _, o := range outs {
		for i, v := range o.verdicts {
			if v.obs != "" && v.cause < 0 && slices.Contains(explainable, reqs[i].id) {
				return true
			}
		}
	}
	return false
}
