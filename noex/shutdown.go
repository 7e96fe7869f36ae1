package noex

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Shutdown stops every live process, newest first, with reason
// [ErrShutdown] (supervisors do not restart children during a shutdown),
// cancels pending timers, closes the runtime (later Starts and Runs fail
// with [ErrClosed]) and waits until every process goroutine has exited.
//
// Shutdown always goes through every process: one that crashes, is killed
// or ends abnormally in any other way while the runtime shuts down does not
// stop it. Its error joins every abnormal end (an exit reason other than nil
// or [ErrShutdown]), each a [*CallError] naming the process and wrapping its
// reason, so errors.Is(err, [ErrCrashed]) tells whether something crashed.
// If ctx ends first, the processes still alive are killed (without
// Terminate) and the error names them and wraps ctx's error. A process
// goroutine that does not exit (blocked outside the runtime) is reported as
// an error after ctx's deadline, or after [DefaultWatchdog] if ctx has
// none. An observer that panicked and was not reported by a Run yet is
// reported too (see [Runtime.Observe]). Goroutines that handlers start
// themselves are theirs to end (goleak finds them).
//
// After a failed deterministic run (an escape, a deadlock, the step budget)
// nothing can be stopped in order: Shutdown ends every process goroutine
// and closes the runtime, and [Runtime.Processes] still lists what was live
// at the failure, for inspection.
//
// Shutdown is idempotent: once it has begun, later calls return nil. In
// deterministic mode it runs the stops as a Run of its own: called while a
// Run is in progress (from another goroutine, or from Run's body) it is
// refused with an error wrapping [ErrNotOwner] and changes nothing. Its
// cost grows as n log n in the number of live processes.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	rt.mu.Lock()
	switch {
	case rt.closed || rt.down:
		rt.mu.Unlock()
		return nil
	case rt.det && rt.runs > 0:
		rt.mu.Unlock()
		return fmt.Errorf("%w: Shutdown called while a Run is in progress", ErrNotOwner)
	}
	failed := rt.failure != nil
	rt.down = true
	rt.mu.Unlock()
	var errs []error
	if !failed {
		var ends []error
		ran := false
		err := rt.Run(ctx, func(ctx context.Context) error {
			ran = true
			ends = rt.stopAll(ctx)
			return nil
		})
		if !ran && errors.Is(err, ErrNotOwner) {
			// A Run began meanwhile, from another goroutine: refused, as
			// above, and nothing changed.
			rt.mu.Lock()
			rt.down = false
			rt.mu.Unlock()
			return fmt.Errorf("%w: Shutdown called while a Run is in progress", ErrNotOwner)
		}
		if err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, ends...)
	}
	rt.mu.Lock()
	rt.closed = true
	timers := make([]*timer, 0, len(rt.timers))
	for t := range rt.timers {
		timers = append(timers, t)
	}
	rt.mu.Unlock()
	slices.SortFunc(timers, func(a, b *timer) int { return compareU64(a.id, b.id) })
	for _, t := range timers {
		t.cancel()
	}
	if rt.det {
		rt.sched.close()
	}
	if err := rt.waitGoroutines(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := rt.withObserverFailures(nil); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil
	}
	return &shutdownError{errs: errs}
}

// stopAll stops every live process, newest first, and returns their
// abnormal ends. Each process is listed once: a pass lists the live
// processes (sorted once, n log n) and stops them; processes started
// meanwhile (by a Terminate, say) are newer than all of them and are
// stopped by the next pass. If ctx ends, the rest are killed.
func (rt *Runtime) stopAll(ctx context.Context) []error {
	var errs []error
	var seen uint64 // every process with an id up to seen was handled
	for {
		rt.mu.Lock()
		var live []*process
		for p := range rt.procs {
			if !p.root && p.id > seen {
				live = append(live, p)
			}
		}
		rt.mu.Unlock()
		if len(live) == 0 {
			return errs
		}
		slices.SortFunc(live, func(a, b *process) int { return compareU64(b.id, a.id) })
		seen = live[0].id
		for i, p := range live {
			err := Stop(ctx, p.pid(), ErrShutdown)
			if err == nil {
				continue // a normal end (or p is the caller, which ends later)
			}
			if reason, ended := rt.ExitReason(p.pid()); ended {
				// An abnormal end, or one before Stop got to it: report it,
				// unless it was normal.
				if abnormal(reason) {
					errs = append(errs, &CallError{Op: "stop", Target: p.labelStr(), Err: reason})
				}
				continue
			}
			if ctxErr(ctx) != nil {
				return append(errs, rt.killAll(ctx, live[i:]))
			}
			errs = append(errs, fmt.Errorf("noex: stopping %s: %w", p.labelStr(), err))
		}
	}
}

// abnormal reports whether an exit reason is neither normal (nil) nor an
// orderly shutdown.
func abnormal(reason error) bool {
	return reason != nil && !errors.Is(reason, ErrShutdown)
}

// killAll kills the processes still alive in ps, after ctx ended, and
// returns the error that names them.
func (rt *Runtime) killAll(ctx context.Context, ps []*process) error {
	var killed []string
	for _, p := range ps {
		if Kill(ctx, p.pid(), ErrShutdown) == nil {
			killed = append(killed, p.labelStr())
		}
	}
	why := context.Cause(ctx)
	if why == nil {
		why = ctx.Err()
	}
	if len(killed) == 0 {
		return fmt.Errorf("noex: shutdown: %w", why)
	}
	return fmt.Errorf("noex: shutdown: %w; killed without Terminate: %s", why, strings.Join(killed, ", "))
}

// shutdownError is Shutdown's error: every abnormal end and failure, in
// the order they happened, one per line.
type shutdownError struct{ errs []error }

func (e *shutdownError) Error() string {
	var b strings.Builder
	b.WriteString("noex: shutdown:")
	for _, err := range e.errs {
		b.WriteString("\n\t")
		b.WriteString(trimPrefix(err))
	}
	return b.String()
}

func (e *shutdownError) Unwrap() []error { return e.errs }

// ShuttingDown reports whether [Runtime.Shutdown] has begun.
func (rt *Runtime) ShuttingDown() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.down
}

// goroutineStarted and goroutineEnded count process goroutines.
func (rt *Runtime) goroutineStarted() { rt.goroutines.add(1) }
func (rt *Runtime) goroutineEnded()   { rt.goroutines.add(-1) }

// waitGoroutines waits until every process goroutine has exited: until ctx
// ends, or for [DefaultWatchdog] if ctx has no deadline. A goroutine still
// running then is blocked outside the runtime (in an Init that outlived its
// timeout, or a handler that never returns): a leak, reported as an error.
func (rt *Runtime) waitGoroutines(ctx context.Context) error {
	bounded := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		bounded, cancel = context.WithTimeout(ctx, DefaultWatchdog)
		defer cancel()
	}
	n, ok := rt.goroutines.wait(bounded.Done())
	switch {
	case ok:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("noex: shutdown: %d process goroutine(s) still running, blocked outside the runtime: %w", n, ctx.Err())
	default:
		return fmt.Errorf("noex: shutdown: %d process goroutine(s) still running after %v, blocked outside the runtime", n, DefaultWatchdog)
	}
}
