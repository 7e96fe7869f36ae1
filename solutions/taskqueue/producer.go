package taskqueue

import (
	"context"
	"fmt"
	"slices"

	"github.com/noex-go/noex/noex"
)

// Producer is the server that accepts tasks and hands them to idle workers.
// Its calls are [Enqueue] (answered with the [TaskID]); its casts are the
// workers' [Ready]; its HandleInfo takes the [noex.Down] of a worker it
// monitors.
type Producer struct{}

var (
	_ noex.Behavior[*producerState, Enqueue, Ready, TaskID] = Producer{}
	_ noex.InfoHandler[*producerState]                      = Producer{}
)

// producerState is the producer's state. The maps are only looked up,
// never ranged over, so nothing depends on their order.
type producerState struct {
	seq   int               // tasks created so far
	queue []Task            // tasks waiting for a worker, oldest first
	idle  []Ready           // workers waiting for a task, in the order they became ready
	busy  map[noex.PID]Task // the task each worker process is working on
	watch map[noex.PID]bool // the worker processes the producer monitors
}

// Init starts with an empty queue and no known worker: workers introduce
// themselves with Ready.
func (Producer) Init(context.Context) (*producerState, error) {
	return &producerState{busy: map[noex.PID]Task{}, watch: map[noex.PID]bool{}}, nil
}

// HandleCall queues a new task and answers with its id. The id is unique
// (a counter) and deterministic: its random part comes from [noex.Rand],
// seeded by the runtime, never from the wall clock or math/rand.
func (Producer) HandleCall(ctx context.Context, msg Enqueue, st *producerState) (TaskID, *producerState, error) {
	st.seq++
	id := TaskID(fmt.Sprintf("task-%d-%04x", st.seq, noex.Rand(ctx).IntN(1<<16)))
	st.queue = append(st.queue, Task{ID: id, Payload: msg.Payload})
	st.dispatch(ctx)
	return id, st, nil
}

// HandleCast records that a worker is ready: it has started, or finished
// the task in r.Done. A worker is monitored from its first Ready on, so
// that a crash in the middle of a task reaches HandleInfo.
func (Producer) HandleCast(ctx context.Context, r Ready, st *producerState) (*producerState, error) {
	delete(st.busy, r.PID)
	if !st.watch[r.PID] {
		if _, err := noex.Monitor(ctx, r.PID); err != nil {
			return st, fmt.Errorf("taskqueue: monitoring %s: %w", r.Worker, err)
		}
		st.watch[r.PID] = true
	}
	if !slices.ContainsFunc(st.idle, func(x Ready) bool { return x.PID == r.PID }) {
		st.idle = append(st.idle, r)
	}
	st.dispatch(ctx)
	return st, nil
}

// HandleInfo takes the Down of a worker that has ended: its task, if it
// had one, goes back to the head of the queue, to be given out again (to
// another worker, or to the same one once its supervisor has restarted it).
// The Down comes after every message the worker sent, so a task it
// finished has been seen as Done already and is not run twice.
func (Producer) HandleInfo(ctx context.Context, msg any, st *producerState) (*producerState, error) {
	d, ok := msg.(noex.Down)
	if !ok {
		return st, nil
	}
	delete(st.watch, d.PID)
	st.idle = slices.DeleteFunc(st.idle, func(x Ready) bool { return x.PID == d.PID })
	if t, ok := st.busy[d.PID]; ok {
		delete(st.busy, d.PID)
		st.queue = slices.Insert(st.queue, 0, t)
	}
	st.dispatch(ctx)
	return st, nil
}

// dispatch gives queued tasks to idle workers, oldest task to the worker
// that has waited longest, each with a cast. A worker that can no longer be
// reached is forgotten (its Down is on its way, or has come); the task
// stays queued.
func (st *producerState) dispatch(ctx context.Context) {
	for len(st.queue) > 0 && len(st.idle) > 0 {
		w := st.idle[0]
		st.idle = st.idle[1:]
		t := st.queue[0]
		if err := noex.RefOf[noex.None, Assign, noex.None](w.PID).Cast(ctx, Assign{Task: t}); err != nil {
			continue
		}
		st.queue = st.queue[1:]
		st.busy[w.PID] = t
	}
}
