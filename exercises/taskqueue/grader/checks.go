package grader

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// The checks of part 1. Each judges one component on what that component
// received, so that a correct component is never blamed for another's
// mistake: the monitor is judged on the completions the bus delivered to
// it, the producer on the tasks it gave out, a worker on the tasks it got.

// checkEnqueueCall: each Enqueue is one call to the producer, whose message
// carries the task and whose reply carries the id Enqueue returns.
func checkEnqueueCall(x *facts) string {
	for _, q := range x.r.enqueues {
		if obs := x.checkOneEnqueue(q); obs != "" {
			return obs
		}
	}
	return ""
}

func (x *facts) checkOneEnqueue(q enqueue) string {
	var toProducer, elsewhere []noex.Event
	for _, e := range x.ev {
		if e.Seq <= q.from || e.Seq > q.to || e.Kind != noex.MessageSent || e.Label != mainLabel {
			continue
		}
		if e.PeerLbl == producerLabel {
			toProducer = append(toProducer, e)
		} else {
			elsewhere = append(elsewhere, e)
		}
	}
	var calls []noex.Event
	var sent []string
	cast := false
	for _, e := range toProducer {
		msg := shorten(noex.FormatMessage(e.Msg), 80)
		switch e.MsgKind {
		case noex.KindCall:
			calls = append(calls, e)
			sent = append(sent, "called %P with "+msg)
		case noex.KindCast:
			cast = true
			sent = append(sent, "cast "+msg+" to %P")
		default:
			cast = true
			sent = append(sent, "sent %P "+msg+" with noex.Send")
		}
	}
	for i := range sent {
		who := "it"
		if i == 0 {
			who = "the producer"
		}
		sent[i] = strings.Replace(sent[i], "%P", who, 1)
	}
	call := fmt.Sprintf("Enqueue(%q)", q.payload)
	switch {
	case cast:
		return fmt.Sprintf("the client %s %s: enqueue must be one call that carries the task and returns its id. "+
			"A cast does not wait for the producer, so the id has to come from somewhere else, and between two "+
			"messages other clients' tasks can slip in", call, strings.Join(sent, ", then "))
	case len(calls) == 0 && q.err != nil:
		return fmt.Sprintf("%s returned an error without asking the producer: %v", call, q.err)
	case len(calls) == 0 && len(elsewhere) > 0:
		return fmt.Sprintf("%s did not call the producer; it sent a %s to %s instead", call,
			kindText(elsewhere[0].MsgKind), elsewhere[0].PeerLbl)
	case len(calls) == 0:
		return fmt.Sprintf("%s did not call the producer: enqueue must be one call to it, which answers with the id", call)
	case len(calls) > 1:
		return fmt.Sprintf("the client %s %s: enqueue must be one call that carries the task and returns its id",
			call, strings.Join(sent, ", then "))
	}
	c := calls[0]
	if !slices.Contains(stringsIn(c.Msg), q.payload) {
		return fmt.Sprintf("%s called the producer with %s, which does not carry the task's payload %q: the call "+
			"must carry the task", call, shorten(noex.FormatMessage(c.Msg), 80), q.payload)
	}
	rep, ok := x.reply(c)
	switch {
	case q.err != nil && ok && rep.Err != nil:
		return fmt.Sprintf("%s returned an error: the producer's HandleCall answered it with %q", call, rep.Err.Error())
	case q.err != nil:
		return fmt.Sprintf("%s returned an error: %v", call, q.err)
	case q.id == "":
		return fmt.Sprintf("%s returned an empty task id", call)
	case !ok:
		return fmt.Sprintf("the producer never answered the call of %s", call)
	case !slices.Contains(stringsIn(rep.Msg), q.id):
		return fmt.Sprintf("%s returned %q, but the producer answered %s: return the id the producer answers with",
			call, q.id, noex.FormatMessage(rep.Msg))
	}
	return ""
}

// checkIDs: no id is returned twice, and two runs of one seed give the
// same ids.
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
			return replayMark + fmt.Sprintf("two runs with seed %d gave different task ids (%s, then %s): make ids "+
				"from the producer's state (a counter) and noex.Rand or noex.Now, never from time.Now or math/rand",
				x.r.seed, quoteList(a, 3), quoteList(b, 3))
		}
	}
	return ""
}

