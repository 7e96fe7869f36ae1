package bugbench

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/noex-go/noex/noex"
)

// A dispatcher gives each task to an idle worker and monitors its workers:
// when one ends with a task it has not seen completed, it gives the task
// to another worker (a worker that ends before its output is saved may
// have done any part of the task, and running it again is right). Workers
// save their output and its completion event in one write to the store,
// a transactional outbox: a relay publishes the event on the bus, where
// the job history (which shows operators what ran where) and the
// dispatcher learn of completions, in that order. A worker that is killed
// after saving its output, but before it tells the dispatcher it is ready
// again (it first deletes its scratch copy of the input), leaves two
// messages on their way to the dispatcher: the Down from the runtime, and
// the completion, by the relay and the bus. Nothing orders them: if the
// Down comes first, the dispatcher gives the finished task to another
// worker, and the task completes twice. The fix is a claim with fencing,
// as job queues have: a worker claims its task in the store when it starts
// it, and the store takes an output only from the worker that holds the
// claim; before it gives the task of a dead worker to another one, the
// dispatcher asks the store to release the dead worker's claim, which the
// store refuses if the output is saved (the task is done). A save that the
// dead worker still has on its way is then refused.

// dispatcherCall adds a worker to the pool, submits a task, or lists the
// completions heard of.
type dispatcherCall interface{ dispatcherCall() }

type addWorker struct {
	Worker noex.PID
	Name   string
}

type submit struct{ Task string }

type completions struct{}

func (addWorker) dispatcherCall()   {}
func (submit) dispatcherCall()      {}
func (completions) dispatcherCall() {}

// workerNote is what a worker casts to the dispatcher: it is ready again
// after a task.
type workerNote struct{ Worker noex.PID }

// taskDone is a completion: Worker ran Task, and its output is saved.
type taskDone struct {
	Task   string
	Worker string
}

type runTask struct{ Task string }

// dispatcher hands tasks to idle workers, monitors them from the moment
// they join its pool, and requeues the task of a worker that ends before
// the task is known to be done. Fencing, it first asks the store to
// release the dead worker's claim on the task.
type dispatcher struct{ fencing bool }

type dispatcherState struct {
	queue []string
	idle  []noex.PID
	names map[noex.PID]string
	busy  map[noex.PID]string
	done  []string
	heard []taskDone // every completion published, in the order heard
}

var dispatcherName = noex.Name[dispatcherCall, workerNote, []taskDone]("dispatcher")

func (dispatcher) Init(ctx context.Context) (*dispatcherState, error) {
	if _, err := noex.SubscribeMailbox(ctx, eventBus, "task.done"); err != nil {
		return nil, err
	}
	return &dispatcherState{names: map[noex.PID]string{}, busy: map[noex.PID]string{}}, nil
}

func (dispatcher) HandleCall(ctx context.Context, c dispatcherCall, st *dispatcherState) ([]taskDone, *dispatcherState, error) {
	switch c := c.(type) {
	case addWorker:
		if _, err := noex.Monitor(ctx, c.Worker); err != nil {
			return nil, st, err
		}
		st.idle = append(st.idle, c.Worker)
		st.names[c.Worker] = c.Name
	case submit:
		st.queue = append(st.queue, c.Task)
		st.dispatch(ctx)
	}
	return st.heard, st, nil
}

func (dispatcher) HandleCast(ctx context.Context, n workerNote, st *dispatcherState) (*dispatcherState, error) {
	delete(st.busy, n.Worker)
	st.idle = append(st.idle, n.Worker)
	st.dispatch(ctx)
	return st, nil
}

func (d dispatcher) HandleInfo(ctx context.Context, msg any, st *dispatcherState) (*dispatcherState, error) {
	switch m := msg.(type) {
	case noex.Publication:
		if d, ok := m.Msg.(taskDone); ok {
			st.heard = append(st.heard, d)
			st.markDone(d.Task)
		}
	case noex.Down:
		st.idle = slices.DeleteFunc(st.idle, func(w noex.PID) bool { return w == m.PID })
		if t, ok := st.busy[m.PID]; ok {
			delete(st.busy, m.PID)
			if d.fencing && !slices.Contains(st.done, t) {
				saved, err := noex.Call(ctx, storeName, storeCall(releaseClaim{Run: taskDone{Task: t, Worker: st.names[m.PID]}}))
				if err != nil {
					return st, err
				}
				if saved > 0 {
					st.markDone(t)
				}
			}
			if !slices.Contains(st.done, t) {
				st.queue = slices.Insert(st.queue, 0, t)
			}
		}
		st.dispatch(ctx)
	}
	return st, nil
}

