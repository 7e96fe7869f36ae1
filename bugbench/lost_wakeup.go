package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// A consumer takes a job from a queue and, if there is none, asks a bell
// to wake it when one is put. The producer puts a job, then rings the
// bell; a bell with nobody waiting does nothing. If the consumer finds the
// queue empty, and the ring comes before the consumer's wait, the wake-up
// is lost: the job waits in the queue and the consumer waits for the bell,
// for ever. The fix is the classic one: ask to be woken first, then look.

// jobCall is the job queue's call: put a job, or take the oldest one.
type jobCall interface{ jobCall() }

type put struct{ Job string }

type take struct{}

func (put) jobCall()  {}
func (take) jobCall() {}

// jobQueue hands out jobs, oldest first; take answers "" when it is empty.
type jobQueue struct{}

var jobsName = noex.Name[jobCall, noex.None, string]("jobs")

func (jobQueue) Init(context.Context) ([]string, error) { return nil, nil }

func (jobQueue) HandleCall(_ context.Context, c jobCall, q []string) (string, []string, error) {
	if p, ok := c.(put); ok {
		return "", append(q, p.Job), nil
	}
	if len(q) == 0 {
		return "", q, nil
	}
	return q[0], q[1:], nil
}

func (jobQueue) HandleCast(_ context.Context, _ noex.None, q []string) ([]string, error) {
	return q, nil
}

type waitBell struct{ Waiter noex.PID }

type ring struct{}

type wake struct{}

// bell wakes the processes that wait for it when it rings, once; a ring
// with nobody waiting is lost.
type bell struct{}

var bellName = noex.Name[waitBell, ring, bool]("bell")

func (bell) Init(context.Context) ([]noex.PID, error) { return nil, nil }

func (bell) HandleCall(_ context.Context, w waitBell, waiting []noex.PID) (bool, []noex.PID, error) {
	return true, append(waiting, w.Waiter), nil
}

func (bell) HandleCast(ctx context.Context, _ ring, waiting []noex.PID) ([]noex.PID, error) {
	for _, w := range waiting {
		if err := noex.Send(ctx, w, wake{}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

type taken struct{}

// consumer takes jobs. Careful, it asks the bell to wake it before it
// looks at the queue; otherwise it looks first and waits if it found
// nothing.
type consumer struct{ careful bool }

func (consumer) Init(context.Context) ([]string, error) { return nil, nil }

func (c consumer) HandleCast(ctx context.Context, _ kick, got []string) ([]string, error) {
	if c.careful {
		if _, err := noex.Call(ctx, bellName, waitBell{Waiter: noex.Self(ctx)}); err != nil {
			return got, err
		}
		return takeJob(ctx, got)
	}
	got, err := takeJob(ctx, got)
	if err != nil || len(got) > 0 {
		return got, err
	}
	_, err = noex.Call(ctx, bellName, waitBell{Waiter: noex.Self(ctx)})
	return got, err
}

func (consumer) HandleInfo(ctx context.Context, msg any, got []string) ([]string, error) {
	if _, ok := msg.(wake); ok {
		return takeJob(ctx, got)
	}
	return got, nil
}

func (consumer) HandleCall(_ context.Context, _ taken, got []string) ([]string, []string, error) {
	return got, got, nil
}

func takeJob(ctx context.Context, got []string) ([]string, error) {
	j, err := noex.Call(ctx, jobsName, jobCall(take{}))
	if err != nil || j == "" {
		return got, err
	}
	return append(got, j), nil
}

func lostWakeup() Kernel {
	return Kernel{
		Name:   "lost-wakeup",
		Title:  "a consumer looks for a job, then waits for a bell that already rang",
		Source: "classic lost wake-up (missed notification)",
		Depth:  2,
		Why: "the consumer's take is handled before the producer's put, " +
			"and the bell handles the producer's ring before the consumer's wait",
		Buggy: lostWakeupProgram(false),
		Fixed: lostWakeupProgram(true),
	}
}

func lostWakeupProgram(careful bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var cons noex.Ref[taken, kick, []string]
		var prod actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, jobQueue{}, noex.WithName(jobsName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, bell{}, noex.WithName(bellName.String())); err != nil {
				return err
			}
			var err error
			if cons, err = noex.Start(ctx, consumer{careful: careful}, noex.WithName("consumer")); err != nil {
				return err
			}
			prod, err = startActor(ctx, "producer", act(func(ctx context.Context) error {
				// The put is a call: the job is in the queue before the bell rings.
				if _, err := noex.Call(ctx, jobsName, jobCall(put{Job: "j1"})); err != nil {
					return err
				}
				return noex.Cast(ctx, bellName, ring{})
			}))
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, cons, kick{}); err != nil {
				return err
			}
			return kickAll(ctx, prod)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, prod); err != nil {
				return err
			}
			got, err := noex.Call(ctx, cons, taken{})
			if err != nil {
				return err
			}
			if len(got) != 1 {
				left, err := noex.Call(ctx, jobsName, jobCall(take{}))
				if err != nil {
					return err
				}
				return violation("the consumer took %d jobs and waits for the bell while job %q is still queued: the ring came before its wait", len(got), left)
			}
			return nil
		})
	}
}
