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

// facts indexes one run's event log for the checks.
type facts struct {
	r     *run
	ev    []noex.Event
	ids   []string        // the ids Enqueue returned, in order, each once
	idSet map[string]bool // the same, as a set
	men   [][]string      // men[i]: the task ids ev[i]'s message mentions
}

func newFacts(r *run) *facts {
	x := &facts{r: r, ev: withPublishers(r.events), idSet: map[string]bool{}}
	for _, q := range r.enqueues {
		if q.err == nil && q.id != "" && !x.idSet[q.id] {
			x.idSet[q.id] = true
			x.ids = append(x.ids, q.id)
		}
	}
	x.men = make([][]string, len(x.ev))
	for i, e := range x.ev {
		switch e.Kind {
		case noex.MessageSent, noex.MessageReceived, noex.ReplySent, noex.Published, noex.Delivered:
			if e.Msg != nil && e.Label != probeLabel && e.PeerLbl != probeLabel {
				x.men[i] = idsIn(e.Msg, x.idSet)
			}
		}
	}
	return x
}

// withPublishers returns events with every Published event naming its
// publisher. In real mode the runtime leaves Peer empty on Published events
// of casts (Publish), so the publisher is taken from the event's cause: the
// bus's MessageReceived of the publication, whose Peer is the sender.
func withPublishers(events []noex.Event) []noex.Event {
	var out []noex.Event
	for i, e := range events {
		if e.Kind != noex.Published || !e.Peer.IsZero() || e.Parent == 0 {
			continue
		}
		if out == nil {
			out = slices.Clone(events)
		}
		if c := causeOf(events, e); c.Kind == noex.MessageReceived {
			out[i].Peer, out[i].PeerLbl, out[i].Ref = c.Peer, c.PeerLbl, c.Ref
		}
	}
	if out == nil {
		return events
	}
	return out
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

func (x *facts) mentions(i int, id string) bool { return slices.Contains(x.men[i], id) }

// sentToWorkers returns the messages that carried id to a worker, from
// anyone but the bus.
func (x *facts) sentToWorkers(id string) []noex.Event {
	var out []noex.Event
	for i, e := range x.ev {
		if e.Kind == noex.MessageSent && isWorker(e.PeerLbl) && e.Label != busLabel && x.mentions(i, id) {
			out = append(out, e)
		}
	}
	return out
}

// assignments returns the messages the producer sent a worker about id.
func (x *facts) assignments(id string) []noex.Event {
	var out []noex.Event
	for _, e := range x.sentToWorkers(id) {
		if e.Label == producerLabel {
			out = append(out, e)
		}
	}
	return out
}

// publications returns the publications that mention id, on any topic.
func (x *facts) publications(id string) []noex.Event {
	var out []noex.Event
	for i, e := range x.ev {
		if e.Kind == noex.Published && x.mentions(i, id) {
			out = append(out, e)
		}
	}
	return out
}

// completions returns the publications of id on the completion topic.
func (x *facts) completions(id string) []noex.Event {
	var out []noex.Event
	for _, e := range x.publications(id) {
		if e.Name == topic {
			out = append(out, e)
		}
	}
	return out
}

// reply returns the reply to the call c.
func (x *facts) reply(c noex.Event) (noex.Event, bool) {
	for _, e := range x.ev {
		if e.Kind == noex.ReplySent && e.Ref == c.Ref && e.PID == c.Peer {
			return e, true
		}
	}
	return noex.Event{}, false
}

// handlerErr returns the error the receiver's handler returned for the
// message sent as s, if any.
func (x *facts) handlerErr(s noex.Event) error {
	for _, e := range x.ev {
		if e.Kind == noex.MessageHandled && e.Ref == s.Ref && e.PID == s.Peer {
			return e.Err
		}
	}
	return nil
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

// handledOK reports whether the receiver of the message sent as s handled
// it to the end, without an error or a crash.
func (x *facts) handledOK(s noex.Event) bool {
	return slices.ContainsFunc(x.ev, func(e noex.Event) bool {
		return e.Kind == noex.MessageHandled && e.Ref == s.Ref && e.PID == s.Peer && e.Err == nil
	})
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

// labels lists the receivers (or, with from, the senders) of events.
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
