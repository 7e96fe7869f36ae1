package grader

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// The names the exercise fixes, as they appear as labels in the event log.
const (
	mainLabel     = "main" // Run's body: the grader's own client
	producerLabel = "producer"
	monitorLabel  = "monitor"
	busLabel      = "event-bus"
	probeLabel    = "grader-probe"
	topic         = "task.completed"
	workerPrefix  = "worker-"
	workers       = 3
)

// How long the grader waits for every task to complete: virtual time in
// deterministic mode (it costs nothing), wall time in real mode.
const (
	awaitVirtual = 10 * time.Minute
	awaitReal    = 3 * time.Second
	// watchdog bounds how long a process may block outside the runtime in
	// deterministic mode (time.Sleep, a channel, a mutex) before the run fails.
	watchdog = 2 * time.Second
)

// errKilled is the reason of the crash the probe injects with noex.Kill.
var errKilled = fmt.Errorf("grader: worker killed in the middle of a task: %w", noextest.ErrInjected)

type crashKind uint8

const (
	noCrash    crashKind = iota
	crashKill            // the probe kills a worker while it works on a task
	crashPanic           // a worker panics on receiving a task (noextest.Faults.PanicOn)
)

func (c crashKind) String() string {
	return [...]string{"no crash", "a worker killed in the middle of a task", "a worker panicking on receiving a task"}[c]
}

// plan says how one run goes.
type plan struct {
	part      int
	seed      uint64 // deterministic mode; unused when real
	real      bool
	crash     crashKind
	victim    int // crashPanic: which worker panics on its first task
	killAfter int // crashKill: completions published before the kill
	tasks     int
	replay    bool // a second run of the same seed, to compare logs
}

func (p plan) String() string {
	if p.real {
		return "real mode"
	}
	return fmt.Sprintf("seed %d", p.seed)
}

// enqueue is one call of System.Enqueue and its result.
type enqueue struct {
	payload string
	id      string
	err     error
}

// run is what one run of the system left: its event log and the results
// of the grader's calls.
type run struct {
	plan
	events     []noex.Event
	setupErr   error // the grader could not observe the run (no bus to subscribe to)
	startErr   error
	enqueues   []enqueue
	comps      []Completion
	compsErr   error
	shutErr    error
	shutSeq    uint64 // the last event that happened before Shutdown returned
	namesAfter []string
	leaks      error // what noextest.CheckNoLeaks found after Shutdown
	runErr     error
	replayOf   *run // for a replay: the first run of the same seed
}

// execute runs the system once as p says, in two Runs of one runtime:
// the first starts the system, enqueues the tasks and waits until every
// one has been published as completed (or a timeout); it returns once the
// system is quiescent, so every message sent meanwhile has been handled.
// The second asks the monitor for its completions and shuts the system
// down.
func execute(impl Impl, p plan) *run {
	r := &run{plan: p}
	rec := noextest.NewRecorder()
	faults := noextest.NewFaults()
	if p.crash == crashPanic {
		_ = faults.PanicOn(workerName(p.victim), 1)
	}
	opts := []noex.Option{noex.WithObserver(rec.Observe), noex.WithFaults(faults)}
	if !p.real {
		opts = append(opts, noex.WithSeed(p.seed), noex.WithWatchdog(watchdog))
	}
	rt := noex.NewRuntime(opts...)
	ctx := context.Background()
	var sys System
	r.runErr = rt.Run(ctx, func(ctx context.Context) (err error) {
		sys, err = r.work(ctx, impl, rec)
		return err
	})
	if r.runErr == nil && sys != nil {
		r.runErr = rt.Run(ctx, func(ctx context.Context) error { return r.finish(ctx, sys, rt, rec) })
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if err := rt.Shutdown(sctx); err != nil && r.runErr == nil {
		r.runErr = err
	}
	cancel()
	r.events = rec.Raw()
	return r
}

func workerName(i int) string { return fmt.Sprintf("%s%d", workerPrefix, i) }

// work is the grader's client in the first Run: it starts the system and
// its own probe, enqueues the tasks and waits until the probe has seen
// every one published, or a timeout.
func (r *run) work(ctx context.Context, impl Impl, rec *noextest.Recorder) (System, error) {
	sys, err := start(ctx, impl)
	if err != nil {
		r.startErr = err
		return nil, nil
	}
	pr, err := noex.Start(ctx, &probe{run: r, rec: rec}, noex.WithName(probeLabel))
	if err != nil {
		r.setupErr = fmt.Errorf("the grader could not subscribe to the bus %q: %w", busLabel, err)
	}
	var ids []string
	for i := range r.tasks {
		e := enqueue{payload: fmt.Sprintf("job-%02d", i+1)}
		e.id, e.err = sys.Enqueue(ctx, e.payload)
		r.enqueues = append(r.enqueues, e)
		if e.err != nil {
			break
		}
		ids = append(ids, e.id)
	}
	if r.setupErr == nil {
		timeout := awaitVirtual
		if r.real {
			timeout = awaitReal
		}
		// A timeout is no failure of its own: the checks say which tasks never completed.
		_, _ = noex.Call(ctx, pr, awaitAll{ids: ids}, noex.WithTimeout(timeout))
		_ = noex.Stop(ctx, pr, nil)
	}
	return sys, nil
}

// finish is the grader's client in the second Run, on a quiescent system:
// it reads the monitor's completions, shuts the system down and notes what
// is left.
func (r *run) finish(ctx context.Context, sys System, rt *noex.Runtime, rec *noextest.Recorder) error {
	r.comps, r.compsErr = sys.Completions(ctx)
	r.shutErr = sys.Shutdown(ctx)
	r.shutSeq = uint64(rec.Len())
	r.namesAfter = rt.Registry().Names()
	r.leaks = noextest.CheckNoLeaks(rt, rec.Raw())
	return nil
}

// start calls impl.Start, turning a panic into an error.
func start(ctx context.Context, impl Impl) (sys System, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("impl.Start panicked: %v", v)
		}
	}()
	if impl.Start == nil {
		return nil, errors.New("Impl.Start is nil")
	}
	sys, err = impl.Start(ctx)
	if err == nil && sys == nil {
		err = errors.New("impl.Start returned no System")
	}
	return sys, err
}

