package noextest

import (
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/noex-go/noex/noex"
)

// Event is a recorded [noex.Event] as plain data: processes are given by
// their labels and ids, reasons and errors by their text, so that events
// compare with cmp.Diff without options. Use [IgnoreTimes] and [IgnoreIDs]
// to compare only what a test means to pin.
//
// In the patterns that [CheckSubsequence], [CheckHappensBefore] and the
// other ordering checks take, a zero field matches anything.
type Event struct {
	Seq     uint64         // position in the log, from 1
	Time    time.Time      // virtual time in deterministic mode
	Kind    noex.EventKind // what happened
	PID     uint64         // id of the process it happened on (p<PID>), 0 for none
	Proc    string         // that process's label: first registered name, or "p<PID>"
	PeerID  uint64         // id of the other process, if any
	Peer    string         // its label
	Ref     uint64         // id of the message, timer, monitor or subscription
	Parent  uint64         // Seq of the causing event, 0 if none
	MsgKind noex.MsgKind   // call, cast, info or reply, for message events
	Msg     any            // the message, reply or published value
	Name    string         // registered name, topic, pattern, child id, timer purpose or fault
	Reason  string         // exit reason of stop, crash, down, restart and stop or kill request events (see [ReasonText])
	Err     string         // text of the error the action produced
	Delay   time.Duration  // timer delay, clock step or injected delay
}

// FromNoex converts a runtime event into its plain form.
func FromNoex(e noex.Event) Event {
	out := Event{Seq: e.Seq, Time: e.Time, Kind: e.Kind, PID: e.PID.ID(), Proc: e.Label,
		PeerID: e.Peer.ID(), Peer: e.PeerLbl, Ref: e.Ref, Parent: e.Parent, MsgKind: e.MsgKind,
		Msg: e.Msg, Name: e.Name, Delay: e.Delay}
	if hasReason(e.Kind) {
		out.Reason = ReasonText(e.Reason)
	}
	if e.Err != nil {
		out.Err = e.Err.Error()
	}
	return out
}

// hasReason reports whether events of kind k carry an exit reason, so that
// a nil Reason means "normal" rather than "none".
func hasReason(k noex.EventKind) bool {
	switch k {
	case noex.ProcessStopped, noex.ProcessCrashed, noex.MonitorDown, noex.ChildRestarted,
		noex.ChildStopped, noex.SupervisorExceeded, noex.StopRequested, noex.KillRequested:
		return true
	}
	return false
}

// ReasonText renders an exit reason as [Event].Reason holds it: "normal"
// for nil, "shutdown" for [noex.ErrShutdown], "killed" for [noex.ErrKilled],
// otherwise the error's first line.
func ReasonText(r error) string {
	switch {
	case r == nil:
		return "normal"
	case r == noex.ErrShutdown:
		return "shutdown"
	case r == noex.ErrKilled:
		return "killed"
	}
	s, _, _ := strings.Cut(r.Error(), "\n")
	return s
}

// line renders a plain event as [noex.Event.String] renders the event it
// was recorded from.
func line(e Event) string {
	ne := noex.Event{Seq: e.Seq, Time: e.Time, Kind: e.Kind, Label: e.Proc, PeerLbl: e.Peer, Ref: e.Ref,
		Parent: e.Parent, MsgKind: e.MsgKind, Msg: e.Msg, Name: e.Name, Delay: e.Delay}
	if e.Err != "" {
		ne.Err = errors.New(e.Err)
	}
	if hasReason(e.Kind) {
		switch e.Reason {
		case "normal", "":
		case "shutdown":
			ne.Reason = noex.ErrShutdown
		case "killed":
			ne.Reason = noex.ErrKilled
		default:
			ne.Reason = errors.New(e.Reason)
		}
	}
	return ne.String()
}

// IgnoreTimes is a cmp option that ignores [Event].Time, for comparing logs
// of real-mode runs or of runs that differ only in timing.
func IgnoreTimes() cmp.Option { return cmpopts.IgnoreFields(Event{}, "Time") }

// IgnoreIDs is a cmp option that ignores the numbering of a log: Seq, PID,
// PeerID, Ref and Parent. Labels (Proc, Peer) still compare.
func IgnoreIDs() cmp.Option {
	return cmpopts.IgnoreFields(Event{}, "Seq", "PID", "PeerID", "Ref", "Parent")
}

// Recorder records a runtime's event stream. Attach it with
// noex.WithObserver(rec.Observe) or rt.Observe(rec.Observe). Its methods are
// safe for concurrent use; the accessors return copies.
type Recorder struct {
	mu     sync.Mutex
	events []noex.Event
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Observe records e. It is the function to attach to the runtime.
func (r *Recorder) Observe(e noex.Event) {
	r.mu.Lock() //noexvet:ignore the lock guards the log against the runtime's observer and is never held across a runtime operation
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// Events returns the recorded events as plain data, in Seq order.
func (r *Recorder) Events() []Event {
	raw := r.Raw()
	out := make([]Event, len(raw))
	for i, e := range raw {
		out[i] = FromNoex(e)
	}
	return out
}

// view returns the events recorded so far without copying them: a slice
// capped at its length, whose elements are never written again (Observe
// only appends beyond them), so it may be read while events are still
// being recorded. Internal checks use it; Raw gives callers a copy.
func (r *Recorder) view() []noex.Event {
	r.mu.Lock() //noexvet:ignore the lock guards the log against the runtime's observer and is never held across a runtime operation
	defer r.mu.Unlock()
	return r.events[:len(r.events):len(r.events)]
}

// Raw returns the recorded events as the runtime emitted them.
func (r *Recorder) Raw() []noex.Event {
	r.mu.Lock() //noexvet:ignore the lock guards the log against the runtime's observer and is never held across a runtime operation
	defer r.mu.Unlock()
	return append([]noex.Event(nil), r.events...)
}

// Len returns the number of recorded events.
func (r *Recorder) Len() int {
	r.mu.Lock() //noexvet:ignore the lock guards the log against the runtime's observer and is never held across a runtime operation
	defer r.mu.Unlock()
	return len(r.events)
}

// Text returns the log as text, one [noex.Event.String] line per event. In
// deterministic mode the same seed gives the same text, byte for byte.
func (r *Recorder) Text() string { return Text(r.Raw()) }

// Reset forgets every recorded event.
func (r *Recorder) Reset() {
	r.mu.Lock() //noexvet:ignore the lock guards the log against the runtime's observer and is never held across a runtime operation
	r.events = nil
	r.mu.Unlock()
}

// Text renders events one [noex.Event.String] line each.
func Text(events []noex.Event) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}
