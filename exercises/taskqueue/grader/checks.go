package grader

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// requirement is one thing the exercise asks for, checked on every run of
// its part. check returns "" when the run meets it, else what the run
// showed, in plain words.
type requirement struct {
	part   int
	name   string
	check  func(x *facts) string
	tasks  bool // meaningless unless some task was enqueued
	replay bool // checked only on the second run of a seed run twice
}

// requirements are checked in this order and reported under these names.
var requirements = []requirement{
	{part: 1, name: "enqueue is a call that returns the task id", check: checkEnqueueCall},
	{part: 1, name: "task ids are unique and deterministic", check: checkIDs, tasks: true},
	{part: 1, name: "the producer assigns tasks with casts", check: checkAssignCasts, tasks: true},
	{part: 1, name: "workers publish completions on the event bus", check: checkPublish, tasks: true},
	{part: 1, name: "the monitor subscribes to all completions", check: checkSubscribed},
	{part: 1, name: "the monitor records every completion", check: checkRecorded, tasks: true},
	{part: 1, name: "each task is processed exactly once", check: checkExactlyOnce, tasks: true},
	{part: 1, name: "all three workers take part", check: checkAllWorkers, tasks: true},
	{part: 1, name: "everything is cleaned up after shutdown", check: checkCleanup},
	{part: 1, name: "the same seed gives the same run", check: checkReplay, replay: true},

	{part: 2, name: "the producer monitors each worker before giving it a task", check: checkMonitorsWorkers, tasks: true},
	{part: 2, name: "the producer requeues the task of a crashed worker", check: checkRequeue, tasks: true},
	{part: 2, name: "the supervisor restarts the crashed worker under its name", check: checkRestart, tasks: true},
	{part: 2, name: "no task is lost when a worker crashes", check: checkNoneLost, tasks: true},
	{part: 2, name: "no task runs twice when a worker crashes", check: checkNoneTwice, tasks: true},
	{part: 2, name: "the monitor records every completion", check: checkRecorded, tasks: true},
	{part: 2, name: "everything is cleaned up after shutdown", check: checkCleanup},
	{part: 2, name: "the same seed gives the same run", check: checkReplay, replay: true},
}

// partRequirements returns the requirements of part, in order.
func partRequirements(part int) []requirement {
	var out []requirement
	for _, req := range requirements {
		if req.part == part {
			out = append(out, req)
		}
	}
	return out
}

// verdict is what one run showed about one requirement.
type verdict struct {
	checked bool   // the requirement applies to the run
	obs     string // "" if the run meets it
}

// evaluate checks every requirement of the run's part on it.
func evaluate(x *facts) []verdict {
	reqs := partRequirements(x.r.part)
	out := make([]verdict, len(reqs))
	broken := x.broken()
	for i, req := range reqs {
		if req.replay && x.r.replayOf == nil {
			continue
		}
		out[i].checked = true
		switch {
		case broken != "":
			out[i].obs = broken
		case req.tasks && len(x.ids) == 0:
			out[i].obs = x.noTasks()
		default:
			out[i].obs = req.check(x)
		}
	}
	return out
}

// noTasks explains why no task was enqueued.
func (x *facts) noTasks() string {
	for _, q := range x.r.enqueues {
		if q.err != nil {
			return fmt.Sprintf("no task could be enqueued: Enqueue(%q) returned an error: %v", q.payload, q.err)
		}
	}
	return "no task could be enqueued: Enqueue returned no id"
}

// ---- part 1 ----

