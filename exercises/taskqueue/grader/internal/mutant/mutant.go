// Package mutant is a task queue with switchable mistakes, for the grader's
// own tests: with no [Mistakes] it solves both parts of the exercise; each
// mistake breaks (mostly) one requirement, the way a student might.
//
//noexvet:ignore the mistakes escape the runtime on purpose, for the grader's own tests
package mutant

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/noex"
)

// ErrNotImplemented is what a TODO body returns (see Mistakes.TODO).
var ErrNotImplemented = errors.New("mutant: not implemented")

// Mistakes selects what the implementation gets wrong. The zero value gets
// nothing wrong.
type Mistakes struct {
	TODO            string // "enqueue" or "down": that body returns ErrNotImplemented
	EnqueueCast     bool   // Enqueue casts to the producer and makes up the id itself
	RandomIDs       bool   // ids from math/rand, not noex.Rand
	SameID          bool   // every task gets the same id
	AssignCall      bool   // the producer assigns tasks with a call
	Topic           string // workers publish on this topic instead of task.completed
	DirectToMonitor bool   // workers cast completions to the monitor, not over the bus
	HandlerOnly     bool   // the monitor subscribes with a handler that only logs (the chapter's bug)
	Pattern         string // the monitor subscribes with this pattern
	AssignTwice     bool   // each task is given to two workers
	OneWorker       bool   // only worker-0 gets tasks
	LeakBus         bool   // Shutdown leaves the bus running
	NoMonitor       bool   // the producer monitors no worker (part 2 not begun)
	MonitorLate     bool   // the producer monitors a worker only after its first task
	NoRequeue       bool   // the producer ignores Down
	RequeueDone     bool   // on Down, the producer requeues the worker's last task, even when done
}

const (
	topic   = "task.completed"
	workers = 3
	busName = "event-bus"
)

var (
	bus      = noex.BusName(busName)
	producer = noex.Name[enqueue, ready, string]("producer")
	monitorN = noex.Name[getCompletions, noex.None, []grader.Completion]("monitor")
)

type (
	enqueue struct{ Payload string }
	ready   struct {
		Worker string
		PID    noex.PID
		Done   string
	}
	task           struct{ ID, Payload string }
	assign         struct{ Task task }
	getCompletions struct{}
)

// Start returns a Start function for grader.Impl with the mistakes m.
func Start(m Mistakes) func(ctx context.Context) (grader.System, error) {
	return func(ctx context.Context) (grader.System, error) {
		s := &system{m: m}
		b, err := noex.StartBus(ctx, noex.WithName(busName))
		if err != nil {
			return nil, err
		}
		s.stop = append(s.stop, b)
		mon, err := noex.Start(ctx, &monitorB{m: m}, noex.WithName("monitor"))
		if err != nil {
			return nil, err
		}
		s.stop = append(s.stop, mon)
		prod, err := noex.Start(ctx, &producerB{m: m}, noex.WithName("producer"))
		if err != nil {
			return nil, err
		}
		s.stop = append(s.stop, prod)
		var children []noex.ChildSpec
		for i := range workers {
			name := fmt.Sprintf("worker-%d", i)
			children = append(children, noex.ServerChild(name, &workerB{m: m, name: name}, noex.WithName(name)))
		}
		sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Strategy: noex.OneForOne, Children: children},
			noex.WithName("workers"))
		if err != nil {
			return nil, err
		}
		s.stop = append(s.stop, sup)
		return s, nil
	}
}

type system struct {
	m    Mistakes
	n    int
	stop []noex.Addr
}

func (s *system) Enqueue(ctx context.Context, payload string) (string, error) {
	switch {
	case s.m.TODO == "enqueue":
		return "", ErrNotImplemented
	case s.m.EnqueueCast:
		s.n++
		return fmt.Sprintf("cast-%d", s.n), noex.Cast(ctx, producer, ready{Worker: "client:" + payload})
	}
	return noex.Call(ctx, producer, enqueue{Payload: payload})
}

func (s *system) Completions(ctx context.Context) ([]grader.Completion, error) {
	return noex.Call(ctx, monitorN, getCompletions{})
}

func (s *system) Shutdown(ctx context.Context) error {
	var errs []error
	for i := len(s.stop) - 1; i >= 0; i-- {
		if i == 0 && s.m.LeakBus {
			break
		}
		if err := noex.Stop(ctx, s.stop[i], noex.ErrShutdown); err != nil && !errors.Is(err, noex.ErrNotRunning) {
			errs = append(errs, err)
		}
	}
	s.stop = nil
	return errors.Join(errs...)
}

// ---- producer ----

type producerB struct{ m Mistakes }

type producerState struct {
	seq   int
	queue []task
	idle  []ready
	busy  map[noex.PID]task
	last  map[noex.PID]task
	watch map[noex.PID]bool
	given map[noex.PID]int
}

func (p *producerB) Init(context.Context) (*producerState, error) {
	return &producerState{busy: map[noex.PID]task{}, last: map[noex.PID]task{}, watch: map[noex.PID]bool{},
		given: map[noex.PID]int{}}, nil
}

func (p *producerB) HandleCall(ctx context.Context, msg enqueue, st *producerState) (string, *producerState, error) {
	st.seq++
	var id string
	switch {
	case p.m.SameID:
		id = "task"
	case p.m.RandomIDs:
		id = fmt.Sprintf("task-%x", rand.Uint64())
	default:
		id = fmt.Sprintf("task-%d-%04x", st.seq, noex.Rand(ctx).IntN(1<<16))
	}
	st.queue = append(st.queue, task{ID: id, Payload: msg.Payload})
	p.dispatch(ctx, st)
	return id, st, nil
}

