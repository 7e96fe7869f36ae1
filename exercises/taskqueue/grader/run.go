package grader

import (
	"runtime"
	"sync"
	"time"

	"github.com/noex-go/noex/noextest"
)

const (
	// firstBatch is how many seeds a part is graded under before deciding
	// whether it is solved: an unsolved part is not graded further.
	firstBatch = 4
	// replays[part] is how many seeds are run twice, to compare the logs.
	replays1, replays2 = 2, 1
)

// Run grades impl as cfg says and returns the report; it fails no test.
// Part 1 is graded first; part 2 only once part 1 is solved (or when
// grading is strict). Each part runs under cfg.Seeds seeds in deterministic
// mode, then cfg.RealRuns times in real mode; a part found not solved yet
// after its first few seeds is not run further (unless strict). Runs are
// independent and graded cfg.Parallel at a time. Run may be called from any
// goroutine, but not from inside a runtime.
func Run(impl Impl, cfg Config) *Report {
	cfg = cfg.withDefaults()
	begin := time.Now()
	strict := cfg.Strict || impl.Strict
	rep := &Report{cfg: cfg}
	p1 := gradePart(impl, cfg, 1, strict)
	rep.Parts = append(rep.Parts, p1)
	if p1.Graded {
		rep.Parts = append(rep.Parts, gradePart(impl, cfg, 2, strict))
	} else {
		rep.Parts = append(rep.Parts, PartReport{Part: 2, Unsolved: "finish part 1 first"})
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

func gradePart(impl Impl, cfg Config, part int, strict bool) PartReport {
	jobs := plans(cfg, part)
	n := min(firstBatch, len(jobs))
	outs := executeAll(impl, cfg, jobs[:n])
	why := unsolved(part, outs)
	if why == "" || strict {
		outs = append(outs, executeAll(impl, cfg, jobs[n:])...)
		why = unsolved(part, outs)
	}
	return summarize(cfg, part, outs, why, why == "" || strict)
}

// plans lists the runs of a part: the seeds, then the real-mode runs.
func plans(cfg Config, part int) []plan {
	replays := replays1
	if part == 2 {
		replays = replays2
	}
	var ps []plan
	for i := range cfg.Seeds {
		p := plan{part: part, seed: cfg.BaseSeed + uint64(i), tasks: cfg.Tasks, replay: i < replays || cfg.Only}
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
	log      string // the event log, kept with Config.Only
}

// executeAll grades the jobs, cfg.Parallel at a time, and returns the
// outcomes in job order.
func executeAll(impl Impl, cfg Config, jobs []plan) []outcome {
	out := make([]outcome, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(cfg.Parallel, len(jobs)) {
		wg.Go(func() {
			for i := range next {
				out[i] = grade(impl, cfg, jobs[i])
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// grade runs one job (twice for a replay) and checks it.
func grade(impl Impl, cfg Config, p plan) outcome {
	r := execute(impl, p)
	if p.replay {
		again := execute(impl, p)
		again.replayOf = r
		r = again
	}
	o := outcome{plan: p, verdicts: evaluate(newFacts(r)), begun: monitorsWorkers(r)}
	o.notImpl, o.todoPart = notImplemented(r, impl.ErrNotImplemented)
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

func summarize(cfg Config, part int, outs []outcome, why string, graded bool) PartReport {
	pr := PartReport{Part: part, Graded: graded, Unsolved: why}
	for _, o := range outs {
		if o.plan.real {
			pr.RealRuns++
		} else {
			pr.Seeds++
		}
	}
	pr.BaseSeed = cfg.BaseSeed
	for i, req := range partRequirements(part) {
		res := Result{Requirement: req.name}
		for _, o := range outs {
			v := o.verdicts[i]
			if !v.checked {
				continue
			}
			res.Runs++
			if v.obs == "" {
				continue
			}
			res.Failures++
			if res.First == nil || (res.First.Real && !o.plan.real) {
				res.First = &Failure{Seed: o.plan.seed, Real: o.plan.real, Crash: o.plan.crash.String(),
					Observation: v.obs, Log: o.log}
			}
		}
		pr.Results = append(pr.Results, res)
	}
	return pr
}