func checkEnqueueCall(x *facts) string {
	for _, q := range x.r.enqueues {
		if q.err != nil {
			return fmt.Sprintf("Enqueue(%q) returned an error: %v", q.payload, q.err)
		}
		if q.id == "" {
			return fmt.Sprintf("Enqueue(%q) returned an empty task id", q.payload)
		}
	}
	var calls, other []noex.Event
	for _, e := range x.ev {
		if e.Kind == noex.MessageSent && e.Label == mainLabel && e.PeerLbl == producerLabel {
			if e.MsgKind == noex.KindCall {
				calls = append(calls, e)
			} else {
				other = append(other, e)
			}
		}
	}
	n := len(x.r.enqueues)
	switch {
	case len(calls) == 0 && len(other) > 0:
		return fmt.Sprintf("Enqueue sent the producer a %s, not a call: use noex.Call, which waits for the "+
			"producer's answer, the task id", kindText(other[0].MsgKind))
	case len(calls) == 0:
		return "Enqueue did not call the producer: it must ask it with noex.Call(ctx, ProducerName, Enqueue{...})"
	case len(calls) != n:
		return fmt.Sprintf("%d calls of Enqueue sent the producer %d calls: each Enqueue must be exactly one call", n, len(calls))
	}
	for i, c := range calls {
		q := x.r.enqueues[i]
		rep, ok := x.reply(c)
		switch {
		case !ok:
			return fmt.Sprintf("the producer never answered the call of Enqueue(%q)", q.payload)
		case !slices.Contains(stringsIn(rep.Msg), q.id):
			return fmt.Sprintf("Enqueue(%q) returned %q, but the producer answered %s: return the id the producer "+
				"answers with", q.payload, q.id, noex.FormatMessage(rep.Msg))
		}
	}
	return ""
}

func checkIDs(x *facts) string {
	first := map[string]string{}
	for _, q := range x.r.enqueues {
		if q.err != nil || q.id == "" {
			continue
		}
		if p, dup := first[q.id]; dup {
			return fmt.Sprintf("Enqueue returned the same id %q for %q and %q: every task needs its own id", q.id, p, q.payload)
		}
		first[q.id] = q.payload
	}
	if prev := x.r.replayOf; prev != nil {
		a, b := newFacts(prev).ids, x.ids
		if !slices.Equal(a, b) {
			return fmt.Sprintf("two runs with seed %d gave different task ids (%s, then %s): make ids from the "+
				"producer's state (a counter) and noex.Rand or noex.Now, never from time.Now or math/rand",
				x.r.seed, quoteList(a, 3), quoteList(b, 3))
		}
	}
	return ""
}

func checkAssignCasts(x *facts) string {
	var is issues
	for _, id := range x.ids {
		sent := x.sentToWorkers(id)
		if len(sent) == 0 {
			is.addf("task %s was never sent to a worker", id)
			continue
		}
		given := x.assignments(id)
		if len(given) == 0 {
			is.addf("task %s reached %s from %s, not from the producer", id, sent[0].PeerLbl, sent[0].Label)
			continue
		}
		for _, e := range given {
			if e.MsgKind != noex.KindCast {
				is.addf("the producer gave task %s to %s with a %s: assign tasks with noex.Cast, which does not "+
					"wait for the worker", id, e.PeerLbl, kindText(e.MsgKind))
				break
			}
		}
	}
	return is.String()
}

func checkPublish(x *facts) string {
	var is issues
	for _, id := range x.ids {
		pubs := x.publications(id)
		if len(pubs) == 0 {
			if e, ok := x.directToMonitor(id); ok {
				is.addf("%s sent the completion of task %s straight to the monitor (a %s), not over the event bus: "+
					"publish it with noex.Publish(ctx, BusName, %q, ...)", e.Label, id, kindText(e.MsgKind), topic)
			} else {
				is.addf("no completion of task %s was published on the event bus", id)
			}
			continue
		}
		done := x.completions(id)
		if len(done) == 0 {
			is.addf("the completion of task %s was published on %q, not on %q", id, pubs[0].Name, topic)
			continue
		}
		for _, p := range done {
			if !isWorker(p.PeerLbl) {
				is.addf("the completion of task %s was published by %s, not by the worker that ran it", id, p.PeerLbl)
				break
			}
			if given := x.assignments(id); len(given) > 0 &&
				!slices.ContainsFunc(given, func(a noex.Event) bool { return a.Peer == p.Peer }) {
				is.addf("task %s was given to %s, but %s published its completion", id, given[0].PeerLbl, p.PeerLbl)
				break
			}
		}
	}
	return is.String()
}

// directToMonitor finds a message from a worker to the monitor about id.
func (x *facts) directToMonitor(id string) (noex.Event, bool) {
	e, ok := x.toMonitor[id]
	return e, ok
}

