package noextest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// Sentinel errors of the end-of-test checks. Each violation wraps one, so
// callers can tell them apart with errors.Is.
var (
	// ErrLeak: a process, name, timer or subscription outlived the test.
	ErrLeak = errors.New("noextest: left running")
	// ErrCrash: a handler or Terminate panicked and the test did not expect it.
	ErrCrash = errors.New("noextest: unexpected crash")
	// ErrHandlerError: a cast, info or bus handler returned an error the test
	// did not allow.
	ErrHandlerError = errors.New("noextest: unexpected handler error")
)

// CheckNoLeaks reports everything rt still runs, each with the event that
// started it: live processes (with their names and mailbox length), pending
// [noex.SendAfter] timers and bus subscriptions that were never removed.
// log is rt's event log (from a [Recorder] attached before anything ran).
// Call it before [noex.Runtime.Shutdown], which would end them all. The
// violations are joined into one error; each wraps [ErrLeak].
func CheckNoLeaks(rt *noex.Runtime, log []noex.Event) error {
	var errs []error
	for _, p := range rt.Processes() {
		what := fmt.Sprintf("process %s (p%d, %s, %d queued", p.Label, p.PID.ID(), p.Status, p.Mailbox)
		if len(p.Names) > 0 {
			what += fmt.Sprintf(", names %q", p.Names)
		}
		what += ") is still running"
		errs = append(errs, leak(what, log, func(e noex.Event) bool {
			return e.Kind == noex.ProcessStarted && e.PID == p.PID
		}))
	}
	if n := rt.PendingTimers(); n > 0 {
		open := pendingTimers(log)
		for _, e := range open {
			errs = append(errs, fmt.Errorf("%w: timer #%d of %s is still pending\n    set: %v", ErrLeak, e.Ref, e.Label, e))
		}
		if len(open) < n {
			errs = append(errs, fmt.Errorf("%w: %d timers are still pending", ErrLeak, n-len(open)))
		}
	}
	for _, e := range openSubscriptions(log) {
		if !rt.IsAlive(e.PID) {
			continue // the bus ended (killed): its subscriptions went with it
		}
		errs = append(errs, fmt.Errorf("%w: subscription #%d of %s to %q on %s is still active\n    subscribed: %v",
			ErrLeak, e.Ref, e.PeerLbl, e.Name, e.Label, e))
	}
	return errors.Join(errs...)
}

func leak(what string, log []noex.Event, cause func(noex.Event) bool) error {
	if i := slices.IndexFunc(log, cause); i >= 0 {
		return fmt.Errorf("%w: %s\n    started: %v", ErrLeak, what, log[i])
	}
	return fmt.Errorf("%w: %s", ErrLeak, what)
}

// pendingTimers returns the TimerSet events of SendAfter timers that neither
// fired nor were cancelled, in the order they were set.
func pendingTimers(log []noex.Event) []noex.Event {
	return unmatched(log, func(e noex.Event) bool { return e.Kind == noex.TimerSet && e.Name == "send-after" },
		func(e noex.Event) bool { return e.Kind == noex.TimerFired || e.Kind == noex.TimerCancelled })
}

// openSubscriptions returns the Subscribed events without an Unsubscribed
// for the same subscription, in the order they were made.
func openSubscriptions(log []noex.Event) []noex.Event {
	return unmatched(log, func(e noex.Event) bool { return e.Kind == noex.Subscribed },
		func(e noex.Event) bool { return e.Kind == noex.Unsubscribed })
}

// unmatched returns the events that open reports for which no later event
// that closes reports carries the same Ref.
func unmatched(log []noex.Event, open, closes func(noex.Event) bool) []noex.Event {
	var out []noex.Event
	at := map[uint64]int{}
	for _, e := range log {
		switch {
		case open(e):
			at[e.Ref] = len(out)
			out = append(out, e)
		case closes(e):
			if i, ok := at[e.Ref]; ok {
				out[i].Seq = 0
				delete(at, e.Ref)
			}
		}
	}
	return slices.DeleteFunc(out, func(e noex.Event) bool { return e.Seq == 0 })
}

// checkEmpty checks what Shutdown guarantees: nothing runs and nothing is
// registered.
func checkEmpty(rt *noex.Runtime) error {
	var errs []error
	for _, p := range rt.Processes() {
		errs = append(errs, fmt.Errorf("%w: process %s survived the shutdown", ErrLeak, p.Label))
	}
	if names := rt.Registry().Names(); len(names) > 0 {
		errs = append(errs, fmt.Errorf("%w: names %q are still registered after the shutdown", ErrLeak, names))
	}
	return errors.Join(errs...)
}

