package noex

import (
	"errors"
	"fmt"
	"slices"
)

// observe hands e to the observer o. A panic is contained: o is detached
// and the failure kept for the next Run or Shutdown to report. The caller
// holds evMu.
func (rt *Runtime) observe(o *observer, e *Event) {
	defer func() {
		if r := recover(); r != nil {
			list := slices.DeleteFunc(slices.Clone(rt.observers()), func(x *observer) bool { return x == o })
			rt.obs.Store(&list)
			rt.obsErrs = append(rt.obsErrs, fmt.Errorf("%w on event %d (%v) and was detached: %v",
				ErrObserverPanic, e.Seq, e.Kind, r))
		}
	}()
	o.fn(*e)
}

// withObserverFailures returns err joined with the panics of observers
// not yet reported, which are then reported.
func (rt *Runtime) withObserverFailures(err error) error {
	rt.evMu.Lock()
	errs := rt.obsErrs
	rt.obsErrs = nil
	rt.evMu.Unlock()
	if len(errs) == 0 {
		return err
	}
	return errors.Join(append([]error{err}, errs...)...)
}
