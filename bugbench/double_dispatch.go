package bugbench

import (
	"context"
	"slices"

	"github.com/noex-go/noex/noex"
)

// A dispatcher gives each task to an idle worker and monitors its workers:
// when one ends with a task it has not seen completed, it gives the task
// to another worker. It learns of completions from the event bus, where
// the workers publish them. A worker that is killed after publishing its
// completion, but before telling the dispatcher it is ready again, leaves
// two messages on their way to the dispatcher: the Down from the runtime
// and the publication from the bus. Nothing orders them: if the Down comes
// first, the dispatcher gives the finished task to another worker, and the
// task runs twice. The fix: the worker tells the dispatcher itself that
// the task is done, before anything else. A Down comes after every message
// its process sent, so the dispatcher then always knows.

type submit struct{ Task string }

// workerNote is what a worker casts to the dispatcher: it is ready (at
// start, and after each task), or (Done set) it finished a task.
type workerNote struct {
	Worker noex.PID
	Done   string
}

type taskDone struct {
	Task   string
	Worker string
}

type runTask struct{ Task string }

// dispatcher hands tasks to idle workers and requeues the task of a
// worker that ends before the task is known to be done.
type dispatcher struct{}

type dispatcherState struct {
	queue   []string
	idle    []noex.PID
	busy    map[noex.PID]string
	watched map[noex.PID]bool
	done    []string
}

var dispatcherName = noex.Name[submit, workerNote, noex.None]("dispatcher")

func (dispatcher) Init(ctx context.Context) (*dispatcherState, error) {
	if _, err := noex.SubscribeMailbox(ctx, eventBus, "task.done"); err != nil {
		return nil, err
	}
	return &dispatcherState{busy: map[noex.PID]string{}, watched: map[noex.PID]bool{}}, nil
}

func (dispatcher) HandleCall(ctx context.Context, s submit, st *dispatcherState) (noex.None, *dispatcherState, error) {
	st.queue = append(st.queue, s.Task)
	st.dispatch(ctx)
	return noex.None{}, st, nil
}

func (dispatcher) HandleCast(ctx context.Context, n workerNote, st *dispatcherState) (*dispatcherState, error) {
	if n.Done != "" {
		st.markDone(n.Done)
		return st, nil
	}
	if !st.watched[n.Worker] {
		if _, err := noex.Monitor(ctx, n.Worker); err != nil {
			return st, err
		}
		st.watched[n.Worker] = true
	}
	delete(st.busy, n.Worker)
	st.idle = append(st.idle, n.Worker)
	st.dispatch(ctx)
	return st, nil
}

func (dispatcher) HandleInfo(ctx context.Context, msg any, st *dispatcherState) (*dispatcherState, error) {
	switch m := msg.(type) {
	case noex.Publication:
		if d, ok := m.Msg.(taskDone); ok {
			st.markDone(d.Task)
		}
	case noex.Down:
		st.idle = slices.DeleteFunc(st.idle, func(w noex.PID) bool { return w == m.PID })
		if t, ok := st.busy[m.PID]; ok {
			delete(st.busy, m.PID)
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

// resultStore keeps the input of each task and the result of every run.
type resultStore struct{}

type loadInput struct{ Task string }

type storeResult struct{ Run taskDone }

type storedRuns struct{}

// storeCall loads a task's input, saves a run, or lists the runs.
type storeCall interface{ storeCall() }

func (loadInput) storeCall()   {}
func (storeResult) storeCall() {}
func (storedRuns) storeCall()  {}

var storeName = noex.Name[storeCall, noex.None, []taskDone]("store")

func (resultStore) Init(context.Context) ([]taskDone, error) { return nil, nil }

func (resultStore) HandleCall(_ context.Context, c storeCall, runs []taskDone) ([]taskDone, []taskDone, error) {
	if s, ok := c.(storeResult); ok {
		runs = append(runs, s.Run)
	}
	return runs, runs, nil
}

func (resultStore) HandleCast(_ context.Context, _ noex.None, runs []taskDone) ([]taskDone, error) {
	return runs, nil
}

// ddWorker runs a task: it loads the task's input, publishes its
// completion, stores its result (calls to the store) and says it is ready
// again. Direct, it tells the dispatcher itself that the task is done
// before it publishes.
type ddWorker struct {
	name   string
	direct bool
}

func (w ddWorker) Init(ctx context.Context) (noex.None, error) {
	return noex.None{}, noex.Cast(ctx, dispatcherName, workerNote{Worker: noex.Self(ctx)})
}

func (w ddWorker) HandleCast(ctx context.Context, r runTask, s noex.None) (noex.None, error) {
	if _, err := noex.Call(ctx, storeName, storeCall(loadInput(r))); err != nil {
		return s, err
	}
	done := taskDone{Task: r.Task, Worker: w.name}
	if w.direct {
		if err := noex.Cast(ctx, dispatcherName, workerNote{Worker: noex.Self(ctx), Done: r.Task}); err != nil {
			return s, err
		}
	}
	if err := noex.Publish(ctx, eventBus, "task.done", done); err != nil {
		return s, err
	}
	if _, err := noex.Call(ctx, storeName, storeCall(storeResult{Run: done})); err != nil {
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
		Why: "the chaos process kills worker-1 after worker-1 has published the completion of its task " +
			"and before worker-1 is back from storing the result; " +
			"the dispatcher handles worker-1's Down before the bus delivers the completion",
		Buggy: doubleDispatchProgram(false),
		Fixed: doubleDispatchProgram(true),
	}
}

func doubleDispatchProgram(direct bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var chaos actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.StartBus(ctx, noex.WithName(eventBus.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, resultStore{}, noex.WithName(storeName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, dispatcher{}, noex.WithName(dispatcherName.String())); err != nil {
				return err
			}
			for _, name := range []string{"worker-1", "worker-2"} {
				if _, err := noex.Start(ctx, ddWorker{name: name, direct: direct}, noex.WithName(name)); err != nil {
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
			for _, t := range []string{"t1", "t2"} {
				if _, err := noex.Call(ctx, dispatcherName, submit{Task: t}); err != nil {
					return err
				}
			}
			return nil
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, chaos); err != nil {
				return err
			}
			runs, err := noex.Call(ctx, storeName, storeCall(storedRuns{}))
			if err != nil {
				return err
			}
			for i, r := range runs {
				if j := slices.IndexFunc(runs[i+1:], func(x taskDone) bool { return x.Task == r.Task }); j >= 0 {
					return violation("task %s ran twice: on %s, then on %s", r.Task, r.Worker, runs[i+1+j].Worker)
				}
			}
			return nil
		})
	}
}