// CheckNoCrashes reports every panic in log: processes that crashed with a
// [*noex.CrashError] (each with the message being handled), Terminate
// handlers and bus subscription handlers that panicked. Processes ended by [noex.Kill] and panics injected
// with [Faults.PanicOn] are not crashes in this sense. The violations are
// joined into one error; each wraps [ErrCrash].
func CheckNoCrashes(log []noex.Event) error {
	var errs []error
	inTerminate := map[error]bool{} // a Terminate's panic ends its stop as a crash: report it once
	for _, e := range log {
		switch {
		case e.Kind == noex.ProcessCrashed && isPanic(e.Reason) && !inTerminate[e.Reason]:
			errs = append(errs, fmt.Errorf("%w (declare it with ExpectCrashes): %v%s", ErrCrash, e,
				causeOf(log, crashParent(log, e))))
		case e.Kind == noex.MessageHandled && e.Name == "terminate" && e.Err != nil:
			inTerminate[e.Err] = true
			errs = append(errs, fmt.Errorf("%w in Terminate (declare it with ExpectCrashes): %v", ErrCrash, e))
		case e.Kind == noex.Delivered && isPanic(e.Err):
			errs = append(errs, fmt.Errorf("%w in a bus subscriber (declare it with ExpectCrashes): %v", ErrCrash, e))
		}
	}
	return errors.Join(errs...)
}

// isPanic reports whether an exit reason comes from a panic that the code
// itself raised (not one injected by the kit).
func isPanic(reason error) bool {
	var crash *noex.CrashError
	if !errors.As(reason, &crash) {
		return false
	}
	_, injected := crash.Value.(*InjectedPanic)
	return !injected
}

// crashParent finds the MessageReceived whose handling crashed e's process:
// the Parent of the MessageHandled just before the crash.
func crashParent(log []noex.Event, crash noex.Event) uint64 {
	for i := indexOf(log, crash.Seq) - 1; i >= 0; i-- {
		e := log[i]
		if e.PID == crash.PID && e.Kind == noex.MessageHandled {
			return e.Parent
		}
		if e.PID == crash.PID && e.Kind == noex.MessageReceived {
			return e.Seq
		}
	}
	return 0
}

// CheckNoHandlerErrors reports every error that a handler returned and no
// caller received: from HandleCast and HandleInfo, and failed bus
// deliveries, each with the message being handled. Errors of HandleCall go
// back to the caller and are not reported; neither are panics (see
// [CheckNoCrashes]). The violations are joined into one error; each wraps
// [ErrHandlerError].
func CheckNoHandlerErrors(log []noex.Event) error {
	var errs []error
	for _, e := range log {
		var crash *noex.CrashError
		switch {
		case e.Err == nil || errors.As(e.Err, &crash):
		case e.Kind == noex.MessageHandled && (e.MsgKind == noex.KindCast || e.MsgKind == noex.KindInfo):
			errs = append(errs, fmt.Errorf("%w (declare it with AllowErrors): %v%s", ErrHandlerError, e, causeOf(log, e.Parent)))
		case e.Kind == noex.Delivered:
			errs = append(errs, fmt.Errorf("%w in a bus subscriber (declare it with AllowErrors): %v", ErrHandlerError, e))
		}
	}
	return errors.Join(errs...)
}

// causeOf renders the event with Seq seq as a "handling" line, or "".
func causeOf(log []noex.Event, seq uint64) string {
	if i := indexOf(log, seq); seq != 0 && i >= 0 {
		return fmt.Sprintf("\n    handling: %v", log[i])
	}
	return ""
}

// indexOf returns the index of the event with Seq seq, or -1.
func indexOf(log []noex.Event, seq uint64) int {
	if i := int(seq) - 1; i >= 0 && i < len(log) && log[i].Seq == seq {
		return i
	}
	i, ok := slices.BinarySearchFunc(log, seq, func(e noex.Event, s uint64) int { return cmp.Compare(e.Seq, s) })
	if !ok {
		return -1
	}
	return i
}

// How much of a run failure messages show: the last lines of its sequence
// diagram, then the last events of its log (which the violations refer to
// by Seq).
const (
	diagramLen = 25
	tailLen    = 15
)

// tail renders the end of log for a failure message: the last n lines of
// the run's sequence diagram (trace/diagram) and its last m events.
func tail(log []noex.Event, n, m int) string {
	if len(log) == 0 {
		return "[noex] the log is empty"
	}
	var b strings.Builder
	if d := sequence(log); d != "" {
		lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
		head, steps := lines[0], lines[1:]
		if len(steps) > n {
			fmt.Fprintf(&b, "[noex] sequence diagram (last %d of %d steps):\n", n, len(steps))
			steps = steps[len(steps)-n:]
		} else {
			fmt.Fprintf(&b, "[noex] sequence diagram:\n")
		}
		fmt.Fprintf(&b, "  %s\n", head)
		for _, l := range steps {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	from := max(len(log)-m, 0)
	if from > 0 {
		fmt.Fprintf(&b, "[noex] last %d of %d events:\n", len(log)-from, len(log))
	} else {
		fmt.Fprintf(&b, "[noex] log (%d events):\n", len(log))
	}
	for _, e := range log[from:] {
		b.WriteString("    ")
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// sequence draws log as a text sequence diagram, or "" if the renderer
// fails: a failure message must not fail on its way out.
func sequence(log []noex.Event) (d string) {
	defer func() {
		if recover() != nil {
			d = ""
		}
	}()
	return diagram.Text(log)
}
