package grader

import "github.com/noex-go/noex/noex"

// This file is where the runtime's step budget bounds a deterministic run,
// on top of the grader's own event bound (see bound.go), which bounds both
// modes and is enough on its own.

// stepBudget returns the runtime options that bound a deterministic run's
// scheduler steps: none until the runtime has a step budget.
func stepBudget() []noex.Option { return nil }

// budgetExhausted returns the budget of the step budget err reports, or 0
// when err is not the runtime's step budget running out.
func budgetExhausted(err error) uint64 { return 0 }