func checkSubscribed(x *facts) string {
	var subs, matching []noex.Event
	for _, e := range x.ev {
		if e.Kind == noex.Subscribed && e.PeerLbl == monitorLabel {
			subs = append(subs, e)
			if ok, _ := noex.MatchTopic(e.Name, topic); ok {
				matching = append(matching, e)
			}
		}
	}
	switch {
	case len(subs) == 0:
		return fmt.Sprintf("the monitor never subscribed to the event bus: subscribe in its Init, with "+
			"noex.SubscribeMailbox(ctx, BusName, %q)", "task.*")
	case len(matching) == 0:
		var pats []string
		for _, s := range subs {
			pats = append(pats, s.Name)
		}
		return fmt.Sprintf("the monitor subscribed to %s, which does not match %q", quoteList(pats, 3), topic)
	}
	for _, e := range x.ev {
		if e.Kind == noex.Published && e.Name == topic {
			if e.Seq < matching[0].Seq {
				return fmt.Sprintf("the monitor subscribed only after the first completion was published (event %d, "+
					"its subscription is event %d): subscribe in the monitor's Init", e.Seq, matching[0].Seq)
			}
			break
		}
	}
	return ""
}

func checkRecorded(x *facts) string {
	if x.r.compsErr != nil {
		return fmt.Sprintf("Completions returned an error: %v", x.r.compsErr)
	}
	if !slices.ContainsFunc(x.ev, func(e noex.Event) bool {
		return e.Kind == noex.MessageSent && e.Label == mainLabel && e.PeerLbl == monitorLabel && e.MsgKind == noex.KindCall
	}) {
		return "Completions did not ask the monitor: it must call it, with noex.Call(ctx, MonitorName, GetCompletions{})"
	}
	got := map[string]int{}
	for _, c := range x.r.comps {
		got[c.TaskID]++
	}
	var is issues
	var missing []string
	published := 0
	for _, id := range x.ids {
		done := x.completions(id)
		if len(done) == 0 {
			continue
		}
		published++
		if !x.deliveredToMonitor(id) {
			is.addf("the bus never delivered the completion of task %s to the monitor (no Delivered event): the "+
				"monitor's subscription must last as long as the monitor", id)
			continue
		}
		switch n := got[id]; {
		case n == 0:
			missing = append(missing, id)
		case n > 1:
			is.addf("the monitor recorded task %s %d times", id, n)
		default:
			if w := x.recordedWorker(id); !slices.ContainsFunc(done, func(p noex.Event) bool { return p.PeerLbl == w }) {
				is.addf("the monitor recorded task %s as done by %q, but %s published it", id, w, done[0].PeerLbl)
			} else if !x.monitorReceived(id) {
				is.addf("the monitor recorded task %s without receiving its completion as a message: record "+
					"completions in HandleInfo, from a subscription made with noex.SubscribeMailbox", id)
			}
		}
	}
	if len(missing) > 0 {
		if len(x.r.comps) == 0 && x.handlerOnly() {
			return fmt.Sprintf("the monitor's Completions returned nothing although %d completions were published: "+
				"they go to a Subscribe handler, which runs inside the bus and cannot change the monitor's state "+
				"(the chapter's bug); subscribe with noex.SubscribeMailbox and record each noex.Publication in "+
				"HandleInfo", published)
		}
		return fmt.Sprintf("the monitor's Completions returned %d of the %d completed tasks; missing: %s",
			published-len(missing), published, quoteList(missing, 3))
	}
	for _, c := range x.r.comps {
		if !x.idSet[c.TaskID] {
			is.addf("the monitor reports task %q, which was never enqueued", c.TaskID)
		}
	}
	return is.String()
}

func (x *facts) recordedWorker(id string) string {
	for _, c := range x.r.comps {
		if c.TaskID == id {
			return c.Worker
		}
	}
	return ""
}

// monitorReceived reports whether a message about id reached the monitor's
// mailbox.
func (x *facts) monitorReceived(id string) bool { return x.received[id] }

// deliveredToMonitor reports whether the bus delivered a publication
// about id to a subscription of the monitor.
func (x *facts) deliveredToMonitor(id string) bool { return x.delivered[id] }

