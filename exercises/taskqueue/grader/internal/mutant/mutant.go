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
	// TODO is a body left as the skeleton has it: "enqueue", "handlecall"
	// (the producer's) or "down" returns ErrNotImplemented; "all" is the
	// whole skeleton, unsolved.
	TODO            string
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

	SilentWorkers bool // workers never tell the producer they are ready
	WrongWorker   bool // workers publish their completions as done by worker-0
	TwoPatterns   bool // the monitor subscribes twice, to "task.*" and to "*"
	LazyDispatch  bool // the producer gives out tasks only when one is enqueued, not when a worker is ready
	CastThenCall  bool // Enqueue casts the task to the producer, then calls it for the id
	FirstRef      bool // the producer keeps the first PID it saw for each worker name
	TimeSleep     bool // workers wait with time.Sleep instead of noex.Sleep
	NeverDequeue  bool // the producer never removes a task from its queue
	RawGoroutine  bool // a worker hands its task to a goroutine, which works (noex.Sleep) and publishes with the worker's ctx
	// RefusedGoroutine is RawGoroutine with the goroutine's calls made
	// without the worker's ctx, so that they fail at once, as deterministic
	// mode refuses a goroutine that is not a process. The grader sees the
	// same run; the variant races with nothing, where RawGoroutine races
	// with the worker inside the runtime (go test -race reports it).
	RefusedGoroutine bool
}

const (
	topic   = "task.completed"
	workers = 3
	busName = "event-bus"
)

var (
	bus      = noex.BusName(busName)
	producer = noex.Name[Enqueue, Ready, string]("producer")
	monitorN = noex.Name[GetCompletions, noex.None, []grader.Completion]("monitor")
)

// The messages, named and shaped as the exercise's, so that a run of the
// implementation formats as a run of the exercise would (the docs draw
// their diagrams from it).
type (
	// Enqueue asks the producer to queue a task; with an empty Payload
	// (Mistakes.CastThenCall), for the id of the last task queued.
	Enqueue struct{ Payload string }
	// Ready says a worker is ready.
	Ready struct {
		Worker string
		PID    noex.PID
		Done   string
	}
	// Task is a task.
	Task struct{ ID, Payload string }
	// Assign gives a worker a task.
	Assign struct{ Task Task }
	// GetCompletions asks the monitor for its completions.
	GetCompletions struct{}
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
	case s.m.TODO == "enqueue" || s.m.TODO == "all":
		return "", ErrNotImplemented
	case s.m.CastThenCall:
		if err := noex.Cast(ctx, producer, Ready{Worker: "client:" + payload}); err != nil {
			return "", err
		}
		return noex.Call(ctx, producer, Enqueue{})
	case s.m.EnqueueCast:
		s.n++
		return fmt.Sprintf("cast-%d", s.n), noex.Cast(ctx, producer, Ready{Worker: "client:" + payload})
	}
	return noex.Call(ctx, producer, Enqueue{Payload: payload})
}

func (s *system) Completions(ctx context.Context) ([]grader.Completion, error) {
	if s.m.TODO == "all" {
		return nil, ErrNotImplemented
	}
	return noex.Call(ctx, monitorN, GetCompletions{})
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
	seq    int
	queue  []Task
	idle   []Ready
	busy   map[noex.PID]Task
	last   map[noex.PID]Task
	watch  map[noex.PID]bool
	given  map[noex.PID]int
	first  map[string]noex.PID // FirstRef: the first PID seen for each worker
	lastID string
}

func (p *producerB) Init(context.Context) (*producerState, error) {
	return &producerState{busy: map[noex.PID]Task{}, last: map[noex.PID]Task{}, watch: map[noex.PID]bool{},
		given: map[noex.PID]int{}, first: map[string]noex.PID{}}, nil
}

func (p *producerB) HandleCall(ctx context.Context, msg Enqueue, st *producerState) (string, *producerState, error) {
	if p.m.TODO == "handlecall" {
		return "", st, ErrNotImplemented
	}
	if msg.Payload == "" {
		return st.lastID, st, nil
	}
	st.seq++
	var id string
	switch {
	case p.m.SameID:
		id = "task"
	case p.m.RandomIDs:
		id = fmt.Sprintf("task-%x", rand.Uint64()) //noexvet:ignore the mistake RandomIDs, on purpose
	default:
		id = fmt.Sprintf("task-%d-%04x", st.seq, noex.Rand(ctx).IntN(1<<16))
	}
	st.queue = append(st.queue, Task{ID: id, Payload: msg.Payload})
	st.lastID = id
	p.dispatch(ctx, st)
	return id, st, nil
}

