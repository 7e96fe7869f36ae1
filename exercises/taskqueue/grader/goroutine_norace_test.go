//go:build !race

package grader_test

import (
	"strings"
	"testing"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/exercises/taskqueue/grader/internal/mutant"
)

// TestRawGoroutine grades a worker that hands its task to a goroutine of
// its own, which works with the worker's ctx: the mistake as students make
// it. The goroutine races with the worker inside the runtime, which the
// race detector reports (noex cannot tell it from the worker's goroutine
// while the worker runs), hence the build tag; TestGradeMistakes grades
// the same mistake in a form that races with nothing ("work handed to a
// goroutine").
func TestRawGoroutine(t *testing.T) {
	for _, strict := range []bool{false, true} {
		impl := grader.Impl{Start: mutant.Start(mutant.Mistakes{RawGoroutine: true}), Strict: strict}
		rep := grader.Run(impl, grader.Config{Seeds: 8, BaseSeed: 1, RealRuns: -1})
		p1, p2 := rep.Parts[0], rep.Parts[1]
		for _, r := range p1.Results {
			switch {
			case r.Requirement == rWork:
				if r.Passed() || r.Cause != "" || !strings.Contains(r.First.Observation, "goroutine") {
					t.Errorf("part 1: %q: passed %v, cause %q; want a mistake of its own that names the goroutine:\n\t%v",
						r.Requirement, r.Passed(), r.Cause, r.First)
				}
			case !r.Passed() && r.Cause == "":
				t.Errorf("part 1: %q is reported as a mistake of its own:\n\t%s", r.Requirement, r.First.Observation)
			}
		}
		for _, r := range p2.Results {
			if !r.Passed() && !strings.HasPrefix(r.Cause, "part 1: ") {
				t.Errorf("part 2: %q does not follow from part 1 (cause %q):\n\t%s", r.Requirement, r.Cause, r.First.Observation)
			}
		}
	}
}
