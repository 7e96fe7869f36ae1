package report

import "github.com/noex-go/noex/noex"

// StepKind is what a scheduling step does.
type StepKind uint8

// The kinds of step a deterministic scheduler chooses among.
const (
	StepDeliver StepKind = iota // deliver the oldest message from From to PID
	StepResume                  // resume PID, whose wait is over
	StepWakeup                  // let PID, which is receiving, observe its stop or kill
	StepTimer                   // fire a due timer of PID
)

func (k StepKind) String() string {
	switch k {
	case StepDeliver:
		return "deliver"
	case StepResume:
		return "resume"
	case StepWakeup:
		return "wake-up"
	case StepTimer:
		return "timer"
	}
	return "step"
}

// Step is one step that was enabled at a decision.
type Step struct {
	Kind      StepKind
	PID       noex.PID // the process the step runs on
	Label     string   // PID's label
	From      noex.PID // for a delivery: the sender
	FromLabel string
	Ref       uint64       // the message or timer id
	MsgKind   noex.MsgKind // for a delivery: the message's kind
	Msg       any          // for a delivery: the message
}

// String describes the step on one line, for example
// "deliver cast Track{ID:1} from router to analytics".
func (s Step) String() string {
	switch s.Kind {
	case StepDeliver:
		text := "deliver " + s.MsgKind.String()
		if s.Msg != nil {
			text += " " + noex.FormatMessage(s.Msg)
		}
		return text + " from " + s.FromLabel + " to " + s.Label
	case StepResume:
		return "resume " + s.Label
	case StepWakeup:
		return "wake " + s.Label + " to its stop"
	case StepTimer:
		return "fire a timer of " + s.Label
	}
	return s.Kind.String() + " " + s.Label
}

// Decision is one choice of a deterministic scheduler: after the event
// numbered Seq, Steps were enabled (oldest first) and the one at index
// Chosen ran. N numbers the decision as the schedule string does
// ([noex.Runtime.Schedule]).
type Decision struct {
	N      uint64
	Seq    uint64
	Chosen int
	Steps  []Step
}