func (p *producerB) HandleCast(ctx context.Context, r Ready, st *producerState) (*producerState, error) {
	if payload, ok := strings.CutPrefix(r.Worker, "client:"); ok && p.m.CastThenCall {
		_, st, err := p.HandleCall(ctx, Enqueue{Payload: payload}, st)
		return st, err
	}
	if strings.HasPrefix(r.Worker, "client:") { // EnqueueCast
		st.seq++
		st.queue = append(st.queue, Task{ID: fmt.Sprintf("cast-%d", st.seq), Payload: r.Worker})
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
	if p.m.FirstRef {
		if pid, ok := st.first[r.Worker]; ok {
			r.PID = pid
		} else {
			st.first[r.Worker] = r.PID
		}
	}
	if !slices.ContainsFunc(st.idle, func(x Ready) bool { return x.PID == r.PID }) {
		st.idle = append(st.idle, r)
	}
	if !p.m.LazyDispatch {
		p.dispatch(ctx, st)
	}
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
	st.idle = slices.DeleteFunc(st.idle, func(x Ready) bool { return x.PID == d.PID })
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
		to := noex.RefOf[Assign, Assign, noex.None](w.PID)
		var err error
		if p.m.AssignCall {
			_, err = noex.Call(ctx, to, Assign{Task: t})
		} else {
			err = noex.Cast(ctx, to, Assign{Task: t})
		}
		if err != nil {
			continue
		}
		if p.m.AssignTwice && len(st.idle) > 0 {
			w2 := st.idle[0]
			st.idle = st.idle[1:]
			_ = noex.Cast(ctx, noex.RefOf[Assign, Assign, noex.None](w2.PID), Assign{Task: t})
		}
		if !p.m.NeverDequeue {
			st.queue = st.queue[1:]
		}
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
	if w.m.TODO == "all" || w.m.SilentWorkers {
		return w.name, nil
	}
	return w.name, noex.Cast(ctx, producer, Ready{Worker: w.name, PID: noex.Self(ctx)})
}

// HandleCall runs a task given with a call (Mistakes.AssignCall).
func (w *workerB) HandleCall(ctx context.Context, a Assign, name string) (noex.None, string, error) {
	_, err := w.HandleCast(ctx, a, name)
	return noex.None{}, name, err
}

func (w *workerB) HandleCast(ctx context.Context, a Assign, name string) (string, error) {
	d := 10*time.Millisecond + time.Duration(noex.Rand(ctx).Int64N(21))*time.Millisecond // as the exercise's workTime
	switch {
	case w.m.RefusedGoroutine:
		go func() { //noexvet:ignore the mistake RefusedGoroutine, on purpose
			time.Sleep(d)
			_ = w.finish(context.Background(), a, name)
		}()
		return name, nil
	case w.m.TimeSleep:
		time.Sleep(d) //noexvet:ignore the mistake TimeSleep, on purpose
	default:
		if err := noex.Sleep(ctx, d); err != nil {
			return name, err
		}
	}
	return name, w.finish(ctx, a, name)
}

// finish publishes the completion of a and says the worker is ready.
func (w *workerB) finish(ctx context.Context, a Assign, name string) error {
	c := grader.Completion{TaskID: a.Task.ID, Worker: name}
	if w.m.WrongWorker {
		c.Worker = "worker-0"
	}
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
		return err
	}
	return noex.Cast(ctx, producer, Ready{Worker: name, PID: noex.Self(ctx), Done: a.Task.ID})
}

// ---- monitor ----

type monitorB struct{ m Mistakes }

func (mb *monitorB) Init(ctx context.Context) ([]grader.Completion, error) {
	if mb.m.TODO == "all" {
		return nil, nil
	}
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
	if err == nil && mb.m.TwoPatterns {
		_, err = noex.SubscribeMailbox(ctx, bus, "*")
	}
	return nil, err
}

func (mb *monitorB) HandleCall(_ context.Context, _ GetCompletions, st []grader.Completion) ([]grader.Completion, []grader.Completion, error) {
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
