package noex

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// EventKind says what happened. The set can grow; readers ignore kinds they
// do not know.
type EventKind uint8

// The event kinds. The comment says which fields of [Event] are set.
const (
	_                  EventKind = iota
	ProcessStarted               // PID, Name (first name), Parent = Start's caller
	ProcessStopped               // PID, Reason (nil = normal)
	ProcessCrashed               // PID, Reason (*CrashError with stack, or the Kill reason)
	InitFailed                   // PID, Err
	MessageSent                  // PID = sender, Peer = receiver, Ref = message id, MsgKind, Msg
	MessageReceived              // PID = receiver, Peer = sender, Ref, MsgKind, Msg
	MessageHandled               // PID, Ref, MsgKind, Err (the handler's returned error)
	MessageDropped               // PID = addressee, Peer = sender, Ref, MsgKind, Msg, Err (why)
	ReplySent                    // PID = server, Peer = caller, Ref = call id, Msg, Err
	CallFailed                   // PID = caller, Peer = target, Ref, Err (timeout, crash, not running)
	TimerSet                     // PID, Ref = timer id, Time + Delay = due, Name = purpose
	TimerFired                   // PID = owner, Ref, Name
	TimerCancelled               // PID, Ref
	Registered                   // PID, Name
	Unregistered                 // PID, Name
	MonitorSet                   // PID = watcher, Peer = target, Ref
	MonitorDown                  // PID = watcher, Peer = target, Ref, Reason
	Subscribed                   // PID = bus, Peer = owner, Ref = subscription, Name = pattern
	Unsubscribed                 // PID = bus, Peer = owner, Ref, Name = pattern
	Published                    // PID = bus, Peer = publisher, Ref = publication, Name = topic, Msg
	Delivered                    // PID = bus, Peer = subscriber, Ref = subscription, Name = topic, Msg, Err (handler failure)
	ChildStarted                 // PID = supervisor, Peer = child, Name = child id
	ChildRestarted               // PID = supervisor, Peer = new child, Name = child id, Reason = why it ended
	ChildStopped                 // PID = supervisor, Peer = child, Name = child id, Reason
	SupervisorExceeded           // PID = supervisor, Reason (*MaxRestartsError)
	FaultInjected                // PID = target, Name = fault, Ref
	ClockAdvanced                // Time = new now, Delay = step
	eventKindCount
)

var eventKindNames = [...]string{
	ProcessStarted: "started", ProcessStopped: "stopped", ProcessCrashed: "crashed",
	InitFailed: "init-failed", MessageSent: "sent", MessageReceived: "received",
	MessageHandled: "handled", MessageDropped: "dropped", ReplySent: "reply",
	CallFailed: "call-failed", TimerSet: "timer-set", TimerFired: "timer-fired",
	TimerCancelled: "timer-cancelled", Registered: "registered", Unregistered: "unregistered",
	MonitorSet: "monitor", MonitorDown: "down", Subscribed: "subscribed",
	Unsubscribed: "unsubscribed", Published: "published", Delivered: "delivered",
	ChildStarted: "child-started", ChildRestarted: "child-restarted", ChildStopped: "child-stopped",
	SupervisorExceeded: "max-restarts", FaultInjected: "fault", ClockAdvanced: "clock",
}

