package grader

import (
	"fmt"
	"slices"
	"time"
)

// Report is the outcome of [Run]: one PartReport per part of the exercise.
type Report struct {
	Parts   []PartReport
	Elapsed time.Duration // wall time of the whole grading
	// StaticErr is why the source could not be analysed, if it could not;
	// the static requirement is then left out.
	StaticErr error
	cfg       Config
}

// PartReport is the grading of one part.
type PartReport struct {
	Part int
	// Graded reports whether the part was graded in full: it is solved (no
	// TODO runs; for part 2, the producer monitors its workers) or grading
	// was strict. A part that is not graded must not fail a test.
	Graded bool
	// Unsolved says why the part counts as not solved yet ("" if solved).
	Unsolved string
	// Results has one entry per requirement, in the exercise's order.
	Results []Result
	// Seeds and RealRuns count the runs made: under the seeds BaseSeed,
	// BaseSeed+1, ..., and in real mode.
	Seeds, RealRuns int
	BaseSeed        uint64
	// Skipped counts the runs planned but not made, and SkipReason says
	// why: the part was found not solved yet after its first seeds, or too
	// many runs broke.
	Skipped    int
	SkipReason string
	// CrashRuns counts, in part 2, the runs in which the grader could crash
	// a worker in the middle of a task.
	CrashRuns int
}

// Passed reports whether every requirement of the part was met.
func (p PartReport) Passed() bool { return p.Met() == len(p.Results) && len(p.Results) > 0 }

// Met returns how many of the part's requirements were met.
func (p PartReport) Met() int {
	n := 0
	for _, r := range p.Results {
		if r.Passed() {
			n++
		}
	}
	return n
}

// Verdict is the part's last line: "part 1: solved", or "part 1: 10 of 13
// requirements met".
func (p PartReport) Verdict() string {
	if p.Passed() {
		return fmt.Sprintf("part %d: solved", p.Part)
	}
	return fmt.Sprintf("part %d: %d of %d requirements met", p.Part, p.Met(), len(p.Results))
}

// Ordered returns the results with the root failures first (each a
// mistake of its own), then the failures that follow from them, then the
// requirements met; in the exercise's order within each group.
func (p PartReport) Ordered() []Result {
	out := slices.Clone(p.Results)
	rank := func(r Result) int {
		switch {
		case r.Passed():
			return 2
		case r.Cause != "":
			return 1
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b Result) int { return rank(a) - rank(b) })
	return out
}

// Result is the grading of one requirement over every run it applies to.
type Result struct {
	Requirement string
	// ID is the requirement's stable key, for hints and tools.
	ID       string
	Runs     int      // runs the requirement was checked on
	Failures int      // runs that did not meet it, its own mistake or a consequence
	First    *Failure // the first failing run: a root failure if any, deterministic ones first
	// Cause, for a requirement whose every failure follows from another
	// requirement's, names that requirement; "" otherwise.
	Cause string
	// Findings are the static analyzer's findings (the runtime requirement).
	Findings []Finding

	tally tally
}

// tally counts what a requirement was checked on, for the failure text.
type tally struct {
	seeds, seedFails int
	reals, realFails int
	replayed         []uint64 // seeds run twice and compared
	replayFails      int
	unchecked        bool // checked on no run although runs were made
	probe            bool // seen in the probe run
	total            int  // the part's runs
}

// Passed reports whether every run met the requirement.
func (r Result) Passed() bool { return r.Failures == 0 }

// Failure is one run that did not meet a requirement.
type Failure struct {
	Seed        uint64 // the run's seed (deterministic mode)
	Real        bool   // the run was in real mode
	Crash       string // how the run crashed a worker (part 2)
	Observation string // what the run showed, in plain words
	// Cause names the requirement this failure follows from ("" if the
	// failure is a mistake of its own).
	Cause  string
	Replay bool   // seen by comparing two runs of the seed
	Log    string // the run's event log, with Config.Only
}

