package taskqueue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

// ErrNotImplemented is what the TODO bodies return. Remove it from each one
// as you implement it: while any TODO body still runs, the grader reports
// the exercise as not solved yet.
var ErrNotImplemented = errors.New("taskqueue: not implemented")

// TaskID identifies a task. The producer gives every task a new one.
type TaskID string

// Task is one unit of work: its id and what to do.
type Task struct {
	ID      TaskID
	Payload string
}

// Completion is what a worker publishes on [TopicCompleted] when it has
// finished a task, and what the [Monitor] records.
type Completion struct {
	TaskID TaskID
	Worker string // the worker's registered name, e.g. "worker-1"
}

// Enqueue is the producer's call: it queues a task with this payload and
// is answered with the task's id.
type Enqueue struct {
	Payload string
}

// Ready is the cast a worker sends the producer when it can take a task:
// once when it starts and again after each task, with Done set to the task
// it has just finished.
type Ready struct {
	Worker string   // the worker's registered name
	PID    noex.PID // the worker process, for the producer to cast to and monitor
	Done   TaskID   // the task just finished; empty when the worker has just started
}

// Assign is the cast the producer sends a worker to give it a task.
type Assign struct {
	Task Task
}

// GetCompletions is the monitor's call: it is answered with every
// completion recorded so far, in the order they arrived.
type GetCompletions struct{}

// The system's fixed names and sizes.
const (
	// TopicCompleted is the topic workers publish completions on.
	TopicCompleted = "task.completed"
	// CompletionPattern is the pattern the monitor subscribes with: every
	// task event, including TopicCompleted.
	CompletionPattern = "task.*"
	// Workers is the number of workers.
	Workers = 3
	// SupervisorName is the registered name of the workers' supervisor.
	SupervisorName = "workers"
)

// The registered names of the system's processes, typed so that Call and
// Cast check the messages.
var (
	BusName      = noex.BusName("event-bus")
	ProducerName = noex.Name[Enqueue, Ready, TaskID]("producer")
	MonitorName  = noex.Name[GetCompletions, noex.None, []Completion]("monitor")
)

// WorkerName returns the registered name of worker i: "worker-0",
// "worker-1", ...
func WorkerName(i int) string { return fmt.Sprintf("worker-%d", i) }

// How long a worker works on one task: workMin plus up to workJitter, in
// whole milliseconds, on the runtime's clock (virtual in deterministic mode).
//
//lint:ignore U1000 given to the exercise's workers, which the solver writes.
const (
	workMin    = 10 * time.Millisecond
	workJitter = 20 * time.Millisecond
)

// workTime draws the duration of one task from the process's random source:
// how long a worker works on it, on the runtime's clock.
//
//lint:ignore U1000 given to the exercise's workers, which the solver writes.
func workTime(ctx context.Context) time.Duration {
	return workMin + time.Duration(noex.Rand(ctx).Int64N(int64(workJitter/time.Millisecond)+1))*time.Millisecond
}

// System is a running task queue.
type System struct {
	stop []noex.Addr // what Start started, in start order
}

// Start starts the task queue: the bus, the monitor, the producer and the
// workers' supervisor, in that order, each registered under its name (the
// producer before the workers, which announce themselves to it). Call it
// from [noex.Runtime.Run]'s body or from a handler. If a part fails to
// start, Start stops those already started and returns the error.
func Start(ctx context.Context) (*System, error) {
	s := &System{}
	bus, err := noex.StartBus(ctx, noex.WithName(BusName.String()))
	if err != nil {
		return nil, fmt.Errorf("taskqueue: starting the bus: %w", err)
	}
	s.stop = append(s.stop, bus)
	mon, err := noex.Start(ctx, Monitor{}, noex.WithName(MonitorName.String()))
	if err != nil {
		return nil, s.abort(ctx, fmt.Errorf("taskqueue: starting the monitor: %w", err))
	}
	s.stop = append(s.stop, mon)
	prod, err := noex.Start(ctx, Producer{}, noex.WithName(ProducerName.String()))
	if err != nil {
		return nil, s.abort(ctx, fmt.Errorf("taskqueue: starting the producer: %w", err))
	}
	s.stop = append(s.stop, prod)
	children := make([]noex.ChildSpec, Workers)
	for i := range children {
		name := WorkerName(i)
		children[i] = noex.ServerChild(name, Worker{Name: name}, noex.WithName(name))
	}
	sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Strategy: noex.OneForOne, Children: children},
		noex.WithName(SupervisorName))
	if err != nil {
		return nil, s.abort(ctx, fmt.Errorf("taskqueue: starting the workers: %w", err))
	}
	s.stop = append(s.stop, sup)
	return s, nil
}

// abort stops what Start has started and returns err with any stop errors.
func (s *System) abort(ctx context.Context, err error) error {
	return errors.Join(err, s.Shutdown(ctx))
}

// Enqueue queues a task with payload and returns its id.
func (s *System) Enqueue(ctx context.Context, payload string) (TaskID, error) {
	// TODO(part 1): have the producer queue the task, and wait for its
	// answer, the new task's id. That is one request and one response
	// (docs/02-ipc.md, "Call: Request-Response"): the message carries the
	// task there, the answer brings the id back. Two messages, a cast and
	// then a question, would let other clients' tasks slip in between.
	// Requirement: "enqueue is a call that returns the task id".
	return "", ErrNotImplemented
}

// Completions returns every completion the monitor has recorded, in the
// order it received them.
func (s *System) Completions(ctx context.Context) ([]Completion, error) {
	// TODO(part 1): ask the monitor, and wait for its answer: what it has
	// recorded. Only the monitor knows, so only the monitor can answer.
	// Requirement: "the monitor records every completion".
	return nil, ErrNotImplemented
}

// Shutdown stops the system in the reverse order of Start, each part with
// reason [noex.ErrShutdown]: the supervisor (which stops the workers), the
// producer, the monitor (the bus drops its subscription) and the bus. When
// it returns, none of their names is registered. Tasks still queued are
// dropped. Calling it again does nothing.
func (s *System) Shutdown(ctx context.Context) error {
	var errs []error
	for i := len(s.stop) - 1; i >= 0; i-- {
		err := noex.Stop(ctx, s.stop[i], noex.ErrShutdown)
		if err != nil && !errors.Is(err, noex.ErrNotRunning) {
			errs = append(errs, fmt.Errorf("taskqueue: stopping %v: %w", s.stop[i], err))
		}
	}
	s.stop = nil
	return errors.Join(errs...)
}