func (k EventKind) String() string {
	if k > 0 && k < eventKindCount {
		return eventKindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MsgKind is the kind of a message: how it was sent and which handler takes it.
type MsgKind uint8

const (
	KindNone MsgKind = iota
	KindCall         // Call → HandleCall
	KindCast         // Cast → HandleCast
	KindInfo         // Send, SendAfter, monitors, bus mailbox deliveries → HandleInfo
	KindReply        // a call's reply
)

func (k MsgKind) String() string {
	switch k {
	case KindCall:
		return "call"
	case KindCast:
		return "cast"
	case KindInfo:
		return "info"
	case KindReply:
		return "reply"
	}
	return "-"
}

// Event is one runtime action. Events are plain values; Seq numbers them in
// the order the runtime performed them, starting at 1. Parent is the Seq of
// the event that caused this one: the MessageReceived of the message whose
// handling performed the action, or the TimerFired that delivered it, or 0.
type Event struct {
	Seq     uint64
	Time    time.Time // virtual time in deterministic mode, wall time otherwise
	Kind    EventKind
	PID     PID     // the process the event happened on (zero for runtime-level events)
	Label   string  // PID's display label: its first registered name, or its id
	Peer    PID     // the other process, if any
	PeerLbl string  // Peer's display label
	Ref     uint64  // the id of the message, timer, monitor or subscription
	Parent  uint64  // Seq of the causing event, 0 if none
	MsgKind MsgKind // for message events
	Msg     any     // the message, reply or published value
	Name    string  // a registered name, topic, pattern, child id or timer purpose
	Reason  error   // exit reason (nil = normal) for stop/crash/down/restart events
	Err     error   // an error the action produced
	Delay   time.Duration
}

// String renders the event on one line, stably: the same run gives the same
// text. This form is what determinism is checked on.
func (e Event) String() string {
	var b strings.Builder
	b.Grow(96)
	b.WriteString(strconv.FormatUint(e.Seq, 10))
	b.WriteByte(' ')
	b.WriteString(e.Time.UTC().Format("15:04:05.000000"))
	b.WriteByte(' ')
	if e.Label != "" {
		b.WriteString(e.Label)
	} else {
		b.WriteByte('-')
	}
	b.WriteByte(' ')
	b.WriteString(e.Kind.String())
	if e.MsgKind != KindNone && e.Kind != ReplySent {
		b.WriteByte(' ')
		b.WriteString(e.MsgKind.String())
	}
	if e.PeerLbl != "" {
		switch e.Kind {
		case MessageSent, ReplySent, MonitorSet:
			b.WriteString(" to ")
		case MessageReceived, Published:
			b.WriteString(" from ")
		case ProcessStarted:
			b.WriteString(" by ")
		default:
			b.WriteString(" peer ")
		}
		b.WriteString(e.PeerLbl)
	}
	if e.Ref != 0 {
		b.WriteString(" #")
		b.WriteString(strconv.FormatUint(e.Ref, 10))
	}
	if e.Name != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Name))
	}
	if e.Msg != nil {
		b.WriteByte(' ')
		b.WriteString(FormatMessage(e.Msg))
	}
	if e.Delay != 0 {
		b.WriteString(" +")
		b.WriteString(e.Delay.String())
	}
	switch e.Kind {
	case ProcessStopped, ProcessCrashed, MonitorDown, ChildRestarted, ChildStopped, SupervisorExceeded:
		b.WriteString(" reason=")
		b.WriteString(ReasonString(e.Reason))
	}
	if e.Err != nil {
		b.WriteString(" err=")
		b.WriteString(strconv.Quote(firstLine(e.Err.Error())))
	}
	if e.Parent != 0 {
		b.WriteString(" <- ")
		b.WriteString(strconv.FormatUint(e.Parent, 10))
	}
	return b.String()
}

// ReasonString renders an exit reason: "normal" for nil, "shutdown" for
// [ErrShutdown], otherwise the error's first line.
func ReasonString(r error) string {
	switch {
	case r == nil:
		return "normal"
	case r == ErrShutdown:
		return "shutdown"
	case r == ErrKilled:
		return "killed"
	}
	return strconv.Quote(firstLine(r.Error()))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// FormatMessage renders a message value compactly and stably: the type name
// without its package path, then the value, as in Add{A:5 B:3}; strings are
// quoted. Pointers are followed one level, so the text never holds an address.
func FormatMessage(m any) string {
	switch v := m.(type) {
	case nil:
		return "nil"
	case string:
		return strconv.Quote(v)
	case fmt.Stringer:
		return v.String()
	case error:
		return strconv.Quote(v.Error())
	case int, int64, int32, uint, uint64, uint32, float64, bool:
		return fmt.Sprint(v)
	}
	rv := reflect.ValueOf(m)
	prefix := ""
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		prefix = "&"
		rv = rv.Elem()
	}
	name := rv.Type().String()
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !strings.ContainsAny(name[:i], "[]") {
		name = name[i+1:]
	}
	switch rv.Kind() {
	case reflect.Struct:
		return prefix + name + fmt.Sprintf("%+v", rv.Interface())
	case reflect.Slice, reflect.Array, reflect.Map:
		return prefix + fmt.Sprintf("%v", rv.Interface())
	}
	return prefix + name + "(" + fmt.Sprintf("%v", rv.Interface()) + ")"
}