func (st *dispatcherState) markDone(task string) {
	if !slices.Contains(st.done, task) {
		st.done = append(st.done, task)
	}
}

// dispatch gives queued tasks to idle workers, oldest first.
func (st *dispatcherState) dispatch(ctx context.Context) {
	for len(st.queue) > 0 && len(st.idle) > 0 {
		w := st.idle[0]
		st.idle = st.idle[1:]
		if err := noex.Cast(ctx, noex.RefOf[noex.None, runTask, noex.None](w), runTask{Task: st.queue[0]}); err != nil {
			continue // the worker has ended: its Down is on its way
		}
		st.busy[w] = st.queue[0]
		st.queue = st.queue[1:]
	}
}

// storeCall claims a task for a worker as it starts it, loads a task's
// input, saves a run's output with its completion event, deletes a
// worker's scratch copy of an input, or releases a dead worker's claim.
type storeCall interface{ storeCall() }

type claimTask struct{ Run taskDone }

type loadInput struct{ Task string }

type saveOutput struct{ Run taskDone }

type dropScratch struct{ Task string }

// releaseClaim releases Worker's claim on Task unless the output is saved;
// the reply is the number of outputs saved.
type releaseClaim struct{ Run taskDone }

func (claimTask) storeCall()    {}
func (loadInput) storeCall()    {}
func (saveOutput) storeCall()   {}
func (dropScratch) storeCall()  {}
func (releaseClaim) storeCall() {}

var errNotClaimed = errors.New("output refused: the worker does not hold the task's claim")

// taskStore keeps the inputs and outputs of tasks, and which worker runs
// each (its claim). Saving an output puts its completion event in the
// outbox, which the relay drains. Fencing, it takes an output only from
// the worker that holds the task's claim.
type taskStore struct{ fencing bool }

type storeState struct {
	outputs []taskDone
	claims  map[string]string // task → worker
}

var storeName = noex.Name[storeCall, noex.None, int]("store")

func (taskStore) Init(context.Context) (*storeState, error) {
	return &storeState{claims: map[string]string{}}, nil
}

func (ts taskStore) HandleCall(ctx context.Context, c storeCall, s *storeState) (int, *storeState, error) {
	switch c := c.(type) {
	case claimTask:
		s.claims[c.Run.Task] = c.Run.Worker
	case saveOutput:
		if ts.fencing && s.claims[c.Run.Task] != c.Run.Worker {
			return 0, s, fmt.Errorf("%s by %s: %w", c.Run.Task, c.Run.Worker, errNotClaimed)
		}
		s.outputs = append(s.outputs, c.Run)
		return 0, s, noex.Cast(ctx, relayName, c.Run)
	case releaseClaim:
		saved := 0
		for _, o := range s.outputs {
			if o.Task == c.Run.Task {
				saved++
			}
		}
		if saved == 0 && s.claims[c.Run.Task] == c.Run.Worker {
			delete(s.claims, c.Run.Task)
		}
		return saved, s, nil
	}
	return 0, s, nil
}

func (taskStore) HandleCast(_ context.Context, _ noex.None, s *storeState) (*storeState, error) {
	return s, nil
}

// history keeps the completions it hears of, for operators.
type history struct{}

func (history) Init(ctx context.Context) ([]taskDone, error) {
	_, err := noex.SubscribeMailbox(ctx, eventBus, "task.done")
	return nil, err
}

func (history) HandleCall(_ context.Context, _ noex.None, runs []taskDone) ([]taskDone, []taskDone, error) {
	return runs, runs, nil
}

func (history) HandleCast(_ context.Context, _ noex.None, runs []taskDone) ([]taskDone, error) {
	return runs, nil
}

