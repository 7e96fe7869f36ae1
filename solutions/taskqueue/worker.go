package taskqueue

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// Worker is the server that runs tasks. It takes no calls; its casts are
// [Assign]. Name is its registered name, e.g. "worker-0".
type Worker struct {
	Name string
}

var _ noex.Behavior[*workerState, noex.None, Assign, noex.None] = Worker{}

type workerState struct {
	name string
}

// Init tells the producer the worker is ready. It runs again, in a new
// process, each time the supervisor restarts the worker.
func (w Worker) Init(ctx context.Context) (*workerState, error) {
	if err := ProducerName.Cast(ctx, Ready{Worker: w.Name, PID: noex.Self(ctx)}); err != nil {
		return nil, fmt.Errorf("taskqueue: %s announcing itself: %w", w.Name, err)
	}
	return &workerState{name: w.Name}, nil
}

// HandleCall answers nothing: a worker takes no calls.
func (Worker) HandleCall(_ context.Context, _ noex.None, st *workerState) (noex.None, *workerState, error) {
	return noex.None{}, st, nil
}

// HandleCast runs the task: it simulates the work with [noex.Sleep],
// publishes the [Completion] on [TopicCompleted] and tells the producer it
// is ready for the next task. Publishing and telling the producer happen
// in one step, with nothing that waits in between.
func (Worker) HandleCast(ctx context.Context, a Assign, st *workerState) (*workerState, error) {
	if err := noex.Sleep(ctx, workTime(ctx)); err != nil {
		return st, err
	}
	c := Completion{TaskID: a.Task.ID, Worker: st.name}
	if err := noex.Publish(ctx, BusName, TopicCompleted, c); err != nil {
		return st, fmt.Errorf("taskqueue: %s publishing %s: %w", st.name, a.Task.ID, err)
	}
	if err := ProducerName.Cast(ctx, Ready{Worker: st.name, PID: noex.Self(ctx), Done: a.Task.ID}); err != nil {
		return st, fmt.Errorf("taskqueue: %s reporting %s: %w", st.name, a.Task.ID, err)
	}
	return st, nil
}
