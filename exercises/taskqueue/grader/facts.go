package grader

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

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

	atWorkers map[string][]noex.Event // receipts, by workers, of messages that carry a task (not from the bus)
	toWorkers map[string][]noex.Event // messages that carried a task to a worker (not from the bus)
	pubs      map[string][]noex.Event // publications that mention a task, on any topic
	sentBy    map[string][]noex.Event // messages workers sent that mention a task
	toMonitor map[string]noex.Event   // the first message a worker sent the monitor about a task
	delivered map[string]int          // how often the bus delivered a task's completion to the monitor's subscriptions
	received  map[string]int          // how often a message about a task reached the monitor's mailbox from the bus, before Completions asked it
	asked     uint64                  // Seq of the monitor's receipt of the call of Completions (0: never)
	// receivedWorkers lists, by task, the worker names in the completions
	// the monitor received (before Completions asked it).
	receivedWorkers map[string][]string
	handled         map[msgKey]noex.Event // MessageHandled, by receiver and message
	replies         map[msgKey]noex.Event // ReplySent, by server and call
	started         map[noex.PID]uint64   // Seq of each process's ProcessStarted

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
		atWorkers: map[string][]noex.Event{}, toWorkers: map[string][]noex.Event{}, pubs: map[string][]noex.Event{},
		sentBy: map[string][]noex.Event{}, toMonitor: map[string]noex.Event{}, delivered: map[string]int{},
		received: map[string]int{}, handled: map[msgKey]noex.Event{}, replies: map[msgKey]noex.Event{},
		started: map[noex.PID]uint64{}, receivedWorkers: map[string][]string{}}
	for _, q := range r.enqueues {
		if q.err == nil && q.id != "" && !x.idSet[q.id] {
			x.idSet[q.id] = true
			x.ids = append(x.ids, q.id)
		}
	}
	for _, e := range x.ev {
		if x.asked == 0 && e.Kind == noex.MessageReceived && e.Label == monitorLabel && e.PeerLbl == mainLabel &&
			e.MsgKind == noex.KindCall {
			x.asked = e.Seq
		}
		switch e.Kind {
		case noex.MessageHandled:
			x.handled[msgKey{e.PID, e.Ref}] = e
			continue
		case noex.ReplySent:
			x.replies[msgKey{e.PID, e.Ref}] = e
			continue
		case noex.ProcessStarted:
			x.started[e.PID] = e.Seq
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
		if isWorker(e.Label) {
			x.sentBy[id] = append(x.sentBy[id], e)
			if _, seen := x.toMonitor[id]; !seen && e.PeerLbl == monitorLabel {
				x.toMonitor[id] = e
			}
		}
	case noex.MessageReceived:
		switch {
		case isWorker(e.Label) && e.PeerLbl != busLabel:
			x.atWorkers[id] = append(x.atWorkers[id], e)
		case e.Label == monitorLabel && e.MsgKind == noex.KindInfo && e.PeerLbl == busLabel && x.asked == 0:
			x.received[id]++
			for _, s := range stringsIn(e.Msg) {
				if isWorker(s) && !slices.Contains(x.receivedWorkers[id], s) {
					x.receivedWorkers[id] = append(x.receivedWorkers[id], s)
				}
			}
		}
	case noex.Published:
		x.pubs[id] = append(x.pubs[id], e)
	case noex.Delivered:
		if e.PeerLbl == monitorLabel && e.Name == topic && x.asked == 0 {
			x.delivered[id]++
		}
	}
}

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

// handledEvent returns the MessageHandled of the message received as r.
func (x *facts) handledEvent(r noex.Event) (noex.Event, bool) {
	e, ok := x.handled[msgKey{r.PID, r.Ref}]
	return e, ok
}

// event returns the event numbered seq.
func (x *facts) event(seq uint64) (noex.Event, bool) {
	j, ok := slices.BinarySearchFunc(x.ev, seq, func(e noex.Event, s uint64) int { return cmp.Compare(e.Seq, s) })
	if !ok {
		return noex.Event{}, false
	}
	return x.ev[j], true
}