func (history) HandleInfo(_ context.Context, msg any, runs []taskDone) ([]taskDone, error) {
	if p, ok := msg.(noex.Publication); ok {
		if d, ok := p.Msg.(taskDone); ok {
			runs = append(runs, d)
		}
	}
	return runs, nil
}

// relay publishes the events of the store's outbox on the bus.
type relay struct{}

var relayName = noex.Name[noex.None, taskDone, noex.None]("relay")

func (relay) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (relay) HandleCast(ctx context.Context, d taskDone, s noex.None) (noex.None, error) {
	return s, noex.Publish(ctx, eventBus, "task.done", d)
}

func (relay) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

// ddWorker runs a task as a batch worker does: it claims the task in the
// store (which also shows operators who runs what), fetches the task's
// input, saves the output (and with it the completion),
// deletes its scratch copy of the input and says it is ready again.
type ddWorker struct{ name string }

func (ddWorker) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (w ddWorker) HandleCast(ctx context.Context, r runTask, s noex.None) (noex.None, error) {
	if _, err := noex.Call(ctx, storeName, storeCall(claimTask{Run: taskDone{Task: r.Task, Worker: w.name}})); err != nil {
		return s, err
	}
	if _, err := noex.Call(ctx, storeName, storeCall(loadInput(r))); err != nil {
		return s, err
	}
	if _, err := noex.Call(ctx, storeName, storeCall(saveOutput{Run: taskDone{Task: r.Task, Worker: w.name}})); err != nil {
		return s, err
	}
	if _, err := noex.Call(ctx, storeName, storeCall(dropScratch(r))); err != nil {
		return s, err
	}
	return s, noex.Cast(ctx, dispatcherName, workerNote{Worker: noex.Self(ctx)})
}

func (ddWorker) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

func doubleDispatch() Kernel {
	return Kernel{
		Name:   "double-dispatch",
		Title:  "a dispatcher hears of a worker's death before its completion and runs the task again",
		Source: "classic double dispatch (completion and failure by different paths)",
		Depth:  3,
		Why: "the chaos process kills worker-1 after the store has saved worker-1's output " +
			"and before worker-1 is back from deleting its scratch copy; " +
			"the dispatcher handles worker-1's Down before the completion, which the relay and the bus carry",
		Buggy: doubleDispatchProgram(false),
		Fixed: doubleDispatchProgram(true),
	}
}

func doubleDispatchProgram(fencing bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var chaos actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.StartBus(ctx, noex.WithName(eventBus.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, history{}, noex.WithName("history")); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, relay{}, noex.WithName(relayName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, taskStore{fencing: fencing}, noex.WithName(storeName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, dispatcher{fencing: fencing}, noex.WithName(dispatcherName.String())); err != nil {
				return err
			}
			for _, name := range []string{"worker-1", "worker-2"} {
				w, err := noex.Start(ctx, ddWorker{name: name}, noex.WithName(name))
				if err != nil {
					return err
				}
				if _, err := noex.Call(ctx, dispatcherName, dispatcherCall(addWorker{Worker: w.PID(), Name: name})); err != nil {
					return err
				}
			}
			var err error
			chaos, err = startActor(ctx, "chaos", act(func(ctx context.Context) error {
				return noex.Kill(ctx, noex.Name[noex.None, runTask, noex.None]("worker-1"), nil)
			}))
			if err != nil {
				return err
			}
			if err := kickAll(ctx, chaos); err != nil {
				return err
			}
			_, err = noex.Call(ctx, dispatcherName, dispatcherCall(submit{Task: "t1"}))
			return err
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, chaos); err != nil {
				return err
			}
			heard, err := noex.Call(ctx, dispatcherName, dispatcherCall(completions{}))
			if err != nil {
				return err
			}
			for i, d := range heard {
				if j := slices.IndexFunc(heard[i+1:], func(x taskDone) bool { return x.Task == d.Task }); j >= 0 {
					return violation("task %s completed twice: on %s, then on %s", d.Task, d.Worker, heard[i+1+j].Worker)
				}
			}
			return nil
		})
	}
}