// replayMark starts an observation made by comparing two runs of a seed.
const replayMark = "\x00replay:"

// checkAssignCasts: every message that carries a task from the producer to
// a worker is a cast, and tasks reach workers from the producer only.
func checkAssignCasts(x *facts) string {
	var is issues
	for _, id := range x.ids {
		sent := x.toWorkers[id]
		if len(sent) == 0 {
			continue // never given: each task is processed exactly once says so
		}
		given := x.assignments(id)
		if len(given) == 0 {
			is.addf("task %s reached %s from %s, not from the producer", id, sent[0].PeerLbl, sent[0].Label)
			continue
		}
		for _, e := range given {
			if e.MsgKind != noex.KindCast {
				is.addf("the producer gave task %s to %s with a %s: assign tasks with a cast, which does not wait "+
					"for the worker, so the producer stays free to take new tasks", id, e.PeerLbl, kindText(e.MsgKind))
				break
			}
		}
	}
	return x.join(is)
}

// checkPublish: a worker that got a task publishes its completion on the
// completion topic, over the bus.
func checkPublish(x *facts) string {
	var is issues
	for _, id := range x.ids {
		got := x.atWorkers[id]
		if len(got) == 0 {
			continue // never given: each task is processed exactly once says so
		}
		if done := x.completions(id); len(done) > 0 {
			for _, p := range done {
				if !slices.ContainsFunc(got, func(r noex.Event) bool { return r.PID == p.Peer }) {
					is.addf("task %s was given to %s, but %s published its completion", id, got[0].Label, p.PeerLbl)
					break
				}
				if other := otherWorker(p.Msg, p.PeerLbl); other != "" {
					is.addf("%s published the completion of task %s as done by %q: a completion names the worker "+
						"that did the task", p.PeerLbl, id, other)
					break
				}
			}
			continue
		}
		if obs := x.notPublished(id, got[0]); obs != "" {
			is.addf("%s", obs)
		}
	}
	return x.join(is)
}

// otherWorker returns the name of a worker other than self that msg
// mentions, or "".
func otherWorker(msg any, self string) string {
	for _, s := range stringsIn(msg) {
		if isWorker(s) && s != self {
			return s
		}
	}
	return ""
}

// notPublished says why no completion of id was published on the topic,
// given the first receipt of the task by a worker.
func (x *facts) notPublished(id string, got noex.Event) string {
	if e, ok := x.toMonitor[id]; ok {
		return fmt.Sprintf("%s sent the completion of task %s straight to the monitor (a %s), not over the event bus: "+
			"publish it on %q, so that whoever subscribes gets it and the worker needs to know no one", e.Label, id,
			kindText(e.MsgKind), topic)
	}
	if pubs := x.pubs[id]; len(pubs) > 0 {
		return fmt.Sprintf("the completion of task %s was published on %q, not on %q", id, pubs[0].Name, topic)
	}
	h, ok := x.handledEvent(got)
	switch {
	case !ok:
		return "" // the worker never finished handling it (a crash, or the run's end): nothing to judge
	case h.Err != nil:
		return fmt.Sprintf("%s did not publish the completion of task %s: its %s returned an error: %v", got.Label, id,
			handlerName(got.MsgKind), h.Err)
	}
	return fmt.Sprintf("%s received task %s and published no completion of it on the event bus", got.Label, id)
}

// checkSubscribed: the monitor holds a subscription matching the
// completion topic from before the first completion is published.
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
		return fmt.Sprintf("the monitor never subscribed to the event bus: it must subscribe to the completions (%q), "+
			"from its Init, so that none is published before it listens", "task.*")
	case len(matching) == 0:
		var pats []string
		for _, s := range subs {
			pats = append(pats, s.Name)
		}
		return fmt.Sprintf("the monitor subscribed to %s, which does not match %q", quoteList(pats, 3), topic)
	}
	if n, pats := x.mostSubscriptions(); n > 1 {
		return fmt.Sprintf("the monitor held %d subscriptions matching %q at once (%s): each completion reaches it "+
			"%d times. Subscribe once, in Init", n, topic, quoteList(pats, 3), n)
	}
	for _, e := range x.ev {
		if e.Kind == noex.Published && e.Name == topic {
			if e.Seq < matching[0].Seq {
				return fmt.Sprintf("the monitor subscribed only after the first completion was published (event %d; "+
					"its subscription is event %d): subscribe in the monitor's Init, which runs before anyone can "+
					"publish", e.Seq, matching[0].Seq)
			}
			break
		}
	}
	return ""
}

