package grader

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

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
			if p.Skipped > 0 {
				s += fmt.Sprintf(" (%d more runs skipped: %s)", p.Skipped, p.SkipReason)
			}
			parts = append(parts, s)
		}
	}
	out := fmt.Sprintf("graded %s in %v", strings.Join(parts, "; "), r.Elapsed.Round(time.Millisecond))
	if r.StaticErr != nil {
		out += fmt.Sprintf("; the source was not analysed: %v", r.StaticErr)
	}
	return out
}

func seedRange(base uint64, n int) string {
	if n == 1 {
		return fmt.Sprintf("seed %d", base)
	}
	return fmt.Sprintf("%d seeds (%d to %d)", n, base, base+uint64(n)-1)
}

// Text is the whole report as a student reads it: for each part, its
// mistakes first, then what follows from them, then the requirements met,
// and the part's verdict.
func (r *Report) Text() string {
	var b strings.Builder
	b.WriteString(r.Summary())
	b.WriteString("\n")
	for _, p := range r.Parts {
		fmt.Fprintf(&b, "\n--- part %d\n", p.Part)
		if !p.Graded {
			b.WriteString(p.NotSolvedText(r.cfg))
			b.WriteString("\n")
			continue
		}
		var unchecked, met []string
		cause := ""
		for _, res := range p.Ordered() {
			switch {
			case res.Passed():
				met = append(met, res.Requirement)
			case res.notChecked():
				unchecked, cause = append(unchecked, res.Requirement), res.Cause
			default:
				fmt.Fprintf(&b, "FAIL  %s\n%s\n", res.Requirement, indent(res.FailureText(r.cfg)))
			}
		}
		if len(unchecked) > 0 {
			fmt.Fprintf(&b, "NOT CHECKED: the runs failed before these could be (this follows from %q):\n\t%s\n",
				cause, strings.Join(unchecked, "\n\t"))
		}
		for _, m := range met {
			fmt.Fprintf(&b, "ok    %s\n", m)
		}
		b.WriteString(p.Verdict())
		b.WriteString("\n")
	}
	return b.String()
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

// FailureText is the message of a failing requirement: what was seen (and,
// for a consequence, which mistake it follows from), what was run and how
// often it showed, and the command that replays the first failing run.
func (r Result) FailureText(cfg Config) string {
	f := r.First
	if f == nil {
		return ""
	}
	var b strings.Builder
	switch {
	case f.Cause != "" && strings.HasPrefix(f.Observation, notChecked):
		fmt.Fprintf(&b, "Not checked: the runs failed before it could be. This follows from %q: fix that first.", f.Cause)
		return b.String()
	case f.Cause != "":
		fmt.Fprintf(&b, "This follows from %q, which fails: fix that first. What was seen: ", f.Cause)
	}
	b.WriteString(f.Observation)
	b.WriteString("\n")
	switch {
	case len(r.Findings) > 0 && r.tally.probe:
		fmt.Fprintf(&b, "Found in the source by the static analyzer (noexvet), and in a probe run of seed %d.", f.Seed)
		return b.String()
	case len(r.Findings) > 0:
		b.WriteString("Found in the source by the static analyzer (noexvet); no run needed.")
		return b.String()
	case r.tally.probe:
		fmt.Fprintf(&b, "Seen in a probe run of seed %d, which watches what the processes' goroutines wait on and "+
			"which goroutines their handlers start.", f.Seed)
		return b.String()
	case r.tally.unchecked:
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString(r.seen())
	if f.Cause != "" {
		return b.String()
	}
	b.WriteString("\n")
	b.WriteString(reproLine(cfg, f))
	if f.Log != "" {
		fmt.Fprintf(&b, "\nEvent log of the run:\n%s", f.Log)
	}
	return b.String()
}

// notChecked reports whether the requirement fails only because the runs
// broke before it could be checked.
func (r Result) notChecked() bool {
	return !r.Passed() && r.Cause != "" && r.First != nil && strings.HasPrefix(r.First.Observation, notChecked)
}

// seen says what was run and how often the failure showed.
func (r Result) seen() string {
	t := r.tally
	f := r.First
	where := fmt.Sprintf("seed %d", f.Seed)
	if f.Real {
		where = "real mode"
	}
	if f.Crash != noCrash.String() && f.Crash != "" {
		where += ", with " + f.Crash
	}
	if f.Replay {
		return fmt.Sprintf("Seen by running %s twice each and comparing the two runs: they differed for %d of %d; "+
			"first for %s.", seedList(t.replayed), t.replayFails, len(t.replayed), where)
	}
	s := fmt.Sprintf("Seen in %d of %d seeds (deterministic mode)", t.seedFails, t.seeds)
	if t.reals > 0 {
		s += fmt.Sprintf(" and %d of %d real-mode runs", t.realFails, t.reals)
	}
	return s + "; first in " + where + "."
}

func seedList(seeds []uint64) string {
	var s []string
	for _, n := range seeds {
		s = append(s, fmt.Sprint(n))
	}
	switch len(s) {
	case 0:
		return "no seed"
	case 1:
		return "seed " + s[0]
	}
	return "seeds " + strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// reproLine is the command that replays a failing run.
func reproLine(cfg Config, f *Failure) string {
	run := runPattern(cfg.TestName)
	if f.Real {
		return fmt.Sprintf("Real-mode runs do not replay; to see it again, specify -run='%s' -count=10", run)
	}
	strategy := ""
	if cfg.Strategy != "" && cfg.Strategy != "portfolio" {
		strategy = " -noex.strategy=" + cfg.Strategy
	}
	return fmt.Sprintf("To reproduce, specify -run='%s' -noex.seed=%d%s -v (it prints the run's event log)", run, f.Seed, strategy)
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
// which requirements fail for now, the mistakes first.
func (p PartReport) NotSolvedText(cfg Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "part %d is not solved yet: %s.", p.Part, p.Unsolved)
	if p.Seeds == 0 && p.RealRuns == 0 {
		return b.String()
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "This does not fail the test. What the grader sees now, under %s:\n", seedRange(p.BaseSeed, p.Seeds))
	for _, r := range p.Ordered() {
		switch {
		case r.Passed():
			fmt.Fprintf(&b, "\tok    %s\n", r.Requirement)
		case r.Cause != "":
			fmt.Fprintf(&b, "\tFAIL  %s: follows from %q\n", r.Requirement, r.Cause)
		default:
			obs, _, _ := strings.Cut(r.First.Observation, "\n")
			fmt.Fprintf(&b, "\tFAIL  %s: %s\n", r.Requirement, obs)
		}
	}
	b.WriteString("To fail on every unmet requirement, run the grader with -grade.strict (or NOEX_GRADE=strict).\n")
	b.WriteString(p.Verdict())
	return b.String()
}
