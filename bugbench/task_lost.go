package bugbench

import (
	"context"
	"slices"

	"github.com/noex-go/noex/noex"
)

// The task queue of the chapter's exercise: a producer gives each task to
// an idle worker with a cast, and workers say when they are ready again. A
// worker killed after the producer assigned it a task, but before it
// handled the assignment, takes the task with it: unless the producer
// monitors its workers and puts the task of a dead one back in the queue,
// the task is never done.

// producerCall is the producer's call: enqueue a task, or list the
// completed ones.
type producerCall interface{ producerCall() }

type enqueue struct{ Task string }

type completed struct{}

func (enqueue) producerCall()   {}
func (completed) producerCall() {}

// ready is what a worker casts to the producer when it starts and after
// each task (Done names the task it finished).
type ready struct {
	Worker noex.PID
	Done   string
}

type assign struct{ Task string }

// producer hands tasks to idle workers. Watching, it monitors each worker
// from its first ready on and requeues the task of a worker that ends.
type producer struct{ watching bool }

type producerState struct {
	queue []string
	idle  []noex.PID
	busy  map[noex.PID]string
	done  []string
}

var producerName = noex.Name[producerCall, ready, []string]("producer")

func (producer) Init(context.Context) (*producerState, error) {
	return &producerState{busy: map[noex.PID]string{}}, nil
}

func (producer) HandleCall(ctx context.Context, c producerCall, s *producerState) ([]string, *producerState, error) {
	if e, ok := c.(enqueue); ok {
		s.queue = append(s.queue, e.Task)
		s.dispatch(ctx)
	}
	return s.done, s, nil
}

func (p producer) HandleCast(ctx context.Context, r ready, s *producerState) (*producerState, error) {
	if r.Done != "" {
		s.done = append(s.done, r.Done)
		delete(s.busy, r.Worker)
	} else if p.watching {
		if _, err := noex.Monitor(ctx, r.Worker); err != nil {
			return s, err
		}
	}
	s.idle = append(s.idle, r.Worker)
	s.dispatch(ctx)
	return s, nil
}

func (producer) HandleInfo(ctx context.Context, msg any, s *producerState) (*producerState, error) {
	if d, ok := msg.(noex.Down); ok {
		s.idle = slices.DeleteFunc(s.idle, func(w noex.PID) bool { return w == d.PID })
		if t, ok := s.busy[d.PID]; ok {
			delete(s.busy, d.PID)
			s.queue = slices.Insert(s.queue, 0, t)
		}
		s.dispatch(ctx)
	}
	return s, nil
}

// dispatch gives queued tasks to idle workers, oldest first. A worker that
// cannot be reached any more is forgotten and the task stays queued.
func (s *producerState) dispatch(ctx context.Context) {
	for len(s.queue) > 0 && len(s.idle) > 0 {
		w := s.idle[0]
		s.idle = s.idle[1:]
		if err := noex.Cast(ctx, noex.RefOf[noex.None, assign, noex.None](w), assign{Task: s.queue[0]}); err != nil {
			continue
		}
		s.busy[w] = s.queue[0]
		s.queue = s.queue[1:]
	}
}

// tqWorker runs tasks (instantly) and reports each one done.
type tqWorker struct{}

func (tqWorker) Init(ctx context.Context) (noex.None, error) {
	return noex.None{}, noex.Cast(ctx, producerName, ready{Worker: noex.Self(ctx)})
}

func (tqWorker) HandleCast(ctx context.Context, a assign, s noex.None) (noex.None, error) {
	return s, noex.Cast(ctx, producerName, ready{Worker: noex.Self(ctx), Done: a.Task})
}

func (tqWorker) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

func taskLost() Kernel {
	return Kernel{
		Name:   "task-lost",
		Title:  "the task queue loses a task when a worker is killed",
		Source: "the chapter's exercise, the task queue (exercises/taskqueue, part 2)",
		Depth:  2,
		Why: "the producer casts a task to worker-0 before the chaos process kills worker-0, " +
			"and the kill comes before worker-0 handles that cast",
		Buggy: taskLostProgram(false),
		Fixed: taskLostProgram(true),
	}
}

func taskLostProgram(watching bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		tasks := []string{"t1", "t2"}
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, producer{watching: watching}, noex.WithName(producerName.String())); err != nil {
				return err
			}
			_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Strategy: noex.OneForOne,
				Children: []noex.ChildSpec{
					noex.ServerChild("worker-0", tqWorker{}, noex.WithName("worker-0")),
					noex.ServerChild("worker-1", tqWorker{}, noex.WithName("worker-1")),
				},
			}, noex.WithName("workers"))
			if err != nil {
				return err
			}
			chaos, err := startActor(ctx, "chaos", act(func(ctx context.Context) error {
				return noex.Kill(ctx, noex.Name[noex.None, assign, noex.None]("worker-0"), nil)
			}))
			if err != nil {
				return err
			}
			for _, t := range tasks {
				if _, err := noex.Call(ctx, producerName, producerCall(enqueue{Task: t})); err != nil {
					return err
				}
			}
			return kickAll(ctx, chaos)
		}, func(ctx context.Context) error {
			done, err := noex.Call(ctx, producerName, producerCall(completed{}))
			if err != nil {
				return err
			}
			for _, t := range tasks {
				if !slices.Contains(done, t) {
					return violation("task %s was never completed (completed: %q): worker-0 was killed with it in its mailbox", t, done)
				}
			}
			return nil
		})
	}
}
