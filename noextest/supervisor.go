package noextest

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// CheckChildRestarted checks, from a Run body or a handler, that the child
// id of sup runs in a new process: not old, alive, while old has ended. It
// returns the new process. With a log (nil to skip), it also checks that
// the supervisor recorded the restart: a ChildRestarted event for id whose
// Peer is the new process.
func CheckChildRestarted(ctx context.Context, log []noex.Event, sup noex.SupervisorAddr, id string, old noex.PID) (noex.PID, error) {
	rt := noex.RuntimeOf(ctx)
	pid, err := noex.ChildPID(ctx, sup, id)
	switch {
	case err != nil:
		return noex.PID{}, fmt.Errorf("%w: child %q: %w", ErrRegistry, id, err)
	case pid == old:
		return pid, fmt.Errorf("%w: child %q still runs in the old process p%d", ErrRegistry, id, old.ID())
	case rt != nil && rt.IsAlive(old):
		return pid, fmt.Errorf("%w: child %q runs in p%d but the old process p%d is still running", ErrRegistry, id, pid.ID(), old.ID())
	}
	if log == nil {
		return pid, nil
	}
	if lastIndex(log, func(e noex.Event) bool {
		return e.Kind == noex.ChildRestarted && e.Name == id && e.Peer == pid
	}) < 0 {
		return pid, fmt.Errorf("%w: child %q runs in p%d, but the log has no restart of it into that process", ErrRegistry, id, pid.ID())
	}
	return pid, nil
}

// ExpectChildRestarted fails the test unless the child id of sup was
// restarted by the supervisor into a new process, and returns that process;
// see [CheckChildRestarted].
func (rt *Runtime) ExpectChildRestarted(sup noex.SupervisorAddr, id string, old noex.PID) noex.PID {
	rt.t.Helper()
	var pid noex.PID
	var cerr error
	err := rt.RunErr(func(ctx context.Context) error {
		pid, cerr = CheckChildRestarted(ctx, rt.rec.Raw(), sup, id, old)
		return nil
	})
	if err == nil {
		err = cerr
	}
	rt.expect(fmt.Sprintf("ExpectChildRestarted(%q)", id), err)
	return pid
}
