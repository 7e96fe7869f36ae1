package trace

import (
	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel/attribute"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// sleepPurpose is the TimerSet name of noex.Sleep: its firing sends no
// message.
const sleepPurpose = "sleep"

// timerSet adds a "timer.set" event to the handling that set the timer and
// remembers that handling for the firing.
func (t *translator) timerSet(ev *noex.Event) {
	owner := ev.PID.ID()
	sc, open := t.parent(owner, ev.Parent)
	if open != nil {
		t.event(open, "timer.set",
			attribute.Int64(keyTimerID, int64(ev.Ref)),
			attribute.String(keyTimerName, ev.Name),
			attribute.String(keyTimerDelay, ev.Delay.String()))
	}
	if !sc.IsValid() && ev.Name == sleepPurpose {
		return
	}
	t.timers[ev.Ref] = &timerRec{sc: sc, owner: owner, setter: ev.Parent}
}

// timerFired adds a "timer.fired" event to the handling that set the timer
// if it is still running (a sleep), and links the message the timer sends
// to that handling.
func (t *translator) timerFired(ev *noex.Event) {
	tr := t.timers[ev.Ref]
	delete(t.timers, ev.Ref)
	if tr == nil {
		return
	}
	if p := t.procs[tr.owner]; p != nil && p.cur != nil && p.curSeq == tr.setter {
		t.event(p.cur, "timer.fired",
			attribute.Int64(keyTimerID, int64(ev.Ref)),
			attribute.String(keyTimerName, ev.Name))
	}
	if ev.Name != sleepPurpose {
		t.causes[ev.Seq] = cause{sc: tr.sc, timer: ev.Ref, link: true, once: true}
	}
}

// monitorDown links the Down message to the handling that crashed the
// monitored process, so that a supervisor's reaction points to the crash.
func (t *translator) monitorDown(ev *noex.Event) {
	if p := t.procs[ev.Peer.ID()]; p != nil && p.crashSC.IsValid() {
		t.causes[ev.Seq] = cause{sc: p.crashSC, link: true, once: true}
	}
}

// supervisor returns the span of supervisor ev.PID, starting it (as the
// root of the supervisor's own trace) at its first child event.
func (t *translator) supervisor(ev *noex.Event) oteltrace.Span {
	id := ev.PID.ID()
	if s := t.sups[id]; s != nil {
		return s
	}
	s := t.start(ev, 1, oteltrace.SpanContext{}, spanName("supervisor", ev.Label, anonymous(ev.PID, ev.Label)), oteltrace.SpanKindInternal,
		append(t.attrs(), pidAttr(ev.PID), attribute.String(keyProcessName, ev.Label)))
	t.sups[id] = s
	return s
}

// child records a child's start, restart or stop as an instant span under
// its supervisor's span, linked to the handling that caused it (for a
// restart, the supervisor's handling of the crashed child's Down).
func (t *translator) child(ev *noex.Event) {
	sup := t.supervisor(ev)
	name := "start "
	switch ev.Kind {
	case noex.ChildRestarted:
		name = "restart "
	case noex.ChildStopped:
		name = "stop "
	}
	var links []oteltrace.Link
	if sc, _ := t.parent(ev.PID.ID(), ev.Parent); sc.IsValid() {
		links = append(links, oteltrace.Link{SpanContext: sc})
	}
	a := append(t.attrs(), pidAttr(ev.Peer), attribute.String(keyProcessName, ev.PeerLbl),
		attribute.String(keyChildID, ev.Name))
	if ev.Kind != noex.ChildStarted {
		a = append(a, attribute.String(keyReason, noex.ReasonString(ev.Reason)))
	}
	s := t.start(ev, 0, sup.SpanContext(), name+ev.Name, oteltrace.SpanKindInternal, a, links...)
	t.endInstant(s)
}

// exceeded marks the supervisor's span failed: too many restarts.
func (t *translator) exceeded(ev *noex.Event) {
	sup := t.supervisor(ev)
	reason := ev.Reason
	if reason == nil {
		reason = ev.Err
	}
	if reason != nil {
		t.fail(sup, reason)
	}
	t.event(sup, "supervisor.max_restarts", attribute.String(keyReason, noex.ReasonString(reason)))
}