// ---- the probe ----

// probe is the grader's own subscriber. It sees every publication on the
// bus, answers awaitAll once every given id has been published, and in a
// crashKill run kills a busy worker after the plan's number of
// publications. It is labelled probeLabel and left out of every check.
type probe struct {
	run *run
	rec *noextest.Recorder
}

type awaitAll struct{ ids []string }

type probeState struct {
	seen    map[string]bool // every string in a publication so far
	pubs    int
	killed  bool
	want    []string
	waiting *noex.Deferred
}

var (
	_ noex.Behavior[*probeState, awaitAll, noex.None, int] = (*probe)(nil)
	_ noex.InfoHandler[*probeState]                        = (*probe)(nil)
)

func (pr *probe) Init(ctx context.Context) (*probeState, error) {
	if _, err := noex.SubscribeMailbox(ctx, noex.BusName(busLabel), "*"); err != nil {
		return nil, err
	}
	return &probeState{seen: map[string]bool{}}, nil
}

func (pr *probe) HandleCall(ctx context.Context, a awaitAll, st *probeState) (int, *probeState, error) {
	st.want = a.ids
	if st.complete() {
		return len(a.ids), st, nil
	}
	d, err := noex.DeferReply(ctx)
	if err != nil {
		return 0, st, err
	}
	st.waiting = d
	return 0, st, nil
}

func (pr *probe) HandleCast(_ context.Context, _ noex.None, st *probeState) (*probeState, error) {
	return st, nil
}

func (pr *probe) HandleInfo(ctx context.Context, msg any, st *probeState) (*probeState, error) {
	p, ok := msg.(noex.Publication)
	if !ok {
		return st, nil
	}
	for _, s := range stringsIn(p.Msg) {
		st.seen[s] = true
	}
	st.pubs++
	if pr.run.crash == crashKill && !st.killed && st.pubs >= pr.run.killAfter {
		st.killed = pr.kill(ctx)
	}
	if st.waiting != nil && st.complete() {
		st.waiting.Reply(len(st.want), nil)
		st.waiting = nil
	}
	return st, nil
}

func (st *probeState) complete() bool {
	for _, id := range st.want {
		if !st.seen[id] {
			return false
		}
	}
	return true
}

// kill kills one of the workers that are handling a cast right now, and
// reports whether there was one.
func (pr *probe) kill(ctx context.Context) bool {
	busy := busyWorkers(pr.rec.Raw())
	if len(busy) == 0 {
		return false
	}
	victim := busy[int(pr.run.seed%uint64(len(busy)))]
	return noex.Kill(ctx, victim, errKilled) == nil
}

// busyWorkers returns the live worker processes that have received a
// message they have not finished handling, in process order.
func busyWorkers(events []noex.Event) []noex.PID {
	current := map[noex.PID]uint64{} // worker → the message it is handling
	for _, e := range events {
		if !isWorker(e.Label) {
			continue
		}
		switch {
		case e.Kind == noex.MessageReceived:
			current[e.PID] = e.Ref
		case e.Kind == noex.MessageHandled && current[e.PID] == e.Ref:
			delete(current, e.PID)
		case e.Kind == noex.ProcessStopped || e.Kind == noex.ProcessCrashed:
			delete(current, e.PID)
		}
	}
	busy := make([]noex.PID, 0, len(current))
	for pid := range current {
		busy = append(busy, pid)
	}
	slices.SortFunc(busy, func(a, b noex.PID) int { return cmp.Compare(a.ID(), b.ID()) })
	return busy
}