func summarize(cfg Config, part int, reqs []requirement, outs []outcome, rt runtimeCheck) PartReport {
	pr := PartReport{Part: part, BaseSeed: cfg.BaseSeed}
	for _, o := range outs {
		if o.plan.real {
			pr.RealRuns++
		} else {
			pr.Seeds++
		}
		if part == 2 && o.noCrash == "" {
			pr.CrashRuns++
		}
	}
	for i, req := range reqs {
		if req.global {
			pr.Results = append(pr.Results, rt.result(req))
			continue
		}
		res := Result{Requirement: req.name, ID: req.id}
		res.tally.total = len(outs)
		var firstCons *Failure
		for _, o := range outs {
			res.count(o, o.verdicts[i], reqs, &firstCons)
		}
		if res.First == nil && firstCons != nil {
			res.First, res.Cause = firstCons, firstCons.Cause
		}
		switch {
		case req.crash && res.Runs == 0 && len(outs) > 0:
			res.notCrashed(outs)
		case res.Runs == 0 && len(outs) > 0:
			res.notJudged(outs, reqs)
		}
		pr.Results = append(pr.Results, res)
	}
	return pr
}

// count adds one run's verdict to the result.
func (r *Result) count(o outcome, v verdict, reqs []requirement, firstCons **Failure) {
	if !v.checked {
		return
	}
	r.Runs++
	switch {
	case o.plan.real:
		r.tally.reals++
	default:
		r.tally.seeds++
		if o.plan.replay {
			r.tally.replayed = append(r.tally.replayed, o.plan.seed)
		}
	}
	if v.obs == "" {
		return
	}
	r.Failures++
	switch {
	case v.replay:
		r.tally.replayFails++
	case o.plan.real:
		r.tally.realFails++
	default:
		r.tally.seedFails++
	}
	f := &Failure{Seed: o.plan.seed, Real: o.plan.real, Crash: o.plan.crash.String(), Observation: v.obs,
		Replay: v.replay, Log: o.log}
	if v.cause >= 0 {
		f.Cause = reqs[v.cause].name
		if *firstCons == nil || (*firstCons).Real && !o.plan.real {
			*firstCons = f
		}
		return
	}
	if r.First == nil || r.First.Real && !o.plan.real {
		r.First = f
	}
}

// notCrashed fails a requirement that could be checked only on a run with
// a crash, when no run had one.
func (r *Result) notCrashed(outs []outcome) {
	why := ""
	for _, o := range outs {
		if o.noCrash != "" {
			why = o.noCrash
			break
		}
	}
	r.Failures = 1
	r.tally.unchecked = true
	r.First = &Failure{Seed: outs[0].plan.seed, Real: outs[0].plan.real, Crash: outs[0].plan.crash.String(),
		Observation: fmt.Sprintf("could not be checked: in none of the %d runs could the grader crash a worker in "+
			"the middle of a task (%s). A worker holds its task for the time its work takes on the runtime's clock, "+
			"and that is when the grader strikes", len(outs), why)}
}

// notJudged fails a requirement that no run could judge (the runs broke
// first), as a consequence of what broke them.
func (r *Result) notJudged(outs []outcome, reqs []requirement) {
	r.Failures = 1
	r.tally.unchecked = true
	r.First = &Failure{Seed: outs[0].plan.seed, Real: outs[0].plan.real, Observation: notChecked + "no run could judge it"}
	for _, o := range outs {
		for i, v := range o.verdicts {
			if v.checked && v.obs != "" && v.cause < 0 {
				r.First.Cause, r.Cause = reqs[i].name, reqs[i].name
				return
			}
		}
	}
}

// followPart marks every failure of a part as following from the first
// mistake of part 1, which failed: part 2 builds on part 1.
func (p *PartReport) followPart(prev PartReport) {
	root := ""
	for _, r := range prev.Ordered() {
		if !r.Passed() {
			root = r.Requirement
			if r.Cause != "" {
				root = r.Cause
			}
			break
		}
	}
	for i := range p.Results {
		r := &p.Results[i]
		if r.Passed() {
			continue
		}
		r.Cause = "part 1: " + root
		if r.First != nil {
			c := *r.First
			c.Cause = r.Cause
			r.First = &c
		}
	}
}

// notRun returns the results of a part that was not graded at all.
func notRun(part int, why string) []Result {
	var out []Result
	for _, req := range partRequirements(part) {
		out = append(out, Result{Requirement: req.name, ID: req.id, Failures: 1, tally: tally{unchecked: true},
			First: &Failure{Observation: why}})
	}
	return out
}