// handlerOnly reports whether the monitor's subscriptions deliver to a
// handler inside the bus and none to its mailbox.
func (x *facts) handlerOnly() bool {
	delivered, mailed := false, false
	for _, e := range x.ev {
		switch {
		case e.Kind == noex.Delivered && e.PeerLbl == monitorLabel:
			delivered = true
		case e.Kind == noex.MessageSent && e.Label == busLabel && e.PeerLbl == monitorLabel && e.MsgKind == noex.KindInfo:
			mailed = true
		}
	}
	return delivered && !mailed
}

func checkExactlyOnce(x *facts) string {
	var is issues
	for _, id := range x.ids {
		given, done := x.assignments(id), x.completions(id)
		switch {
		case len(given) == 0 && len(done) == 0:
			is.addf("task %s was never given to a worker", id)
		case len(done) == 0:
			if err := x.handlerErr(given[0]); err != nil {
				is.addf("%s did not complete task %s: its handler returned %q", given[0].PeerLbl, id, err.Error())
			} else {
				is.addf("task %s was given to %s but never completed", id, given[0].PeerLbl)
			}
		case len(done) > 1:
			is.addf("task %s was completed %d times (by %s)", id, len(done), labels(done, true))
		case len(given) > 1:
			is.addf("task %s was given to workers %d times (to %s)", id, len(given), labels(given, true))
		}
	}
	return is.String()
}

func checkAllWorkers(x *facts) string {
	count := map[string]int{}
	started := map[string]bool{}
	for _, e := range x.ev {
		switch {
		case e.Kind == noex.ProcessStarted && isWorker(e.Label):
			started[e.Label] = true
		case e.Kind == noex.Published && e.Name == topic && isWorker(e.PeerLbl):
			count[e.PeerLbl]++
		}
	}
	var idle, per []string
	for i := range workers {
		w := workerName(i)
		if !started[w] {
			return fmt.Sprintf("%s never started", w)
		}
		per = append(per, w+": "+strconv.Itoa(count[w]))
		if count[w] == 0 {
			idle = append(idle, w)
		}
	}
	if len(idle) > 0 {
		return fmt.Sprintf("%s completed no task (completions per worker: %s): the producer must give work to "+
			"every worker", strings.Join(idle, " and "), strings.Join(per, ", "))
	}
	return ""
}

func checkCleanup(x *facts) string {
	r := x.r
	var is issues
	if r.shutErr != nil {
		is.addf("Shutdown returned an error: %v", r.shutErr)
	}
	if len(r.namesAfter) > 0 {
		is.addf("after Shutdown these names are still registered: %s", quoteList(r.namesAfter, 8))
	}
	leaks := []error{r.leaks}
	if j, ok := r.leaks.(interface{ Unwrap() []error }); ok {
		leaks = j.Unwrap()
	}
	for _, err := range leaks {
		if err != nil {
			first, _, _ := strings.Cut(err.Error(), "\n")
			is.addf("after Shutdown %s", strings.TrimPrefix(first, noextest.ErrLeak.Error()+": "))
		}
	}
	return is.String()
}