func (p *producerB) HandleCast(ctx context.Context, r ready, st *producerState) (*producerState, error) {
	if strings.HasPrefix(r.Worker, "client:") { // EnqueueCast
		st.seq++
		st.queue = append(st.queue, task{ID: fmt.Sprintf("cast-%d", st.seq), Payload: r.Worker})
		p.dispatch(ctx, st)
		return st, nil
	}
	delete(st.busy, r.PID)
	late := p.m.MonitorLate && st.given[r.PID] == 0
	if !p.m.NoMonitor && !late && !st.watch[r.PID] {
		if _, err := noex.Monitor(ctx, r.PID); err != nil {
			return st, err
		}
		st.watch[r.PID] = true
	}
	if p.m.OneWorker && r.Worker != "worker-0" {
		return st, nil
	}
	if !slices.ContainsFunc(st.idle, func(x ready) bool { return x.PID == r.PID }) {
		st.idle = append(st.idle, r)
	}
	p.dispatch(ctx, st)
	return st, nil
}

func (p *producerB) HandleInfo(ctx context.Context, msg any, st *producerState) (*producerState, error) {
	d, ok := msg.(noex.Down)
	if !ok {
		return st, nil
	}
	if p.m.TODO == "down" {
		return st, ErrNotImplemented
	}
	delete(st.watch, d.PID)
	st.idle = slices.DeleteFunc(st.idle, func(x ready) bool { return x.PID == d.PID })
	t, ok := st.busy[d.PID]
	if p.m.RequeueDone {
		t, ok = st.last[d.PID]
	}
	if ok && !p.m.NoRequeue {
		st.queue = slices.Insert(st.queue, 0, t)
	}
	delete(st.busy, d.PID)
	p.dispatch(ctx, st)
	return st, nil
}

func (p *producerB) dispatch(ctx context.Context, st *producerState) {
	for len(st.queue) > 0 && len(st.idle) > 0 {
		w := st.idle[0]
		st.idle = st.idle[1:]
		t := st.queue[0]
		to := noex.RefOf[assign, assign, noex.None](w.PID)
		var err error
		if p.m.AssignCall {
			_, err = noex.Call(ctx, to, assign{Task: t})
		} else {
			err = noex.Cast(ctx, to, assign{Task: t})
		}
		if err != nil {
			continue
		}
		if p.m.AssignTwice && len(st.idle) > 0 {
			w2 := st.idle[0]
			st.idle = st.idle[1:]
			_ = noex.Cast(ctx, noex.RefOf[assign, assign, noex.None](w2.PID), assign{Task: t})
		}
		st.queue = st.queue[1:]
		st.busy[w.PID], st.last[w.PID] = t, t
		st.given[w.PID]++
		if p.m.MonitorLate && !st.watch[w.PID] && st.given[w.PID] == 1 {
			// monitored after the first task was given
			if _, err := noex.Monitor(ctx, w.PID); err == nil {
				st.watch[w.PID] = true
			}
		}
	}
}

// ---- worker ----

type workerB struct {
	m    Mistakes
	name string
}

func (w *workerB) Init(ctx context.Context) (string, error) {
	return w.name, noex.Cast(ctx, producer, ready{Worker: w.name, PID: noex.Self(ctx)})
}

// HandleCall runs a task given with a call (Mistakes.AssignCall).
func (w *workerB) HandleCall(ctx context.Context, a assign, name string) (noex.None, string, error) {
	_, err := w.HandleCast(ctx, a, name)
	return noex.None{}, name, err
}

func (w *workerB) HandleCast(ctx context.Context, a assign, name string) (string, error) {
	if err := noex.Sleep(ctx, 10*time.Millisecond+time.Duration(noex.Rand(ctx).Int64N(int64(20*time.Millisecond)))); err != nil {
		return name, err
	}
	c := grader.Completion{TaskID: a.Task.ID, Worker: name}
	var err error
	switch {
	case w.m.DirectToMonitor:
		err = noex.Send(ctx, monitorN, noex.Publication{Topic: topic, Msg: c})
	case w.m.Topic != "":
		err = noex.Publish(ctx, bus, w.m.Topic, c)
	default:
		err = noex.Publish(ctx, bus, topic, c)
	}
	if err != nil {
		return name, err
	}
	return name, noex.Cast(ctx, producer, ready{Worker: name, PID: noex.Self(ctx), Done: a.Task.ID})
}

// ---- monitor ----

type monitorB struct{ m Mistakes }

func (mb *monitorB) Init(ctx context.Context) ([]grader.Completion, error) {
	pattern := "task.*"
	if mb.m.Pattern != "" {
		pattern = mb.m.Pattern
	}
	var err error
	if mb.m.HandlerOnly {
		_, err = noex.Subscribe(ctx, bus, pattern, func(context.Context, any, string) {})
	} else {
		_, err = noex.SubscribeMailbox(ctx, bus, pattern)
	}
	return nil, err
}

func (mb *monitorB) HandleCall(_ context.Context, _ getCompletions, st []grader.Completion) ([]grader.Completion, []grader.Completion, error) {
	return slices.Clone(st), st, nil
}

func (mb *monitorB) HandleCast(_ context.Context, _ noex.None, st []grader.Completion) ([]grader.Completion, error) {
	return st, nil
}

func (mb *monitorB) HandleInfo(_ context.Context, msg any, st []grader.Completion) ([]grader.Completion, error) {
	if p, ok := msg.(noex.Publication); ok {
		if c, ok := p.Msg.(grader.Completion); ok {
			st = append(st, c)
		}
	}
	return st, nil
}