// wallAt returns the wall-clock time the event numbered seq was observed at.
func (x *facts) wallAt(seq uint64) (time.Time, bool) {
	j, ok := slices.BinarySearchFunc(x.ev, seq, func(e noex.Event, s uint64) int { return cmp.Compare(e.Seq, s) })
	if !ok || j >= len(x.r.wall) {
		return time.Time{}, false
	}
	return x.r.wall[j], true
}

// handling returns the message pid was handling when the event numbered
// seq happened: its MessageReceived, if pid was between that and its
// MessageHandled. Init counts as handling (ok, with a zero Event).
func (x *facts) handling(pid noex.PID, seq uint64) (noex.Event, bool) {
	if s, ok := x.started[pid]; !ok || seq < s {
		return noex.Event{}, true // in Init
	}
	for i := len(x.ev) - 1; i >= 0; i-- {
		e := x.ev[i]
		if e.Seq >= seq || e.PID != pid {
			continue
		}
		switch e.Kind {
		case noex.MessageHandled:
			return noex.Event{}, false
		case noex.MessageReceived:
			return e, true
		}
	}
	return noex.Event{}, false
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
			given := slices.ContainsFunc(x.assignments(id), func(a noex.Event) bool { return a.Peer == e.PID && a.Seq < e.Seq })
			// Done: the worker told another process about the task (published
			// its completion, said it was ready) before it crashed.
			done := slices.ContainsFunc(x.sentBy[id], func(s noex.Event) bool {
				return s.PID == e.PID && s.Peer != e.PID && s.Seq < e.Seq
			})
			elsewhere := slices.ContainsFunc(x.completions(id), func(p noex.Event) bool { return p.Peer != e.PID })
			if given && !done && !elsewhere {
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
		return fmt.Sprintf("the grader makes %s panic on the first message it handles, and it handled none",
			workerName(x.r.victim))
	case crashKill:
		return fmt.Sprintf("the grader kills a worker that holds a task once %s been published, and no worker "+
			"held one then", plural(x.r.killAfter, "completion has", "completions have"))
	}
	return "the run crashes no worker"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// issues collects what a check observed, one sentence per task.
type issues []string

func (is *issues) addf(format string, args ...any) { *is = append(*is, fmt.Sprintf(format, args...)) }

var (
	workerRE = regexp.MustCompile(`worker-\d+`)
	pidRE    = regexp.MustCompile(`\bp\d+\b`)
	numberRE = regexp.MustCompile(`\d+`)
)

// join renders what a check observed: sentences that differ only in the
// task, the worker or a number are said once, with how many more there
// are; at most three different sentences are shown.
func (x *facts) join(is issues) string {
	const show = 3
	type group struct {
		first string
		n     int
	}
	ids := slices.Clone(x.ids)
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(len(b), len(a)) }) // longest first
	var groups []*group
	byShape := map[string]*group{}
	for _, s := range is {
		shape := s
		for _, id := range ids {
			shape = strings.ReplaceAll(shape, id, "‹task›")
		}
		shape = numberRE.ReplaceAllString(pidRE.ReplaceAllString(workerRE.ReplaceAllString(shape, "‹w›"), "‹p›"), "‹n›")
		g := byShape[shape]
		if g == nil {
			g = &group{first: s}
			byShape[shape] = g
			groups = append(groups, g)
		}
		g.n++
	}
	var out []string
	for i, g := range groups {
		if i == show {
			out = append(out, fmt.Sprintf("and %d more", len(groups)-show))
			break
		}
		s := g.first
		if g.n > 1 {
			s += fmt.Sprintf(" (and %d more like it)", g.n-1)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
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
	case noex.KindCast:
		return "cast (noex.Cast)"
	case noex.KindInfo:
		return "plain message (noex.Send)"
	}
	return k.String()
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

// monitorsWorkers reports whether the producer monitored any worker.
func monitorsWorkers(r *run) bool {
	return slices.ContainsFunc(r.events, func(e noex.Event) bool {
		return e.Kind == noex.MonitorSet && e.Label == producerLabel && isWorker(e.PeerLbl)
	})
}

func quoteList(list []string, show int) string {
	var q []string
	for i, s := range list {
		if i == show {
			q = append(q, fmt.Sprintf("and %d more", len(list)-show))
			break
		}
		q = append(q, fmt.Sprintf("%q", s))
	}
	return strings.Join(q, ", ")
}
