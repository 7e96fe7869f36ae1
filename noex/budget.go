package noex

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DefaultStepBudget is the number of scheduler steps a deterministic
// [Runtime.Run] may take unless [WithStepBudget] says otherwise.
//
// Five million steps is far beyond what a test needs: starting and
// stopping 100,000 processes in one Run takes about a million. It bounds
// both the time and the memory of a run that never goes idle. A producer
// that outruns its consumer queues one message per step, about 140 bytes;
// at the default it fails after some 12 seconds holding about 700 MB
// (measured on 2 cores), where without a budget it would grow until memory
// runs out.
const DefaultStepBudget uint64 = 5_000_000

// WithStepBudget bounds every deterministic Run of the runtime (Shutdown's
// included) to n scheduler steps: message deliveries, resumptions and timer
// firings, counted from the start of each Run. A run that takes more fails
// with a [*StepBudgetError] naming the processes that took the most steps,
// and the runtime is unusable afterwards, as after a deadlock. 0 means
// [DefaultStepBudget]; use math.MaxUint64 for no bound. Real mode ignores it.
func WithStepBudget(n uint64) Option {
	return runtimeOption(func(c *config) { c.stepBudget = n })
}

// StepBudgetError reports a deterministic run that took more scheduler
// steps than its budget ([WithStepBudget], [DefaultStepBudget]): a run that
// never goes idle, such as a process that keeps sending itself work. Top
// lists the live processes that took the most steps in that run, most
// first (at most five).
type StepBudgetError struct {
	Budget uint64
	Top    []ProcessSteps
}

// ProcessSteps is one process's share of a deterministic run's steps, as a
// [*StepBudgetError] reports it.
type ProcessSteps struct {
	PID      PID
	Label    string
	Steps    uint64  // steps in which the process ran, in the failed Run
	LastKind MsgKind // the kind of the last message it handled (KindNone if none)
	LastMsg  string  // that message, as [FormatMessage] renders it
}

// Error names the budget and the processes that took the most steps, each
// with the last message it handled.
func (e *StepBudgetError) Error() string {
	var b strings.Builder
	b.WriteString("noex: step budget of ")
	b.WriteString(strconv.FormatUint(e.Budget, 10))
	b.WriteString(" steps exhausted")
	for i, ps := range e.Top {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s took %d steps", ps.Label, ps.Steps)
		if ps.LastKind != KindNone {
			fmt.Fprintf(&b, " (last message: %s %s)", ps.LastKind, ps.LastMsg)
		}
	}
	return b.String()
}

// Unwrap returns [ErrStepBudget].
func (e *StepBudgetError) Unwrap() error { return ErrStepBudget }

// stepStats is what a process's steps are counted in. Only the baton
// holder touches it.
type stepStats struct {
	run      uint64 // the Run the count is for
	steps    uint64
	lastKind MsgKind
	lastMsg  any
}

// stepBudget is the scheduler's side of the budget.
type stepBudget struct {
	limit uint64 // steps a Run may take
	from  uint64 // the step count when the current Run began
	run   uint64 // numbers the Runs
}

// beginRun starts counting a Run's steps.
func (s *scheduler) beginRun() {
	s.budget.from = s.stepN.Load()
	s.budget.run++
}

// countStep records that p runs a step of the current Run.
func (s *scheduler) countStep(p *process) {
	st := &p.d.stats
	if st.run != s.budget.run {
		st.run, st.steps = s.budget.run, 0
	}
	st.steps++
}

// handled records the message p is about to handle.
func (d *detProc) handled(env *envelope) {
	d.stats.lastKind, d.stats.lastMsg = env.kind, env.msg
}

// overBudget fails the run once it has taken more steps than its budget.
func (s *scheduler) overBudget() error {
	if s.stepN.Load()-s.budget.from < s.budget.limit {
		return nil
	}
	s.rt.mu.Lock()
	ps := make([]*process, 0, len(s.rt.procs))
	for p := range s.rt.procs {
		if p.d.stats.run == s.budget.run && p.d.stats.steps > 0 {
			ps = append(ps, p)
		}
	}
	s.rt.mu.Unlock()
	slices.SortFunc(ps, func(a, b *process) int {
		if c := compareU64(b.d.stats.steps, a.d.stats.steps); c != 0 {
			return c
		}
		return compareU64(a.id, b.id)
	})
	e := &StepBudgetError{Budget: s.budget.limit}
	for _, p := range ps[:min(len(ps), 5)] {
		st := &p.d.stats
		ps := ProcessSteps{PID: p.pid(), Label: p.labelStr(), Steps: st.steps, LastKind: st.lastKind}
		if st.lastKind != KindNone {
			ps.LastMsg = FormatMessage(st.lastMsg)
		}
		e.Top = append(e.Top, ps)
	}
	return e
}
