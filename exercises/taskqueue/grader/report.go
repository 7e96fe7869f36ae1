package grader

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Report is the outcome of [Run]: one PartReport per part of the exercise.
type Report struct {
	Parts   []PartReport
	Elapsed time.Duration // wall time of the whole grading
	cfg     Config
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
}

// Passed reports whether every requirement of the part was met.
func (p PartReport) Passed() bool {
	for _, r := range p.Results {
		if !r.Passed() {
			return false
		}
	}
	return len(p.Results) > 0
}

// Result is the grading of one requirement over every run it applies to.
type Result struct {
	Requirement string
	Runs        int      // runs the requirement was checked on
	Failures    int      // runs that did not meet it
	First       *Failure // the first failing run, deterministic ones first
}

// Passed reports whether every run met the requirement.
func (r Result) Passed() bool { return r.Failures == 0 }

// Failure is one run that did not meet a requirement.
type Failure struct {
	Seed        uint64 // the run's seed (deterministic mode)
	Real        bool   // the run was in real mode
	Crash       string // how the run crashed a worker (part 2)
	Observation string // what the run showed, in plain words
	Log         string // the run's event log, with Config.Only
}

// Summary is one line saying what was graded and how long it took.
func (r *Report) Summary() string {
	var parts []string
	for _, p := range r.Parts {
		switch {
		case p.Seeds == 0 && p.RealRuns == 0:
			parts = append(parts, fmt.Sprintf("part %d not run (%s)", p.Part, p.Unsolved))
		default:
			s := fmt.Sprintf("part %d under %s", p.Part, seedRange(p.BaseSeed, p.Seeds))
			if p.RealRuns > 0 {
				s += fmt.Sprintf(" and %d times in real mode", p.RealRuns)
			}
			parts = append(parts, s)
		}
	}
	return fmt.Sprintf("graded %s in %v", strings.Join(parts, "; "), r.Elapsed.Round(time.Millisecond))
}

func seedRange(base uint64, n int) string {
	if n == 1 {
		return fmt.Sprintf("seed %d", base)
	}
	return fmt.Sprintf("%d seeds (%d to %d)", n, base, base+uint64(n)-1)
}

// FailureText is the message of a failing requirement: what was seen, how
// often, and the command that replays the first failing run.
func (r Result) FailureText(cfg Config) string {
	f := r.First
	if f == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", f.Observation)
	where := fmt.Sprintf("seed %d", f.Seed)
	if f.Real {
		where = "real mode"
	}
	if f.Crash != noCrash.String() {
		where += ", with " + f.Crash
	}
	fmt.Fprintf(&b, "Seen in %d of %d runs; first in %s.\n", r.Failures, r.Runs, where)
	b.WriteString(reproLine(cfg, f))
	if f.Log != "" {
		fmt.Fprintf(&b, "\nEvent log of the run:\n%s", f.Log)
	}
	return b.String()
}

// reproLine is the command that replays a failing run.
func reproLine(cfg Config, f *Failure) string {
	run := runPattern(cfg.TestName)
	if f.Real {
		return fmt.Sprintf("Real-mode runs do not replay; to see it again, specify -run='%s' -count=10", run)
	}
	return fmt.Sprintf("To reproduce, specify -run='%s' -noex.seed=%d -v (it prints the run's event log)", run, f.Seed)
}

// runPattern turns a test name into a -run pattern that selects exactly it.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// NotSolvedText is the report of a part that is not solved yet: why, and
// which requirements fail for now.
func (p PartReport) NotSolvedText(cfg Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "part %d is not solved yet: %s.", p.Part, p.Unsolved)
	if len(p.Results) == 0 {
		return b.String()
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "This does not fail the test. What the grader sees now, under %s:\n", seedRange(p.BaseSeed, p.Seeds))
	for _, r := range p.Results {
		if r.Passed() {
			fmt.Fprintf(&b, "\tok    %s\n", r.Requirement)
			continue
		}
		obs, _, _ := strings.Cut(r.First.Observation, "\n")
		fmt.Fprintf(&b, "\tFAIL  %s: %s\n", r.Requirement, obs)
	}
	b.WriteString("To fail on every unmet requirement, run the grader with -grade.strict (or NOEX_GRADE=strict).")
	return b.String()
}
