package taskqueue

import (
	"context"

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
	// TODO(part 1): cast Ready{Worker: w.Name, PID: noex.Self(ctx)} to the
	// producer (ProducerName.Cast(ctx, ...)); return its error if the
	// cast fails.
	return &workerState{name: w.Name}, nil
}

// HandleCall answers nothing: a worker takes no calls.
func (Worker) HandleCall(_ context.Context, _ noex.None, st *workerState) (noex.None, *workerState, error) {
	return noex.None{}, st, nil
}

// HandleCast runs the task a.Task.
func (Worker) HandleCast(ctx context.Context, a Assign, st *workerState) (*workerState, error) {
	// TODO(part 1):
	//  1. simulate the work: noex.Sleep(ctx, workTime(ctx)) (virtual time in
	//     deterministic mode; never time.Sleep);
	//  2. publish Completion{TaskID: a.Task.ID, Worker: st.name} on
	//     TopicCompleted: noex.Publish(ctx, BusName, TopicCompleted, ...);
	//  3. tell the producer it is ready again: cast
	//     Ready{Worker: st.name, PID: noex.Self(ctx), Done: a.Task.ID}.
	// Return any error of these steps.
	return st, ErrNotImplemented
}
