package grader

import (
	"errors"
	"fmt"
	"strings"

	"github.com/noex-go/noex/noex"
)

// maxSteps is the runtime's step budget for a deterministic run: a
// backstop far beyond the grader's own event bound (bound.go), which stops
// a run that does not come to rest first, and lets it die down cleanly.
const maxSteps = 200_000

// stepBudget returns the runtime options that bound a deterministic run's
// scheduler steps.
func stepBudget() []noex.Option { return []noex.Option{noex.WithStepBudget(maxSteps)} }

// budgetExhausted returns the budget of the step budget err reports, or 0
// when err is not the runtime's step budget running out, and the processes
// that took the most steps, as the runtime names them.
func budgetExhausted(err error) (uint64, string) {
	var e *noex.StepBudgetError
	if !errors.As(err, &e) {
		return 0, ""
	}
	var top []string
	for _, ps := range e.Top {
		s := fmt.Sprintf("%s took %d steps", ps.Label, ps.Steps)
		if ps.LastKind != noex.KindNone {
			s += fmt.Sprintf(" (the last message it handled: %s %s)", ps.LastKind, shorten(ps.LastMsg, 100))
		}
		top = append(top, s)
	}
	return e.Budget, strings.Join(top, "; ")
}