// mostSubscriptions returns the most subscriptions matching the
// completion topic the monitor held at once, and their patterns.
func (x *facts) mostSubscriptions() (int, []string) {
	live := map[uint64]string{} // subscription → pattern
	best, pats := 0, []string(nil)
	for _, e := range x.ev {
		if e.PeerLbl != monitorLabel {
			continue
		}
		switch e.Kind {
		case noex.Subscribed:
			if ok, _ := noex.MatchTopic(e.Name, topic); ok {
				live[e.Ref] = e.Name
			}
		case noex.Unsubscribed:
			delete(live, e.Ref)
		}
		if len(live) > best {
			best, pats = len(live), nil
			for _, p := range live {
				pats = append(pats, p)
			}
			slices.Sort(pats)
		}
	}
	return best, pats
}

// checkRecorded: the monitor answers with every completion the bus brought
// it, each exactly as often as it came, and only those.
func checkRecorded(x *facts) string {
	if obs := x.completionsCall(); obs != "" {
		return obs
	}
	got := map[string]int{}
	for _, c := range x.r.comps {
		got[c.TaskID]++
	}
	var is issues
	var missing []string
	published := 0
	for _, id := range x.ids {
		// Completions published after Completions asked the monitor cannot
		// be in its answer (a shutdown may make the system finish a task).
		done := slices.DeleteFunc(x.completions(id), func(p noex.Event) bool { return p.Seq > x.asked })
		if len(done) == 0 {
			continue
		}
		published++
		rec, recv := got[id], x.received[id]
		switch {
		case recv == 0 && x.delivered[id] > 0:
			if rec == 0 {
				missing = append(missing, id)
			} else {
				is.addf("the monitor reports task %s without having received its completion as a message: record "+
					"completions in the monitor's own process, from messages the bus sends to its mailbox", id)
			}
		case recv == 0:
			is.addf("%s", x.whyNotDelivered(id, done[0]))
		case rec < recv:
			missing = append(missing, id)
		case rec > recv:
			is.addf("the monitor reports task %s %d times but received its completion %d times", id, rec, recv)
		default:
			if w := x.recordedWorker(id); !slices.Contains(x.receivedWorkers[id], w) {
				is.addf("the monitor recorded task %s as done by %q, but the completion it received says %s", id, w,
					quoteList(x.receivedWorkers[id], 3))
			}
		}
	}
	if len(missing) > 0 && len(is) == 0 {
		if len(x.r.comps) == 0 && x.handlerOnly() {
			return fmt.Sprintf("the monitor's Completions returned nothing although %d completions were published: "+
				"they go to a Subscribe handler, which runs inside the bus and cannot change the monitor's state "+
				"(the chapter's bug); have the bus send each completion to the monitor's mailbox, and record it there",
				published)
		}
		return fmt.Sprintf("the bus brought the monitor %d completions, but its Completions returned %d of them; "+
			"missing: %s", published, published-len(missing), quoteList(missing, 3))
	}
	for _, c := range x.r.comps {
		if !x.idSet[c.TaskID] {
			is.addf("the monitor reports task %q, which was never enqueued", c.TaskID)
		}
	}
	return x.join(is)
}

// completionsCall checks that Completions asked the monitor and got an
// answer, naming the function an error came from.
func (x *facts) completionsCall() string {
	var call noex.Event
	ok := false
	for _, e := range x.ev {
		if e.Kind == noex.MessageSent && e.Label == mainLabel && e.PeerLbl == monitorLabel && e.MsgKind == noex.KindCall {
			call, ok = e, true
		}
	}
	err := x.r.compsErr
	switch {
	case !ok && err != nil:
		return fmt.Sprintf("Completions returned an error without asking the monitor: %v", err)
	case !ok:
		return "Completions did not ask the monitor: it must call it, and the monitor answers with what it recorded"
	case err != nil:
		if rep, ok := x.reply(call); ok && rep.Err != nil {
			return fmt.Sprintf("Completions returned an error: the monitor's HandleCall answered with %q", rep.Err.Error())
		}
		return fmt.Sprintf("Completions returned an error: %v", err)
	}
	return ""
}

