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
	// TODO(part 1): tell the producer that this worker is ready (a Ready,
	// with the process to send tasks to), without waiting for it; fail Init
	// if it cannot be told. Init runs again, in a new process, each time the
	// supervisor restarts the worker. Requirement: "all three workers take
	// part".
	return &workerState{name: w.Name}, nil
}

// HandleCall answers nothing: a worker takes no calls.
func (Worker) HandleCall(_ context.Context, _ noex.None, st *workerState) (noex.None, *workerState, error) {
	return noex.None{}, st, nil
}

// HandleCast runs the task a.Task.
func (Worker) HandleCast(ctx context.Context, a Assign, st *workerState) (*workerState, error) {
	// TODO(part 1): work on the task for workTime(ctx), on the runtime's
	// clock, here in the handler: in deterministic mode that clock is
	// virtual, waiting on it lets the other processes run, and anything that
	// waits outside the runtime (time.Sleep, a goroutine) stops them or
	// escapes it. Requirement: "workers work in their own process, on the
	// runtime's clock".
	//
	// Then say the task is done to whoever cares, without knowing who: a
	// Completion, published on TopicCompleted on the event bus
	// (docs/02-ipc.md, "EventBus: Pub/Sub Communication"; requirement:
	// "workers publish completions on the event bus"). Then tell the
	// producer that this worker is ready again, and which task it has done.
	// Nothing that waits between the two: a crash there would make the
	// producer give the finished task again. Return any error on the way.
	return st, ErrNotImplemented
}
