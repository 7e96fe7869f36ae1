package grader

import (
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

// blockedWall is how much wall time a worker must spend on a task, while
// the virtual clock stands still, to count as blocked outside the runtime
// rather than as doing no work at all. It only chooses the words of a
// failure: a task done in no virtual time fails either way.
const blockedWall = 5 * time.Millisecond

// blockedAdvice ends the observation of a worker that worked without the
// virtual clock moving.
const blockedAdvice = ": it waited outside the runtime (time.Sleep, a channel or a lock?), holding up every other " +
	"process meanwhile. Wait on the runtime's clock instead (noex.Sleep), which lets the others run"

// checkWork: a worker does a task's work in its own process, inside its
// handlers, and the work takes time on the runtime's clock. Three ways to
// break it are told apart: sending the task's messages after the handler
// has returned (a goroutine that uses the worker's ctx), returning at once
// and doing nothing the runtime sees (the same goroutine, refused by the
// runtime), and working without the virtual clock moving (time.Sleep, a
// busy loop, or no work at all).
func checkWork(x *facts) string {
	for _, id := range x.ids {
		for _, got := range x.atWorkers[id] {
			if obs := x.checkTaskWork(id, got); obs != "" {
				return obs
			}
		}
	}
	return ""
}

func (x *facts) checkTaskWork(id string, got noex.Event) string {
	w := got.Label
	for _, s := range x.sentBy[id] {
		if s.PID != got.PID || s.Seq < got.Seq {
			continue
		}
		if cause, _ := x.event(s.Parent); cause.Kind == noex.TimerSet || cause.Kind == noex.TimerFired {
			continue // a timer's message (SendAfter) is sent when the timer fires
		}
		if _, in := x.handling(s.PID, s.Seq); !in {
			return fmt.Sprintf("%s sent %s (about task %s) after its handler had returned, from outside its process: "+
				"the handler must have handed the task to a goroutine (go func ...) that uses the worker's ctx. A "+
				"goroutine is not a process: the runtime cannot order what it does, and in deterministic mode it "+
				"refuses it (noex.ErrNotOwner). Do the work in the handler itself; waiting there with the runtime "+
				"lets the other processes run meanwhile", w, shorten(noex.FormatMessage(s.Msg), 80), id)
		}
	}
	if x.r.real {
		return ""
	}
	h, ok := x.handledEvent(got)
	if !ok || h.Err != nil {
		return "" // crashed, killed or failed: other requirements say so
	}
	pub, published := x.publishedBy(id, got)
	if !published {
		if h.Time.Equal(got.Time) && !x.actedBetween(got.PID, got.Seq, h.Seq) {
			return fmt.Sprintf("%s's %s for task %s returned at once: it did not wait on the runtime's clock, published "+
				"nothing and sent nothing, and the task was never completed. Work handed to a goroutine (go func ...) "+
				"happens outside the worker's process, where the runtime cannot schedule it (in deterministic mode it "+
				"refuses its calls with noex.ErrNotOwner): do the work in the handler", w, handlerName(got.MsgKind), id)
		}
		return ""
	}
	if pub.Time.After(got.Time) {
		return ""
	}
	from, ok1 := x.wallAt(got.Seq)
	to, ok2 := x.wallAt(pub.Seq)
	if spent := to.Sub(from); ok1 && ok2 && spent >= blockedWall && !x.timerBetween(got.PID, got.Seq, pub.Seq) {
		return fmt.Sprintf("%s spent %v of wall time on task %s while the virtual clock stood still",
			w, spent.Round(time.Millisecond), id) + blockedAdvice
	}
	return fmt.Sprintf("%s completed task %s without any time passing on the runtime's clock: simulate the work by "+
		"waiting for workTime(ctx) on the runtime's clock (noex.Sleep)", w, id)
}

// publishedBy returns the first message the worker process that received
// got sent another process about the task id after it got it: the
// publication of its completion, as a rule.
func (x *facts) publishedBy(id string, got noex.Event) (noex.Event, bool) {
	for _, s := range x.sentBy[id] {
		if s.PID == got.PID && s.Peer != got.PID && s.Seq > got.Seq {
			return s, true
		}
	}
	return noex.Event{}, false
}

// actedBetween reports whether pid sent a message or set a timer between
// the events numbered from and to.
func (x *facts) actedBetween(pid noex.PID, from, to uint64) bool {
	for _, e := range x.ev {
		if e.Seq > from && e.Seq < to && e.PID == pid && (e.Kind == noex.MessageSent || e.Kind == noex.TimerSet) {
			return true
		}
	}
	return false
}

// timerBetween reports whether pid set a timer between the events
// numbered from and to.
func (x *facts) timerBetween(pid noex.PID, from, to uint64) bool {
	for _, e := range x.ev {
		if e.Seq > from && e.Seq < to && e.PID == pid && e.Kind == noex.TimerSet {
			return true
		}
	}
	return false
}