// whyNotDelivered explains why a published completion never reached the
// monitor: it held no matching subscription when pub was published.
func (x *facts) whyNotDelivered(id string, pub noex.Event) string {
	var last noex.Event
	for _, e := range x.ev {
		if e.Seq > pub.Seq {
			break
		}
		if (e.Kind == noex.Subscribed || e.Kind == noex.Unsubscribed) && e.PeerLbl == monitorLabel {
			if ok, _ := noex.MatchTopic(e.Name, topic); ok {
				last = e
			}
		}
	}
	if last.Kind == noex.Unsubscribed {
		return fmt.Sprintf("the monitor's subscription to %q ended (event %d) before the completion of task %s was "+
			"published (event %d), so the bus never delivered it: the subscription must last as long as the monitor",
			last.Name, last.Seq, id, pub.Seq)
	}
	return fmt.Sprintf("the bus never delivered the completion of task %s to the monitor: it held no subscription "+
		"matching %q when the completion was published (event %d)", id, topic, pub.Seq)
}

func (x *facts) recordedWorker(id string) string {
	for _, c := range x.r.comps {
		if c.TaskID == id {
			return c.Worker
		}
	}
	return ""
}

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

// checkExactlyOnce: each task is given to one worker, once, and completed
// once.
func checkExactlyOnce(x *facts) string {
	var is issues
	for _, id := range x.ids {
		given, done := x.assignments(id), x.completions(id)
		switch {
		case len(given) == 0 && len(done) == 0:
			is.addf("task %s was never given to a worker", id)
		case len(done) > 1:
			is.addf("task %s was completed %d times (by %s)", id, len(done), labels(done, true))
		case len(given) > 1:
			is.addf("task %s was given to workers %d times (to %s)", id, len(given), labels(given, true))
		case len(done) == 0:
			is.addf("task %s was given to %s but never completed", id, given[0].PeerLbl)
		}
	}
	return x.join(is)
}

// checkAllWorkers: the producer gives tasks to every worker.
func checkAllWorkers(x *facts) string {
	count := map[string]int{}
	started := map[string]bool{}
	for _, e := range x.ev {
		if e.Kind == noex.ProcessStarted && isWorker(e.Label) {
			started[e.Label] = true
		}
	}
	for _, id := range x.ids {
		for _, a := range x.assignments(id) {
			count[a.PeerLbl]++
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
	switch {
	case len(idle) == workers && !x.workersSpoke():
		return fmt.Sprintf("the producer gave no task to any worker, and no worker ever sent the producer a message: "+
			"the producer cannot know which workers there are and when they are idle unless they tell it (%s "+
			"sent it nothing)", strings.Join(idle, ", "))
	case len(idle) > 0 && slices.ContainsFunc(x.ids, func(id string) bool { return len(x.assignments(id)) == 0 }):
		// A task was never given to anyone while a worker waited for one:
		// that is the mistake, and "each task is processed exactly once"
		// names it; the idle worker is its consequence, not a second one.
		return ""
	case len(idle) > 0:
		return fmt.Sprintf("the producer gave no task to %s (tasks given per worker: %s): give each task to an idle "+
			"worker, and all three are idle at the start", strings.Join(idle, " and "), strings.Join(per, ", "))
	}
	return ""
}

// workersSpoke reports whether a worker ever sent the producer a message.
func (x *facts) workersSpoke() bool {
	return slices.ContainsFunc(x.ev, func(e noex.Event) bool {
		return e.Kind == noex.MessageSent && isWorker(e.Label) && e.PeerLbl == producerLabel
	})
}

// checkCleanup: Shutdown leaves no name, process or subscription behind.
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
	return x.join(is)
}

// checkReplay: two runs of one seed give the same event log.
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
			return replayMark + fmt.Sprintf("two runs with seed %d differ at event %d:\n\tfirst run:  %s\n\tsecond run: %s\n"+
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
