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
// touch it, one message at a time, so it needs no lock.
type producerState struct {
	// TODO(part 1): what the producer must remember to hand out tasks: the
	// tasks waiting for a worker, in the order they came; the workers
	// waiting for a task, in the order they became ready; and what makes
	// each new id unique.
	//
	// TODO(part 2): which task each worker process holds, and which worker
	// processes the producer already watches. Where order matters (who gets
	// which task, what a message says), keep it in slices: a Go map's order
	// changes from run to run, and one seed must give one run.
}

// Init starts with an empty queue and no known worker: workers introduce
// themselves with Ready.
func (Producer) Init(context.Context) (*producerState, error) {
	// TODO(part 1, part 2): whatever your state needs made before the first
	// message.
	return &producerState{}, nil
}

// HandleCall queues a new task and answers with its id.
func (Producer) HandleCall(ctx context.Context, msg Enqueue, st *producerState) (TaskID, *producerState, error) {
	// TODO(part 1): queue a new task with msg.Payload, give queued tasks to
	// idle workers, and answer with the task's id. The id must be unique,
	// and the same under the same seed: deterministic mode replays a run from
	// its seed, so the id may come from the producer's state and from the
	// runtime's randomness, never from the wall clock or math/rand (the
	// chapter's solution uses Date.now() and Math.random()). Requirement:
	// "task ids are unique and deterministic".
	return "", st, ErrNotImplemented
}

// HandleCast records that a worker is ready: it has just started, or it has
// finished the task in r.Done.
func (Producer) HandleCast(ctx context.Context, r Ready, st *producerState) (*producerState, error) {
	// TODO(part 1): the worker r is idle: remember it (once, even if it says
	// so twice) and give it a task if one waits. Requirement: "all three
	// workers take part".
	//
	// TODO(part 2): the task r.Done is finished: it must not run again.
	// And from now on the producer must hear if the process r.PID ends while
	// it holds a task: "the producer monitors each worker before giving it a
	// task". A restarted worker is a new process, with a new PID, and says
	// Ready again: "a restarted worker gets tasks again".
	return st, ErrNotImplemented
}

// HandleInfo takes the noex.Down of a worker that has ended (part 2).
func (Producer) HandleInfo(ctx context.Context, msg any, st *producerState) (*producerState, error) {
	// TODO(part 2): a worker process has ended (a noex.Down). The task it
	// held, if any, must run again, first in line: "the producer requeues the
	// task of a crashed worker". A task it finished must not: the Down comes
	// after every message the process sent, so its Ready has arrived first
	// ("no task runs twice when a worker crashes"). The process is gone:
	// forget it wherever the producer remembers it.
	return st, ErrNotImplemented
}

// dispatch gives queued tasks to idle workers: the oldest task to the
// worker that has waited longest.
//
//lint:ignore U1000 a stub of the exercise: the solution calls it from the handlers.
func (st *producerState) dispatch(ctx context.Context) {
	// TODO(part 1): while a task waits and a worker is idle, give the oldest
	// task to the worker that has waited longest (an Assign). The producer
	// must not wait for the work, or it could not take new tasks meanwhile
	// (docs/02-ipc.md, "Cast: Fire-and-Forget"): "the producer assigns tasks
	// with casts". A worker that cannot be reached has ended (its Down is on
	// its way): forget it, and keep the task for another.
	//
	// TODO(part 2): remember which task each worker process got.
}
