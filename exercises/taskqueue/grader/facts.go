package grader

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// facts indexes one run's event log for the checks: built in one pass,
// so that each check looks things up instead of scanning the log.
type facts struct {
	r     *run
	ev    []noex.Event
	ids   []string        // the ids Enqueue returned, in order, each once
	idSet map[string]bool // the same, as a set

	toWorkers map[string][]noex.Event // messages that carried a task to a worker (not from the bus)
	pubs      map[string][]noex.Event // publications that mention a task, on any topic
	toMonitor map[string]noex.Event   // the first message a worker sent the monitor about a task
	delivered map[string]bool         // tasks the bus delivered to a subscription of the monitor
	received  map[string]bool         // tasks whose message reached the monitor's mailbox
	handled   map[msgKey]error        // MessageHandled: the handler's error, by receiver and message
	replies   map[msgKey]noex.Event   // ReplySent, by server and call

	crash     crash // the injected crash, computed once
	crashed   bool
	crashDone bool
}

// msgKey identifies a message at its receiver.
type msgKey struct {
	pid noex.PID
	ref uint64
}

func newFacts(r *run) *facts {
	x := &facts{r: r, ev: r.events, idSet: map[string]bool{},
		toWorkers: map[string][]noex.Event{}, pubs: map[string][]noex.Event{}, toMonitor: map[string]noex.Event{},
		delivered: map[string]bool{}, received: map[string]bool{}, handled: map[msgKey]error{},
		replies: map[msgKey]noex.Event{}}
	for _, q := range r.enqueues {
		if q.err == nil && q.id != "" && !x.idSet[q.id] {
			x.idSet[q.id] = true
			x.ids = append(x.ids, q.id)
		}
	}
	for _, e := range x.ev {
		switch e.Kind {
		case noex.MessageHandled:
			x.handled[msgKey{e.PID, e.Ref}] = e.Err
			continue
		case noex.ReplySent:
			x.replies[msgKey{e.PID, e.Ref}] = e
			continue
		case noex.MessageSent, noex.MessageReceived, noex.Published, noex.Delivered:
		default:
			continue
		}
		if e.Msg == nil || e.Label == probeLabel || e.PeerLbl == probeLabel {
			continue
		}
		for _, id := range idsIn(e.Msg, x.idSet) {
			x.index(e, id)
		}
	}
	return x
}

// index files e, which mentions the task id.
func (x *facts) index(e noex.Event, id string) {
	switch e.Kind {
	case noex.MessageSent:
		if isWorker(e.PeerLbl) && e.Label != busLabel {
			x.toWorkers[id] = append(x.toWorkers[id], e)
		}
		if _, seen := x.toMonitor[id]; !seen && isWorker(e.Label) && e.PeerLbl == monitorLabel {
			x.toMonitor[id] = e
		}
	case noex.MessageReceived:
		if e.Label == monitorLabel && e.MsgKind == noex.KindInfo {
			x.received[id] = true
		}
	case noex.Published:
		x.pubs[id] = append(x.pubs[id], e)
	case noex.Delivered:
		if e.PeerLbl == monitorLabel {
			x.delivered[id] = true
		}
	}
}

// broken says why nothing about the run can be judged, or "".
func (x *facts) broken() string {
	r := x.r
	switch {
	case r.startErr != nil:
		return fmt.Sprintf("Start failed: %v", r.startErr)
	case r.setupErr != nil:
		return r.setupErr.Error()
	case r.runErr != nil:
		return describeRunErr(r.runErr)
	}
	return ""
}

func describeRunErr(err error) string {
	var esc *noex.EscapeError
	switch {
	case errors.As(err, &esc):
		return fmt.Sprintf("the run failed: %s blocked outside the runtime (time.Sleep, a channel or a mutex?): "+
			"in a handler, wait only with noex operations (noex.Sleep, noex.Call): %v", esc.Process, err)
	case errors.Is(err, noex.ErrDeadlock):
		return fmt.Sprintf("the run failed: the processes wait for each other and none can go on: %v", err)
	}
	return fmt.Sprintf("the run failed: %v", err)
}

// sentToWorkers returns the messages that carried id to a worker, from
// anyone but the bus.
func (x *facts) sentToWorkers(id string) []noex.Event { return x.toWorkers[id] }

// assignments returns the messages the producer sent a worker about id.
func (x *facts) assignments(id string) []noex.Event {
	var out []noex.Event
	for _, e := range x.toWorkers[id] {
		if e.Label == producerLabel {
			out = append(out, e)
		}
	}
	return out
}

// publications returns the publications that mention id, on any topic.
func (x *facts) publications(id string) []noex.Event { return x.pubs[id] }

// completions returns the publications of id on the completion topic.
func (x *facts) completions(id string) []noex.Event {
	var out []noex.Event
	for _, e := range x.pubs[id] {
		if e.Name == topic {
			out = append(out, e)
		}
	}
	return out
}

// reply returns the reply to the call c.
func (x *facts) reply(c noex.Event) (noex.Event, bool) {
	e, ok := x.replies[msgKey{c.Peer, c.Ref}]
	return e, ok
}

// handlerErr returns the error the receiver's handler returned for the
// message sent as s, if any.
func (x *facts) handlerErr(s noex.Event) error { return x.handled[msgKey{s.Peer, s.Ref}] }

// handledOK reports whether the receiver of the message sent as s handled
// it to the end, without an error or a crash.
func (x *facts) handledOK(s noex.Event) bool {
	err, ok := x.handled[msgKey{s.Peer, s.Ref}]
	return ok && err == nil
}

