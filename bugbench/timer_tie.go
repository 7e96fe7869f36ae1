package bugbench

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

// A failure detector checks every second that a node sent a heartbeat
// since the last check, and the node sends one every second. At each
// whole second both timers are due at the same instant: if the detector's
// check comes before that second's heartbeat, it suspects a node that is
// alive. Heartbeats at half the detector's period are the fix: whichever
// way a tie goes, a heartbeat came since the last check.

type heartbeat struct{}

type detectCheck struct{}

type beat struct{}

type suspicion struct{}

const detectorPeriod = time.Second

// detector counts heartbeats between checks and remembers the first check
// that found none.
type detector struct{}

type detectorState struct {
	beats     int
	checks    int
	suspected time.Time
}

func (detector) Init(ctx context.Context) (detectorState, error) {
	_, err := noex.SendAfter(ctx, noex.Self(ctx), detectCheck{}, detectorPeriod)
	return detectorState{}, err
}

func (detector) HandleCast(_ context.Context, _ heartbeat, s detectorState) (detectorState, error) {
	s.beats++
	return s, nil
}

func (detector) HandleInfo(ctx context.Context, msg any, s detectorState) (detectorState, error) {
	if _, ok := msg.(detectCheck); !ok {
		return s, nil
	}
	if s.beats == 0 && s.suspected.IsZero() {
		s.suspected = noex.Now(ctx)
	}
	s.beats = 0
	if s.checks++; s.checks < 3 {
		_, err := noex.SendAfter(ctx, noex.Self(ctx), detectCheck{}, detectorPeriod)
		return s, err
	}
	return s, nil
}

func (detector) HandleCall(_ context.Context, _ suspicion, s detectorState) (time.Time, detectorState, error) {
	return s.suspected, s, nil
}

var detectorName = noex.Name[suspicion, heartbeat, time.Time]("detector")

// node sends a heartbeat every period, until three seconds have passed.
type node struct{ period time.Duration }

func (n node) Init(ctx context.Context) (int, error) {
	_, err := noex.SendAfter(ctx, noex.Self(ctx), beat{}, n.period)
	return 0, err
}

func (n node) HandleInfo(ctx context.Context, _ any, sent int) (int, error) {
	if err := noex.Cast(ctx, detectorName, heartbeat{}); err != nil {
		return sent, err
	}
	if sent++; time.Duration(sent)*n.period < 3*detectorPeriod {
		_, err := noex.SendAfter(ctx, noex.Self(ctx), beat{}, n.period)
		return sent, err
	}
	return sent, nil
}

func (node) HandleCast(_ context.Context, _ noex.None, sent int) (int, error) { return sent, nil }

func (node) HandleCall(_ context.Context, _ noex.None, sent int) (noex.None, int, error) {
	return noex.None{}, sent, nil
}

func timerTie() Kernel {
	return Kernel{
		Name:   "timer-tie",
		Title:  "a failure detector suspects a live node when its check and the heartbeat are due together",
		Source: "classic bug that needs a timer tie",
		Depth:  1,
		Why: "at one whole second, where the detector's check timer and the node's beat timer are due at the same instant, " +
			"the detector handles its check before the node's heartbeat",
		Buggy: timerTieProgram(detectorPeriod),
		Fixed: timerTieProgram(detectorPeriod / 2),
	}
}

func timerTieProgram(beatEvery time.Duration) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		return rt.Run(ctx, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, detector{}, noex.WithName(detectorName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, node{period: beatEvery}, noex.WithName("node")); err != nil {
				return err
			}
			if err := noex.Sleep(ctx, 4*detectorPeriod); err != nil {
				return err
			}
			at, err := noex.Call(ctx, detectorName, suspicion{})
			if err != nil {
				return err
			}
			if !at.IsZero() {
				return violation("the detector suspected the node at %s although it sent a heartbeat every %v",
					at.Format("15:04:05"), beatEvery)
			}
			return nil
		})
	}
}
