package trace

import (
	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel/attribute"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// published starts a producer span for a publication, the child of the
// bus's handling of the publish request, which lasts as long as that
// handling: the fan-out to the subscriptions, whose spans are its children.
func (t *translator) published(ev *noex.Event) {
	bus := ev.PID.ID()
	parent, _ := t.parent(bus, ev.Parent)
	s := t.start(ev, 0, parent, namePublish+" "+ev.Name, oteltrace.SpanKindProducer,
		t.opAttrs(opSend, namePublish, ev.Name, false))
	if s.IsRecording() {
		a := t.details(true, ev)
		a = append(a,
			attribute.String(keyBus, ev.Label))
		if ev.PeerLbl != "" {
			a = append(a, attribute.String(keyPeerName, ev.PeerLbl))
		}
		t.record(s, t.message(a, keyMessage, ev.Msg))
	}
	p := t.procs[bus]
	if p == nil || p.cur == nil {
		t.endInstant(s)
		return
	}
	t.end(p.pub) // nil-safe: a handling that published twice
	p.pub, p.pubSeq = s, ev.Seq
	t.scope(bus, ev.Seq, s.SpanContext())
}

// mailboxDelivery starts the span of a publication that the bus sends to a
// subscriber's mailbox (a [noex.Publication] info message): "deliver
// <topic>", the child of the publish span. It takes no time, but stays open
// for the attributes of the Delivered event that follows. It reports false
// if ev is not such a message.
func (t *translator) mailboxDelivery(ev *noex.Event) bool {
	pm, ok := ev.Msg.(noex.Publication)
	if !ok || ev.MsgKind != noex.KindInfo {
		return false
	}
	p := t.procs[ev.PID.ID()]
	if p == nil || p.cur == nil || p.pubSeq == 0 || ev.Parent != p.curSeq {
		return false
	}
	c, ok := t.causes[p.pubSeq]
	if !ok {
		return false
	}
	s := t.start(ev, 0, c.sc, nameDeliver+" "+pm.Topic, oteltrace.SpanKindProducer,
		t.opAttrs(opSend, nameDeliver, pm.Topic, false))
	if s.IsRecording() {
		a := t.details(true, ev)
		a = append(a,
			attribute.String(keyBus, ev.Label),
			attribute.String(keyPeerName, ev.PeerLbl),
			attribute.String(keyMsgKind, ev.MsgKind.String()))
		t.record(s, t.message(a, keyMessage, pm.Msg))
	}
	if p.mailbox != nil { // a previous delivery never confirmed
		t.endAt(p.mailbox, p.mailboxEnd)
	}
	p.mailbox, p.mailboxTo, p.mailboxEnd = s, ev.Peer.ID(), t.now.Add(t.instant)
	t.msgs[ev.Ref] = t.newMessage(s.SpanContext())
	return true
}

// delivered records one delivery of a publication: for a mailbox
// subscription it ends the span mailboxDelivery started; for a handler it
// starts and ends a consumer span, the child of the publish span, failed if
// the handler panicked.
func (t *translator) delivered(ev *noex.Event) {
	bus := ev.PID.ID()
	p := t.procs[bus]
	if p != nil && p.mailbox != nil && p.mailboxTo == ev.Peer.ID() {
		s := p.mailbox
		p.mailbox = nil
		if s.IsRecording() {
			s.SetAttributes(t.subscriptionAttrs(nil, ev)...)
		}
		t.endAt(s, p.mailboxEnd)
		return
	}
	parent, _ := t.parent(bus, ev.Parent)
	var links []oteltrace.Link
	if parent.IsValid() {
		links = []oteltrace.Link{{SpanContext: parent}} // the publication
	}
	s := t.start(ev, 0, parent, nameDeliver+" "+ev.Name, oteltrace.SpanKindConsumer,
		t.opAttrs(opProcess, nameDeliver, ev.Name, false), links...)
	if s.IsRecording() {
		a := t.details(false, ev)
		a = append(a,
			attribute.String(keyBus, ev.Label),
			attribute.String(keyPeerName, ev.PeerLbl))
		a = t.message(a, keyMessage, ev.Msg)
		t.record(s, t.subscriptionAttrs(a, ev))
	}
	if ev.Err != nil {
		t.fail(s, ev.Err)
	}
	t.endInstant(s)
}

// subscriptionAttrs appends the attributes of the subscription of a
// Delivered event.
func (t *translator) subscriptionAttrs(a []attribute.KeyValue, ev *noex.Event) []attribute.KeyValue {
	a = append(a, attribute.Int64(keySubID, int64(ev.Ref)))
	if sb, ok := t.subs[ev.Ref]; ok {
		a = append(a, keySubscription.String(sb.pattern))
	}
	return a
}

// subscription tracks a bus's subscriptions (for the pattern of each
// delivery) and notes the change on the bus's handling.
func (t *translator) subscription(ev *noex.Event) {
	bus := ev.PID.ID()
	if ev.Kind == noex.Subscribed {
		t.subs[ev.Ref] = sub{pattern: ev.Name, bus: bus}
		t.proc(bus).bus = true
	} else {
		delete(t.subs, ev.Ref)
	}
	p := t.procs[bus]
	if p == nil || p.cur == nil || (ev.Parent != 0 && ev.Parent != p.curSeq) {
		return
	}
	name := "bus.subscribed"
	if ev.Kind == noex.Unsubscribed {
		name = "bus.unsubscribed"
	}
	t.event(p.cur, name,
		keySubscription.String(ev.Name),
		attribute.Int64(keySubID, int64(ev.Ref)),
		attribute.String(keyPeerName, ev.PeerLbl))
}
