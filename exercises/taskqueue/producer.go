package taskqueue

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// Producer is the server that accepts tasks and hands them to idle workers.
// Its calls are [Enqueue] (answered with the [TaskID]); its casts are the
// workers' [Ready]; its HandleInfo takes the [noex.Down] of a worker it
// monitors (part 2).
type Producer struct{}

var (
	_ noex.Behavior[*producerState, Enqueue, Ready, TaskID] = Producer{}
	_ noex.InfoHandler[*producerState]                      = Producer{}
)

// producerState is the producer's state: only the producer's own handlers
// touch it.
type producerState struct {
	// TODO(part 1): what the producer must remember: a counter for task ids,
	// the tasks waiting for a worker (oldest first) and the workers waiting
	// for a task (their Ready messages, in the order they arrived).
	//
	// TODO(part 2): the task each worker process is working on (a
	// map[noex.PID]Task), and which worker processes the producer monitors.
	// Look maps up; never range over one where the order could matter.
}

// Init starts with an empty queue and no known worker: workers introduce
// themselves with Ready.
func (Producer) Init(context.Context) (*producerState, error) {
	// TODO(part 1, part 2): make the maps your state needs.
	return &producerState{}, nil
}

// HandleCall queues a new task and answers with its id.
func (Producer) HandleCall(ctx context.Context, msg Enqueue, st *producerState) (TaskID, *producerState, error) {
	// TODO(part 1): make a Task with a new id and msg.Payload, add it to the
	// queue, give queued tasks to idle workers (st.dispatch) and answer with
	// the id. The id must be unique and the same under the same seed: build
	// it from the counter in your state, and from noex.Rand(ctx) or
	// noex.Now(ctx) if you like, never from time.Now or math/rand.
	return "", st, ErrNotImplemented
}

// HandleCast records that a worker is ready: it has just started, or it has
// finished the task in r.Done.
func (Producer) HandleCast(ctx context.Context, r Ready, st *producerState) (*producerState, error) {
	// TODO(part 1): remember the worker as idle (once, even if it says so
	// twice), then give queued tasks to idle workers (st.dispatch).
	//
	// TODO(part 2): forget the task the worker was working on (it is done),
	// and if the producer does not monitor r.PID yet, monitor it with
	// noex.Monitor(ctx, r.PID): when that process ends, HandleInfo receives a
	// noex.Down. A restarted worker is a new process and says Ready again.
	return st, ErrNotImplemented
}

// HandleInfo takes the noex.Down of a worker that has ended (part 2).
func (Producer) HandleInfo(ctx context.Context, msg any, st *producerState) (*producerState, error) {
	// TODO(part 2): for a noex.Down d, forget the worker process d.PID (it is
	// no longer idle nor monitored); if it was working on a task, put that
	// task back at the head of the queue, then dispatch. The Down comes after
	// every message the worker sent, so a task it finished has already been
	// reported by its Ready and must not run again.
	return st, ErrNotImplemented
}

// dispatch gives queued tasks to idle workers: the oldest task to the
// worker that has waited longest.
//
//lint:ignore U1000 a stub of the exercise: the solution calls it from the handlers.
func (st *producerState) dispatch(ctx context.Context) {
	// TODO(part 1): while a task is queued and a worker is idle, take both
	// and cast Assign{Task: t} to the worker:
	//
	//	noex.RefOf[noex.None, Assign, noex.None](w.PID).Cast(ctx, Assign{Task: t})
	//
	// A cast does not wait for the worker. If it fails, the worker has ended:
	// forget it and keep the task queued.
	//
	// TODO(part 2): remember which task each worker process got.
}
