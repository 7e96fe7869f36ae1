package trace

import (
	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel/attribute"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// sent starts the span of sending a message: a call's producer span, open
// until the reply, or a cast's or info message's producer span, which takes
// no time. The message of a SendAfter timer or a monitor's Down starts a
// trace of its own, linked to its cause (the handling that set the timer,
// the handling that crashed): delayed work nested under a handling that
// ended long before would not fit in it, and a periodic timer would grow
// one endless trace.
func (t *translator) sent(ev *noex.Event) {
	if t.mailboxDelivery(ev) {
		return
	}
	sender := ev.PID.ID()
	parent, handling := t.parent(sender, ev.Parent)
	c, fromCause := t.causes[ev.Parent]
	if fromCause && c.once {
		delete(t.causes, ev.Parent) // a fired timer or a Down: consumed by this send
	}
	op := sendName(ev.MsgKind)
	var links []oteltrace.Link
	if fromCause && c.link {
		parent = oteltrace.SpanContext{}
		if c.sc.IsValid() {
			links = []oteltrace.Link{{SpanContext: c.sc}}
		}
	} else if !parent.IsValid() {
		parent = t.runParent(ev.PID)
	}
	var s oteltrace.Span
	if unsampledChild(parent) { // neither a name nor attributes to make
		s = t.standIn(parent, handling)
	} else {
		anon := anonymous(ev.Peer, ev.PeerLbl)
		s = t.start(ev, 0, parent, spanName(op, ev.PeerLbl, anon), oteltrace.SpanKindProducer,
			t.opAttrs(opSend, op, ev.PeerLbl, anon), links...)
	}
	recording := s.IsRecording()
	if recording {
		a := t.details(true, ev)
		a = append(a,
			attribute.String(keyMsgKind, ev.MsgKind.String()))
		a = t.message(a, keyMessage, ev.Msg)
		if fromCause && c.timer != 0 {
			a = append(a, attribute.Int64(keyTimerID, int64(c.timer)))
		}
		t.record(s, a)
		if fromCause && c.timer != 0 {
			t.event(s, "timer.fired", attribute.Int64(keyTimerID, int64(c.timer)))
		}
	}
	m := t.newMessage(s.SpanContext())
	if !recording {
		m.span = s
	}
	if ev.MsgKind == noex.KindCall {
		m.client, m.caller = s, sender
		t.proc(sender).call = ev.Ref
	} else {
		t.endInstant(s)
	}
	t.msgs[ev.Ref] = m
}

// received starts the span of handling a message: a consumer span, the
// child of the span that sent it and linked to it (the message's creation
// context).
func (t *translator) received(ev *noex.Event) {
	var parent oteltrace.SpanContext
	var sending oteltrace.Span
	if m := t.msgs[ev.Ref]; m != nil {
		parent, sending = m.sc, m.span
		t.arrived(ev.Ref, m)
	}
	p := t.proc(ev.PID.ID())
	if p.cur != nil { // the previous handling left no end: close it here
		t.finish(p)
	}
	var s oteltrace.Span
	if unsampledChild(parent) { // neither a name nor attributes to make
		s = t.standIn(parent, sending)
	} else {
		var links []oteltrace.Link
		if parent.IsValid() {
			links = []oteltrace.Link{{SpanContext: parent}}
		}
		op := handleName(ev.MsgKind)
		anon := anonymous(ev.PID, ev.Label)
		s = t.start(ev, 0, parent, spanName(op, ev.Label, anon), oteltrace.SpanKindConsumer,
			t.opAttrs(opProcess, op, ev.Label, anon), links...)
	}
	if s.IsRecording() {
		a := t.details(true, ev)
		a = append(a,
			attribute.String(keyMsgKind, ev.MsgKind.String()))
		if ev.PeerLbl != "" {
			a = append(a, attribute.String(keyPeerName, ev.PeerLbl))
		}
		t.record(s, t.message(a, keyMessage, ev.Msg))
	}
	p.cur, p.curSeq, p.curRef = s, ev.Seq, ev.Ref
}

// arrived records that message ref reached its receiver (handled or
// dropped) and forgets it unless a call's producer span is still open.
func (t *translator) arrived(ref uint64, m *message) {
	m.arrived = true
	if m.client == nil {
		t.forget(ref, m)
	}
}

// newMessage returns the record of a message sent now in the span sc: a
// forgotten one, or a new one.
func (t *translator) newMessage(sc oteltrace.SpanContext) *message {
	if n := len(t.spare); n > 0 {
		m := t.spare[n-1]
		t.spare = t.spare[:n-1]
		m.sc, m.sent = sc, t.now
		return m
	}
	return &message{sc: sc, sent: t.now}
}

// forget drops the record m of message ref, whose caller does not use m
// any more, and keeps it for the next message.
func (t *translator) forget(ref uint64, m *message) {
	delete(t.msgs, ref)
	if len(t.spare) < maxSpare {
		*m = message{}
		t.spare = append(t.spare, m)
	}
}

// maxSpare is how many forgotten message records a translator keeps.
const maxSpare = 64

// handled ends a handling span; an error the handler returned or a crash
// marks it failed.
func (t *translator) handled(ev *noex.Event) {
	p := t.procs[ev.PID.ID()]
	if p == nil || p.cur == nil || p.curRef != ev.Ref || ev.Ref == 0 {
		if ev.Err != nil { // Terminate panicked: a span of its own
			s := t.start(ev, 0, oteltrace.SpanContext{}, spanName("terminate", ev.Label, anonymous(ev.PID, ev.Label)), oteltrace.SpanKindInternal,
				append(t.attrs(), pidAttr(ev.PID), attribute.String(keyProcessName, ev.Label)))
			t.fail(s, ev.Err)
			t.endInstant(s)
		}
		return
	}
	if ev.Err != nil {
		t.fail(p.cur, ev.Err)
		if _, crashed := ev.Err.(*noex.CrashError); crashed { // not an error that wraps a crash elsewhere
			p.crashSC = p.cur.SpanContext()
		}
	}
	t.finish(p)
}

// dropped handles a message that was not handled: a reply nobody waits
// for becomes an event on the handling, an info message the server has no
// HandleInfo for ends its handling span failed, and any other message gets
// a "drop" span under the span that sent it, from the send to the drop.
func (t *translator) dropped(ev *noex.Event) {
	p := t.procs[ev.PID.ID()]
	if ev.MsgKind == noex.KindReply {
		if p != nil && p.cur != nil {
			t.event(p.cur, "reply.discarded",
				keyMessageID.String(idString(ev.Ref)),
				attribute.String(keyError, errText(ev.Err)),
				keyErrorType.String(errorType(dropError{ev.Err})))
		}
		return
	}
	if p != nil && p.cur != nil && p.curRef == ev.Ref && p.curSeq == ev.Parent {
		t.fail(p.cur, dropError{ev.Err})
		t.finish(p)
		return
	}
	parent, _ := t.parent(ev.PID.ID(), ev.Parent)
	if c, ok := t.causes[ev.Parent]; ok && c.once {
		delete(t.causes, ev.Parent)
	}
	at := t.now
	var links []oteltrace.Link
	m := t.msgs[ev.Ref]
	if m != nil {
		parent, at = m.sc, m.sent
		links = []oteltrace.Link{{SpanContext: m.sc}}
		t.arrived(ev.Ref, m)
	}
	dest, anon := ev.Label, anonymous(ev.PID, ev.Label)
	if m == nil && ev.Name != "" {
		dest, anon = ev.Name, false // a timer's message whose address did not resolve
	}
	s := t.startAt(ev, 0, at, parent, spanName(nameDrop, dest, anon), oteltrace.SpanKindConsumer,
		t.opAttrs(opProcess, nameDrop, dest, anon), links...)
	if s.IsRecording() {
		a := t.details(true, ev)
		a = append(a,
			attribute.String(keyMsgKind, ev.MsgKind.String()))
		t.record(s, t.message(a, keyMessage, ev.Msg))
	}
	t.fail(s, dropError{ev.Err})
	if at.Equal(t.now) {
		t.endInstant(s)
	} else {
		t.end(s)
	}
}

type dropError struct{ err error }

func (e dropError) Error() string { return "dropped: " + errText(e.err) }

func (e dropError) Unwrap() error { return e.err }

// ErrorType is the error.type of a message dropped for no known reason.
func (e dropError) ErrorType() string {
	if e.err == nil {
		return "noex.dropped"
	}
	return errorType(e.err)
}

func errText(err error) string {
	if err == nil {
		return "unknown reason"
	}
	return firstLine(err.Error())
}

// replied records a call's reply on its producer span: an error reply marks
// it failed. The producer span ends with the handling that answered (see
// finish), or now for a reply given later ([noex.DeferReply]).
func (t *translator) replied(ev *noex.Event) {
	m := t.msgs[ev.Ref]
	if m == nil || m.client == nil {
		return
	}
	if ev.Err != nil {
		t.fail(m.client, ev.Err)
	} else if t.messages && ev.Msg != nil && m.client.IsRecording() {
		m.client.SetAttributes(attribute.String(keyReply, noex.FormatMessage(ev.Msg)))
	}
	if p := t.procs[ev.PID.ID()]; p != nil && p.cur != nil && p.curRef == ev.Ref {
		p.replied = ev.Ref
		return
	}
	t.endClient(ev.Ref, m)
}

// callFailed ends a call's producer span failed: timeout, crash, not running.
func (t *translator) callFailed(ev *noex.Event) {
	m := t.msgs[ev.Ref]
	if m == nil || m.client == nil {
		return
	}
	if ev.Err != nil {
		t.fail(m.client, ev.Err)
	}
	t.endClient(ev.Ref, m)
}

func (t *translator) endClient(ref uint64, m *message) {
	t.end(m.client)
	m.client = nil
	if p := t.procs[m.caller]; p != nil && p.call == ref {
		p.call = 0
	}
	if m.arrived {
		t.forget(ref, m)
	}
}
