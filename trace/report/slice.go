package report

import (
	"errors"

	"github.com/noex-go/noex/noex"
)

// CausalSlice returns the events that lead to the events numbered seqs:
// those events themselves and, transitively, the event each one names as
// its Parent, in log order. The Parent of a MessageReceived is its
// MessageSent; that of an action a handler performs (a send, a reply, a
// timer, a crash) is the MessageReceived of the message being handled; that
// of a TimerFired its TimerSet; so the slice of a failure is the chain of
// messages and handlings that caused it, across processes, and nothing that
// merely happened before it. Seqs that are not in events are ignored; the
// result is empty if none is. CausalSlice does not modify events.
func CausalSlice(events []noex.Event, seqs ...uint64) []noex.Event {
	at := make(map[uint64]int, len(events))
	for i, e := range events {
		at[e.Seq] = i
	}
	in := make(map[int]bool)
	for _, seq := range seqs {
		for {
			i, ok := at[seq]
			if !ok || in[i] {
				break
			}
			in[i] = true
			seq = events[i].Parent
		}
	}
	out := make([]noex.Event, 0, len(in))
	for i, e := range events {
		if in[i] {
			out = append(out, e)
		}
	}
	return out
}

// FirstFailure returns the first event of events that records a failure: a
// handler that panicked (the MessageHandled of the message it crashed on,
// which comes before the ProcessCrashed and names the handling as its
// Parent), a process killed, an Init that
// failed, a cast or info handler or a bus subscription handler that
// returned an error or panicked, a call that failed, a message dropped, a
// supervisor that exceeded its restart intensity. Later failures are
// usually its consequences (a crash fails the call being handled, whose
// caller then fails). It reports false if there is none.
func FirstFailure(events []noex.Event) (noex.Event, bool) {
	for _, e := range events {
		if isFailure(e) {
			return e, true
		}
	}
	return noex.Event{}, false
}

func isFailure(e noex.Event) bool {
	switch e.Kind {
	case noex.ProcessCrashed, noex.InitFailed, noex.CallFailed, noex.SupervisorExceeded:
		return true
	case noex.MessageHandled:
		// A call's error goes back to its caller; a panic crashes the process.
		var crash *noex.CrashError
		return e.Err != nil && (e.MsgKind != noex.KindCall || errors.As(e.Err, &crash))
	case noex.Delivered:
		return e.Err != nil
	case noex.MessageDropped:
		return e.MsgKind != noex.KindReply && !errors.Is(e.Err, noex.ErrShutdown)
	}
	return false
}
