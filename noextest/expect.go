package noextest

import (
	"fmt"

	"github.com/noex-go/noex/noex"
)

// The t adapters of the checks: each runs the check on the runtime's log
// (or registry) and fails the test (Errorf) with the check's error, the
// seed, the reproduction line and the tail of the log.

func (rt *Runtime) expect(what string, err error) {
	rt.t.Helper()
	if err != nil {
		rt.fail(false, fmt.Sprintf("[noex] %s: %v", what, err))
	}
}

// ExpectSubsequence fails the test unless the log so far has events
// matching want in that order; see [CheckSubsequence].
func (rt *Runtime) ExpectSubsequence(want ...Event) {
	rt.t.Helper()
	rt.expect("ExpectSubsequence", CheckSubsequence(rt.Events(), want...))
}

// ExpectHappensBefore fails the test unless the first event matching a
// causally precedes the first matching b; see [CheckHappensBefore].
func (rt *Runtime) ExpectHappensBefore(a, b Event) {
	rt.t.Helper()
	rt.expect("ExpectHappensBefore", CheckHappensBefore(rt.Events(), a, b))
}

// ExpectFIFO fails the test unless every receiver handled each sender's
// messages in the order they were sent; see [CheckFIFO].
func (rt *Runtime) ExpectFIFO() {
	rt.t.Helper()
	rt.expect("ExpectFIFO", CheckFIFO(rt.Events()))
}

// ExpectHandled fails the test unless proc handled exactly want, in order;
// see [CheckHandled].
func (rt *Runtime) ExpectHandled(proc string, want ...Message) {
	rt.t.Helper()
	rt.expect(fmt.Sprintf("ExpectHandled(%q)", proc), CheckHandled(rt.Events(), proc, want...))
}

// ExpectRegistered fails the test unless every one of names is registered.
func (rt *Runtime) ExpectRegistered(names ...string) {
	rt.t.Helper()
	rt.expect("ExpectRegistered", CheckRegistered(rt.Runtime, names...))
}

// ExpectNotRegistered fails the test if any of names is registered.
func (rt *Runtime) ExpectNotRegistered(names ...string) {
	rt.t.Helper()
	rt.expect("ExpectNotRegistered", CheckNotRegistered(rt.Runtime, rt.rec.view(), names...))
}

// ExpectNames fails the test unless the registered names are exactly want.
func (rt *Runtime) ExpectNames(want ...string) {
	rt.t.Helper()
	rt.expect("ExpectNames", CheckNames(rt.Runtime, want...))
}

// ExpectEnded fails the test unless pid has ended and released its names
// and subscriptions; see [CheckEnded].
func (rt *Runtime) ExpectEnded(pid noex.PID) {
	rt.t.Helper()
	rt.expect(fmt.Sprintf("ExpectEnded(%v)", pid), CheckEnded(rt.Runtime, rt.rec.view(), pid))
}

// ExpectRestarted fails the test unless name points to a live process other
// than old and old has ended; it returns the new process. See
// [CheckRestarted].
func (rt *Runtime) ExpectRestarted(name string, old noex.PID) noex.PID {
	rt.t.Helper()
	pid, err := CheckRestarted(rt.Runtime, name, old)
	rt.expect(fmt.Sprintf("ExpectRestarted(%q)", name), err)
	return pid
}
