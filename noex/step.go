package noex

import (
	"strconv"
	"strings"
)

// StepKind says what an enabled step of a deterministic run does.
type StepKind uint8

const (
	// StepDeliver delivers the oldest message of one sender→receiver queue
	// to a receiver that waits for messages.
	StepDeliver StepKind = iota + 1
	// StepResume resumes a process whose wait is over: a reply arrived, a
	// Start, Stop or Wait completed, a timer woke it.
	StepResume
	// StepWakeup lets a receiving process with an empty mailbox observe its
	// stop or its kill.
	StepWakeup
	// StepTimer fires a timer that is due: a SendAfter's delivery, a Sleep's
	// wake-up, a call's or an Init's timeout.
	StepTimer
)

func (k StepKind) String() string {
	switch k {
	case StepDeliver:
		return "deliver"
	case StepResume:
		return "resume"
	case StepWakeup:
		return "wakeup"
	case StepTimer:
		return "timer"
	}
	return "step(" + strconv.Itoa(int(k)) + ")"
}

// Step describes one enabled step of a deterministic run, as a strategy
// ([StepChooser]) or a decision observer ([Runtime.ObserveDecisions]) sees
// it. Two steps that run on different processes commute unless one touches
// what the other reads (a registry name, the status of a process); steps on
// one process do not.
type Step struct {
	Kind  StepKind
	PID   PID    // the process the step runs on: the receiver, the resumed or woken process; for a timer, the process that set it
	Label string // PID's label

	// StepDeliver: the sender and the message. A SendAfter's message comes
	// from the process that set the timer.
	From      PID
	FromLabel string
	MsgKind   MsgKind
	Msg       any

	// Ref is the message's id for StepDeliver (the Ref of its MessageSent
	// event), the timer's id for StepTimer.
	Ref uint64

	// What the step ends: for StepResume, the wait ("call", "start", "stop",
	// "wait", "sleep"); for StepWakeup, "stop" or "kill"; for StepTimer, the
	// timer's purpose ("send-after", "sleep", "timeout").
	What string
}

// String describes the step in one line, for example
// "producer → worker-1: cast Task{ID:3}", "resume main (call)",
// "worker-1 observes its stop" or "timer 12 of producer (send-after)".
func (s Step) String() string {
	switch s.Kind {
	case StepDeliver:
		var b strings.Builder
		b.WriteString(s.FromLabel)
		b.WriteString(" → ")
		b.WriteString(s.Label)
		b.WriteString(": ")
		if s.MsgKind != KindNone {
			b.WriteString(s.MsgKind.String())
			b.WriteByte(' ')
		}
		b.WriteString(FormatMessage(s.Msg))
		return b.String()
	case StepResume:
		return "resume " + s.Label + " (" + s.What + ")"
	case StepWakeup:
		return s.Label + " observes its " + s.What
	case StepTimer:
		return "timer " + strconv.FormatUint(s.Ref, 10) + " of " + s.Label + " (" + s.What + ")"
	}
	return s.Kind.String()
}

// Decision is one scheduling decision of a deterministic run: a point where
// two or more steps were enabled.
type Decision struct {
	N      uint64 // its number, counted from 0 across the runtime's Runs, as in the schedule string
	Seq    uint64 // the Seq of the last event emitted before it (0 if none, or if nobody observes events)
	Chosen int    // the index of the step taken
	Steps  []Step // the enabled steps, oldest first
}

// StepChooser is a [Chooser] that sees what the enabled steps are: given to
// [WithChooser], its ChooseStep is called at every decision instead of
// Choose, and returns the index of the step to take. It is the way to write
// a strategy of one's own; the package's own are chosen by name with
// [WithStrategy].
type StepChooser interface {
	Chooser
	ChooseStep(steps Steps) int
}

// Steps is the list of the steps enabled at a decision, oldest first. It is
// valid only during the call to [StepChooser.ChooseStep] that received it.
type Steps struct{ s *scheduler }

// Len returns the number of enabled steps (at least 2).
func (v Steps) Len() int { return v.s.set.len() }

// At returns the i-th oldest enabled step, 0 ≤ i < Len().
func (v Steps) At(i int) Step { return v.s.set.at(i).describe() }

// ObserveDecisions attaches fn to a deterministic runtime's decisions: it is
// called at every point where two or more steps were enabled, once the
// choice is made and before the chosen step runs, from the goroutine that
// called [Runtime.Run]. fn must not block or call into the runtime. The
// returned function detaches it. Real mode makes no decisions.
func (rt *Runtime) ObserveDecisions(fn func(Decision)) (detach func()) {
	if fn == nil || !rt.det {
		return func() {}
	}
	s := rt.sched
	o := &decisionObserver{fn: fn}
	s.dobs = append(s.dobs, o)
	return func() {
		for i, x := range s.dobs {
			if x == o {
				s.dobs = append(s.dobs[:i:i], s.dobs[i+1:]...)
				return
			}
		}
	}
}

type decisionObserver struct{ fn func(Decision) }

// describe returns the public description of an enabled entry.
func (e *entry) describe() Step {
	switch e.kind {
	case stepDeliver:
		env, _ := e.q.q.Peek()
		s := Step{Kind: StepDeliver, PID: e.p.pid(), Label: e.p.labelStr(), MsgKind: env.kind, Msg: env.msg, Ref: env.id}
		if env.from != nil {
			s.From, s.FromLabel = env.from.pid(), env.from.labelStr()
		}
		return s
	case stepResume:
		s := Step{Kind: StepResume, PID: e.p.pid(), Label: e.p.labelStr(), What: "wait"}
		if w := e.p.d.w; w != nil {
			s.What = w.what
		}
		return s
	case stepWakeup:
		s := Step{Kind: StepWakeup, PID: e.p.pid(), Label: e.p.labelStr(), What: "stop"}
		if e.p.killed.Load() {
			s.What = "kill"
		}
		return s
	default:
		t := e.t
		s := Step{Kind: StepTimer, PID: t.owner.pid(), Label: t.owner.labelStr(), Ref: t.id, What: t.purpose}
		if s.What == "" {
			s.What = "timeout"
		}
		return s
	}
}