func checkReplay(x *facts) string {
	prev := x.r.replayOf
	if prev == nil {
		return ""
	}
	a, b := prev.events, x.r.events
	for i := range max(len(a), len(b)) {
		var la, lb string
		if i < len(a) {
			la = a[i].String()
		}
		if i < len(b) {
			lb = b[i].String()
		}
		if la != lb {
			return fmt.Sprintf("two runs with seed %d differ at event %d:\n\tfirst run:  %s\n\tsecond run: %s\n"+
				"Something depends on the wall clock (time.Now), math/rand or the order of a Go map: use noex.Now, "+
				"noex.Rand and sorted keys", x.r.seed, i+1, orNone(la), orNone(lb))
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "(no event)"
	}
	return s
}

// ---- part 2 ----

func checkMonitorsWorkers(x *facts) string {
	if !monitorsWorkers(x.r) {
		return "the producer monitors no worker: call noex.Monitor on each worker process, so that a crash " +
			"reaches the producer's HandleInfo as a noex.Down"
	}
	watched := map[noex.PID]uint64{} // worker process → Seq of the producer's first monitor on it
	for _, e := range x.ev {
		if e.Kind == noex.MonitorSet && e.Label == producerLabel && watched[e.Peer] == 0 {
			watched[e.Peer] = e.Seq
		}
	}
	for _, id := range x.ids {
		for _, a := range x.assignments(id) {
			if seq := watched[a.Peer]; seq == 0 || seq > a.Seq {
				return fmt.Sprintf("the producer gave task %s to %s (%v) without monitoring that process first: had "+
					"it crashed, the task would be lost. Monitor each worker (noex.Monitor) when it says it is ready",
					id, a.PeerLbl, a.Peer)
			}
		}
	}
	return ""
}

func checkRequeue(x *facts) string {
	c, ok := x.injectedCrash()
	if !ok {
		return x.noCrash()
	}
	for _, id := range c.inflight {
		again := slices.ContainsFunc(x.assignments(id), func(a noex.Event) bool { return a.Seq > c.seq && a.Peer != c.pid })
		if again {
			continue
		}
		if !x.producerGotDown(c.pid) {
			return fmt.Sprintf("%s crashed while working on task %s and the producer was not told: monitor the "+
				"workers (noex.Monitor) and handle noex.Down in the producer's HandleInfo", c.label, id)
		}
		return fmt.Sprintf("%s crashed while working on task %s; the producer got its noex.Down but never gave the "+
			"task to a worker again: put the crashed worker's task back in the queue", c.label, id)
	}
	return ""
}

func (x *facts) producerGotDown(pid noex.PID) bool {
	return slices.ContainsFunc(x.ev, func(e noex.Event) bool {
		return e.Kind == noex.MonitorDown && e.Label == producerLabel && e.Peer == pid
	})
}

func checkRestart(x *facts) string {
	c, ok := x.injectedCrash()
	if !ok {
		return x.noCrash()
	}
	var child noex.PID
	for _, e := range x.ev {
		if e.Seq > c.seq && e.Kind == noex.ChildRestarted && e.Peer != c.pid && (e.Name == c.label || e.PeerLbl == c.label) {
			child = e.Peer
			break
		}
	}
	if !child.IsZero() && slices.ContainsFunc(x.ev, func(e noex.Event) bool {
		return e.Seq > c.seq && e.Kind == noex.Registered && e.Name == c.label && e.PID == child
	}) {
		return ""
	}
	if child.IsZero() {
		return fmt.Sprintf("%s crashed and no supervisor restarted it: start the workers under a one-for-one "+
			"supervisor (noex.StartSupervisor)", c.label)
	}
	return fmt.Sprintf("%s crashed and was restarted as %v, which did not register as %q", c.label, child, c.label)
}

func checkNoneLost(x *facts) string {
	c, crashed := x.injectedCrash()
	var lost []string
	for _, id := range x.ids {
		if len(x.completions(id)) == 0 {
			lost = append(lost, id)
		}
	}
	if len(lost) == 0 {
		if len(x.r.enqueues) < x.r.tasks {
			return fmt.Sprintf("only %d of %d tasks could be enqueued", len(x.ids), x.r.tasks)
		}
		return ""
	}
	msg := fmt.Sprintf("%d of %d tasks were never completed: %s", len(lost), len(x.ids), quoteList(lost, 3))
	if crashed && slices.Contains(c.inflight, lost[0]) {
		msg += fmt.Sprintf(" (%s was in flight on %s when it crashed)", lost[0], c.label)
	}
	return msg
}

func checkNoneTwice(x *facts) string {
	var is issues
	for _, id := range x.ids {
		if done := x.completions(id); len(done) > 1 {
			is.addf("task %s was completed %d times (by %s): give a task again only if it was not finished",
				id, len(done), labels(done, true))
		}
	}
	return is.String()
}

func quoteList(list []string, show int) string {
	var q []string
	for i, s := range list {
		if i == show {
			q = append(q, fmt.Sprintf("and %d more", len(list)-show))
			break
		}
		q = append(q, strconv.Quote(s))
	}
	return strings.Join(q, ", ")
}
