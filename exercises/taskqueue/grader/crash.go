package grader

import (
	"fmt"
	"slices"

	"github.com/noex-go/noex/noex"
)

// The checks of part 2: a worker crashes in the middle of a task.

// checkMonitorsWorkers: the producer monitors a worker process before it
// gives it a task.
func checkMonitorsWorkers(x *facts) string {
	if !monitorsWorkers(x.r) {
		return "the producer monitors no worker: without a monitor it never hears of a crash, and the crashed " +
			"worker's task is lost. Monitor each worker process, so that its end reaches the producer as a noex.Down"
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
					"it crashed, the task would be lost. Monitor each worker process as soon as the producer knows of it",
					id, a.PeerLbl, a.Peer)
			}
		}
	}
	return ""
}

// checkRequeue: the task a crashed worker held is given again, after the
// crash, to another worker process.
func checkRequeue(x *facts) string {
	c, _ := x.injectedCrash()
	for _, id := range c.inflight {
		again := slices.ContainsFunc(x.assignments(id), func(a noex.Event) bool { return a.Seq > c.seq && a.Peer != c.pid })
		if again {
			continue
		}
		if !x.producerGotDown(c.pid) {
			return fmt.Sprintf("%s crashed while working on task %s and the producer was not told: monitor the "+
				"workers, and handle their noex.Down in the producer's HandleInfo", c.label, id)
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

// restarted returns the process the crashed worker was restarted as, if a
// supervisor restarted it.
func (x *facts) restarted(c crash) (noex.PID, bool) {
	for _, e := range x.ev {
		if e.Seq > c.seq && e.Kind == noex.ChildRestarted && e.Peer != c.pid && (e.Name == c.label || e.PeerLbl == c.label) {
			return e.Peer, true
		}
	}
	return noex.PID{}, false
}

// checkRestart: a supervisor restarts the crashed worker, and the new
// process registers the worker's name.
func checkRestart(x *facts) string {
	c, _ := x.injectedCrash()
	child, ok := x.restarted(c)
	if !ok {
		return fmt.Sprintf("%s crashed and no supervisor restarted it: start the workers under a one-for-one "+
			"supervisor", c.label)
	}
	if !slices.ContainsFunc(x.ev, func(e noex.Event) bool {
		return e.Seq > c.seq && e.Kind == noex.Registered && e.Name == c.label && e.PID == child
	}) {
		return fmt.Sprintf("%s crashed and was restarted as %v, which did not register as %q", c.label, child, c.label)
	}
	return ""
}

// checkRehired: the restarted worker gets tasks again. A producer that
// keeps the first reference it saw for each worker never does: it goes on
// casting to the dead process, which fails, while the new one waits.
//
// Right after a restart another idle worker may rightly get a task or two
// before the restarted one (it has waited longer); but once the producer
// has given as many tasks to others as there are workers while the
// restarted one has had none, it is not using it.
func checkRehired(x *facts) string {
	c, _ := x.injectedCrash()
	child, ok := x.restarted(c)
	if !ok {
		return "" // the supervisor restarts the crashed worker says so
	}
	ready := x.started[child]
	for _, e := range x.ev { // the producer's receipt of the new process's first message, if later
		if e.Kind == noex.MessageReceived && e.Label == producerLabel && e.Peer == child {
			ready = max(ready, e.Seq)
			break
		}
	}
	others := 0
	for _, id := range x.ids {
		for _, a := range x.assignments(id) {
			switch {
			case a.Peer == child:
				return ""
			case a.Seq > ready:
				others++
			}
		}
	}
	if others < workers {
		return ""
	}
	return fmt.Sprintf("%s was restarted as %v, but the producer never gave it a task, while it gave %d tasks to the "+
		"other workers after %v was ready: the producer kept the reference it had to the crashed process (%v), "+
		"which is dead, so its casts to %s fail and the restarted process waits idle. After a restart the worker "+
		"is a new process: find it again through its name, or take its PID from the message it sends when it is "+
		"ready", c.label, child, others, child, c.pid, c.label)
}

// checkNoneLost: every task is completed.
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

// checkNoneTwice: no task is completed twice.
func checkNoneTwice(x *facts) string {
	var is issues
	for _, id := range x.ids {
		if done := x.completions(id); len(done) > 1 {
			is.addf("task %s was completed %d times (by %s): give a task again only if it was not finished",
				id, len(done), labels(done, true))
		}
	}
	return x.join(is)
}