// crash is the worker crash the grader injected.
type crash struct {
	pid      noex.PID
	label    string
	seq      uint64
	inflight []string // tasks given to it that it had not completed
}

// injectedCrash returns the crash the grader injected into the run. A task
// is in flight on the crashed worker when it was given to it and the worker
// had not finished handling that message, unless another worker completed
// the task anyway.
func (x *facts) injectedCrash() (crash, bool) {
	if !x.crashDone {
		x.crash, x.crashed = x.findCrash()
		x.crashDone = true
	}
	return x.crash, x.crashed
}

func (x *facts) findCrash() (crash, bool) {
	for _, e := range x.ev {
		if e.Kind != noex.ProcessCrashed || !isWorker(e.Label) || !errors.Is(e.Reason, noextest.ErrInjected) {
			continue
		}
		c := crash{pid: e.PID, label: e.Label, seq: e.Seq}
		for _, id := range x.ids {
			given := slices.ContainsFunc(x.assignments(id), func(a noex.Event) bool {
				return a.Peer == e.PID && a.Seq < e.Seq && !x.handledOK(a)
			})
			elsewhere := slices.ContainsFunc(x.completions(id), func(p noex.Event) bool { return p.Peer != e.PID })
			if given && !elsewhere {
				c.inflight = append(c.inflight, id)
			}
		}
		return c, true
	}
	return crash{}, false
}

// noCrash explains why the run has no injected crash.
func (x *facts) noCrash() string {
	switch x.r.crash {
	case crashPanic:
		return fmt.Sprintf("no worker crashed: the grader made %s panic on its first task, but it never received one",
			workerName(x.r.victim))
	case crashKill:
		return fmt.Sprintf("no worker crashed: the grader kills a worker that is working on a task once %s been "+
			"published, and none was", plural(x.r.killAfter, "completion has", "completions have"))
	}
	return "no worker crashed"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// issues collects what a check observed; String shows the first few.
type issues []string

func (is *issues) addf(format string, args ...any) { *is = append(*is, fmt.Sprintf(format, args...)) }

func (is issues) String() string {
	const show = 3
	if len(is) <= show {
		return strings.Join(is, "; ")
	}
	return strings.Join(is[:show], "; ") + fmt.Sprintf(" (and %d more)", len(is)-show)
}

// labels lists the labels of events' processes, or with peer, of their peers.
func labels(evs []noex.Event, peer bool) string {
	var out []string
	for _, e := range evs {
		l := e.Label
		if peer {
			l = e.PeerLbl
		}
		out = append(out, l)
	}
	return strings.Join(out, ", ")
}

func kindText(k noex.MsgKind) string {
	switch k {
	case noex.KindCall:
		return "call (noex.Call)"
	case noex.KindInfo:
		return "plain message (noex.Send)"
	}
	return k.String()
}

// notImplemented says where a run met the sentinel, or "", and to which
// part the TODO belongs: handling a noex.Down is part 2, the rest part 1.
func notImplemented(r *run, sentinel error) (where string, part int) {
	if sentinel == nil {
		return "", 0
	}
	is := func(err error) bool { return err != nil && errors.Is(err, sentinel) }
	if is(r.startErr) {
		return fmt.Sprintf("Start returned %q", r.startErr.Error()), 1
	}
	for _, q := range r.enqueues {
		if is(q.err) {
			return fmt.Sprintf("Enqueue returned %q", q.err.Error()), 1
		}
	}
	switch {
	case is(r.compsErr):
		return fmt.Sprintf("Completions returned %q", r.compsErr.Error()), 1
	case is(r.shutErr):
		return fmt.Sprintf("Shutdown returned %q", r.shutErr.Error()), 1
	}
	where, part = "", 0
	for _, e := range r.events {
		switch {
		case e.Kind == noex.MessageHandled && is(e.Err):
			w, p := fmt.Sprintf("%s's %s returned %q", e.Label, handlerName(e.MsgKind), e.Err.Error()), 1
			if m, ok := causeOf(r.events, e).Msg.(noex.Down); ok {
				w, p = fmt.Sprintf("%s's HandleInfo for a noex.Down (of %s) returned %q", e.Label, m.PID.Label(), e.Err.Error()), 2
			}
			if part == 0 || p < part {
				where, part = w, p
			}
		case e.Kind == noex.InitFailed && is(e.Err):
			return fmt.Sprintf("%s's Init returned %q", e.Label, e.Err.Error()), 1
		case part == 0 && (is(e.Err) || is(e.Reason)):
			where, part = fmt.Sprintf("%v (event %s)", sentinel, e), 1
		}
		if part == 1 {
			return where, part
		}
	}
	return where, part
}

func handlerName(k noex.MsgKind) string {
	switch k {
	case noex.KindCall:
		return "HandleCall"
	case noex.KindCast:
		return "HandleCast"
	case noex.KindInfo:
		return "HandleInfo"
	}
	return "handler"
}

// causeOf returns the event that caused e (its Parent), or a zero Event.
func causeOf(events []noex.Event, e noex.Event) noex.Event {
	j, ok := slices.BinarySearchFunc(events, e.Parent, func(x noex.Event, seq uint64) int { return cmp.Compare(x.Seq, seq) })
	if !ok {
		return noex.Event{}
	}
	return events[j]
}

// monitorsWorkers reports whether the producer monitored any worker.
func monitorsWorkers(r *run) bool {
	return slices.ContainsFunc(r.events, func(e noex.Event) bool {
		return e.Kind == noex.MonitorSet && e.Label == producerLabel && isWorker(e.PeerLbl)
	})
}
