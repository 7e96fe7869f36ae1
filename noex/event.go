package noex

import (
	"fmt"
	"reflect"
	"slices"
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
	CallFailed                   // PID = caller, Peer = target (or Name = the address that did not resolve), Ref, Err
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
	StopRequested                // PID = requester, Peer = target, Reason = the stop reason; Parent = the requester's handling
	KillRequested                // PID = requester, Peer = target, Reason = the kill reason; Parent = the requester's handling
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
	StopRequested: "stop", KillRequested: "kill",
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
	KindNone  MsgKind = iota
	KindCall          // Call → HandleCall
	KindCast          // Cast → HandleCast
	KindInfo          // Send, SendAfter, monitors, bus mailbox deliveries → HandleInfo
	KindReply         // a call's reply
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
	Time    time.Time // virtual time in deterministic mode, wall time otherwise (the wall clock when the runtime was made, advanced by the monotonic clock)
	Kind    EventKind
	PID     PID     // the process the event happened on (zero for runtime-level events)
	Label   string  // PID's display label: its first registered name, or its id
	Peer    PID     // the other process, if any
	PeerLbl string  // Peer's display label
	Ref     uint64  // the id of the message, timer, monitor or subscription (in real mode, 0 for a message sent while no observer was attached)
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
		case MessageSent, ReplySent, MonitorSet, StopRequested, KillRequested:
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
	case ProcessStopped, ProcessCrashed, MonitorDown, ChildRestarted, ChildStopped, SupervisorExceeded,
		StopRequested, KillRequested:
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
// without its package path, then the fields, as in Add{A:5 B:3}; strings are
// quoted; a [PID] prints as p<ID>; pointers are followed (printed with &),
// never shown as addresses; map keys are sorted. Exported values that
// implement fmt.Stringer or error print through them. The same value always
// gives the same text, which the determinism of event logs relies on.
func FormatMessage(m any) string {
	var b strings.Builder
	formatValue(&b, reflect.ValueOf(m), 0)
	return b.String()
}

var pidType = reflect.TypeFor[PID]()

func formatValue(b *strings.Builder, v reflect.Value, depth int) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	if depth > 8 {
		b.WriteString("…")
		return
	}
	if v.Type() == pidType {
		b.WriteString("p")
		if p := v.Field(0); !p.IsNil() {
			b.WriteString(strconv.FormatUint(p.Elem().FieldByName("id").Uint(), 10))
		} else {
			b.WriteString("0")
		}
		return
	}
	if v.CanInterface() && (v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface || !v.IsNil()) {
		switch x := v.Interface().(type) {
		case error:
			b.WriteString(strconv.Quote(x.Error()))
			return
		case fmt.Stringer:
			b.WriteString(x.String())
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteByte('&')
		formatValue(b, v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		formatValue(b, v.Elem(), depth)
	case reflect.Struct:
		b.WriteString(shortTypeName(v.Type()))
		b.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v.Type().Field(i).Name)
			b.WriteByte(':')
			formatValue(b, v.Field(i), depth+1)
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			formatValue(b, v.Index(i), depth+1)
		}
		b.WriteByte(']')
	case reflect.Map:
		type kv struct{ k, v string }
		var items []kv
		it := v.MapRange()
		for it.Next() {
			var kb, vb strings.Builder
			formatValue(&kb, it.Key(), depth+1)
			formatValue(&vb, it.Value(), depth+1)
			items = append(items, kv{kb.String(), vb.String()})
		}
		slices.SortFunc(items, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		b.WriteString("map[")
		for i, e := range items {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(e.k + ":" + e.v)
		}
		b.WriteByte(']')
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Complex64, reflect.Complex128:
		b.WriteString(strconv.FormatComplex(v.Complex(), 'g', -1, 128))
	default: // chan, func, unsafe pointer: the type only, never an address
		b.WriteString(v.Type().String())
	}
}

func shortTypeName(t reflect.Type) string {
	name := t.String()
	if t.Name() == "" {
		return "struct"
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !strings.ContainsAny(name[:i], "[]") {
		name = name[i+1:]
	}
	return name
}
