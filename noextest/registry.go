package noextest

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/noex-go/noex/noex"
)

// ErrRegistry is wrapped by the errors of the registry and lifecycle checks.
var ErrRegistry = errors.New("noextest: registry not as expected")

// CheckRegistered checks that every one of names is registered in rt.
func CheckRegistered(rt *noex.Runtime, names ...string) error {
	reg := rt.Registry()
	var errs []error
	for _, n := range names {
		if !reg.IsRegistered(n) {
			errs = append(errs, fmt.Errorf("%w: %q is not registered (registered: %q)", ErrRegistry, n, reg.Names()))
		}
	}
	return errors.Join(errs...)
}

// CheckNotRegistered checks that none of names is registered in rt; a
// violation names the holder and, given the log, the event that registered
// it.
func CheckNotRegistered(rt *noex.Runtime, log []noex.Event, names ...string) error {
	reg := rt.Registry()
	var errs []error
	for _, n := range names {
		pid, ok := reg.Whereis(n)
		if !ok {
			continue
		}
		err := fmt.Errorf("%w: %q is registered to %s (p%d)", ErrRegistry, n, pid.Label(), pid.ID())
		if i := lastIndex(log, func(e noex.Event) bool { return e.Kind == noex.Registered && e.Name == n }); i >= 0 {
			err = fmt.Errorf("%w\n    registered: %v", err, log[i])
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// CheckNames checks that the names registered in rt are exactly want, in
// any order.
func CheckNames(rt *noex.Runtime, want ...string) error {
	want = slices.Sorted(slices.Values(want))
	if want == nil {
		want = []string{}
	}
	if d := diff(want, rt.Registry().Names()); d != "" {
		return fmt.Errorf("%w: registered names (-want +got):\n%s", ErrRegistry, d)
	}
	return nil
}

// CheckEnded checks that the process pid has ended and left nothing behind:
// it holds no name, every name it registered was released (log shows an
// Unregistered for each), and every bus subscription it owned was removed
// (an Unsubscribed for each Subscribed whose owner it was, on buses that
// still run).
func CheckEnded(rt *noex.Runtime, log []noex.Event, pid noex.PID) error {
	var errs []error
	if rt.IsAlive(pid) {
		errs = append(errs, fmt.Errorf("%w: %s (p%d) is still running", ErrRegistry, pid.Label(), pid.ID()))
	}
	if names := rt.Registry().NamesOf(pid); len(names) > 0 {
		errs = append(errs, fmt.Errorf("%w: %s (p%d) still holds %q", ErrRegistry, pid.Label(), pid.ID(), names))
	}
	held := map[string]noex.Event{}
	for _, e := range log {
		switch {
		case e.Kind == noex.Registered && e.PID == pid:
			held[e.Name] = e
		case e.Kind == noex.Unregistered && e.PID == pid:
			delete(held, e.Name)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(held)) {
		errs = append(errs, fmt.Errorf("%w: name %q of %s was never released\n    registered: %v", ErrRegistry, n, pid.Label(), held[n]))
	}
	for _, e := range openSubscriptions(log) {
		if e.Peer == pid && rt.IsAlive(e.PID) {
			errs = append(errs, fmt.Errorf("%w: subscription #%d of %s to %q on %s outlived it\n    subscribed: %v",
				ErrRegistry, e.Ref, pid.Label(), e.Name, e.Label, e))
		}
	}
	return errors.Join(errs...)
}

// CheckRestarted checks that name now points to a live process other than
// old, and that old has ended, as after a supervisor restart. It returns
// the new process.
func CheckRestarted(rt *noex.Runtime, name string, old noex.PID) (noex.PID, error) {
	pid, ok := rt.Registry().Whereis(name)
	switch {
	case !ok:
		return noex.PID{}, fmt.Errorf("%w: %q is not registered (registered: %q)", ErrRegistry, name, rt.Registry().Names())
	case pid == old:
		return pid, fmt.Errorf("%w: %q still points to the old process p%d", ErrRegistry, name, old.ID())
	case rt.IsAlive(old):
		return pid, fmt.Errorf("%w: %q points to p%d but the old process p%d is still running", ErrRegistry, name, pid.ID(), old.ID())
	}
	return pid, nil
}

func lastIndex(log []noex.Event, f func(noex.Event) bool) int {
	for i := len(log) - 1; i >= 0; i-- {
		if f(log[i]) {
			return i
		}
	}
	return -1
}
