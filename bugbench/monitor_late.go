package bugbench

import (
	"context"
	"errors"

	"github.com/noex-go/noex/noex"
)

// A watcher is told to watch a job, monitors it, and reports the job as
// succeeded if it ends normally, as failed otherwise. If the job has
// already finished when the monitor is set, the Down comes at once with
// "not running" as its reason (Erlang's noproc): the watcher reports a job
// that succeeded as failed. The fix is to monitor first and only then let
// the job run: the watcher starts the job, monitors it, and tells it to go.

type runJob struct{}

// job does its work when told to and stops normally.
type job struct{}

func (job) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (job) HandleCast(ctx context.Context, _ runJob, s noex.None) (noex.None, error) {
	return s, noex.Stop(ctx, noex.Self(ctx), nil)
}

func (job) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

// watch asks the watcher to watch the job at PID, or (PID zero) to start
// the job itself, monitor it and then run it.
type watch struct{ Job noex.PID }

type verdict struct{}

type watcher struct{}

func (watcher) Init(context.Context) (string, error) { return "", nil }

func (watcher) HandleCast(ctx context.Context, w watch, v string) (string, error) {
	if !w.Job.IsZero() {
		_, err := noex.Monitor(ctx, w.Job)
		return v, err
	}
	j, err := noex.Start(ctx, job{}, noex.WithName("job"))
	if err != nil {
		return v, err
	}
	if _, err := noex.Monitor(ctx, j); err != nil {
		return v, err
	}
	return v, noex.Cast(ctx, j, runJob{})
}

func (watcher) HandleInfo(_ context.Context, msg any, v string) (string, error) {
	if d, ok := msg.(noex.Down); ok {
		if d.Reason == nil {
			return "succeeded", nil
		}
		return "failed: " + noex.ReasonString(d.Reason), nil
	}
	return v, nil
}

func (watcher) HandleCall(_ context.Context, _ verdict, v string) (string, string, error) {
	return v, v, nil
}

func monitorLate() Kernel {
	return Kernel{
		Name:   "monitor-late",
		Title:  "a watcher monitors a job that may already have ended",
		Source: "classic monitor set after its target died (noproc)",
		Depth:  1,
		Why:    "the job handles main's run and stops before the watcher handles main's watch and sets its monitor",
		Buggy:  monitorLateProgram(false),
		Fixed:  monitorLateProgram(true),
	}
}

func monitorLateProgram(monitorFirst bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var w noex.Ref[verdict, watch, string]
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			var err error
			if w, err = noex.Start(ctx, watcher{}, noex.WithName("watcher")); err != nil {
				return err
			}
			if monitorFirst {
				return noex.Cast(ctx, w, watch{})
			}
			j, err := noex.Start(ctx, job{}, noex.WithName("job"))
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, w, watch{Job: j.PID()}); err != nil {
				return err
			}
			return noex.Cast(ctx, j, runJob{})
		}, func(ctx context.Context) error {
			v, err := noex.Call(ctx, w, verdict{})
			if err != nil {
				return err
			}
			if v != "succeeded" {
				if v == "" {
					return errors.New("bugbench: the watcher never heard of the job's end")
				}
				return violation("the watcher reports the job %s, but it ended normally", v)
			}
			return nil
		})
	}
}
