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
	strategy  string // deterministic mode: the strategy, resolved for seed
	real      bool
	crash     crashKind
	victim    int // crashPanic: which worker panics on its first task
	killAfter int // crashKill: completions published before the kill
	tasks     int
	replay    bool // a second run of the same seed, to compare logs
	probe     bool // a probe run: it watches what the processes' goroutines do (probe.go)
}

func (p plan) String() string {
	if p.real {
		return "real mode"
	}
	return fmt.Sprintf("seed %d", p.seed)
}

// enqueue is one call of System.Enqueue and its result.
type enqueue struct {
	payload  string
	id       string
	err      error
	from, to uint64 // the events main emitted during the call have from < Seq <= to
}

// run is what one run of the system left: its event log and the results
// of the grader's calls.
type run struct {
	plan
	events     []noex.Event
	wall       []time.Time // the wall-clock time each event was observed at, by index
	limit      *limitHit   // the run was stopped for going on too long
	goroutines []string    // a probe run: the goroutines handlers started
	setupErr   error       // the grader could not observe the run (no bus to subscribe to)
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
//
// A run that does not end within hangAfter (wall time) is given up: the
// runtime has stopped responding, which a goroutine that is not a process
// can cause by using a process's ctx. Its goroutines are left behind; the
// run is reported as hung.
func execute(impl Impl, p plan) *run {
	done := make(chan *run, 1)
	go func() { done <- executeNow(impl, p) }()
	t := time.NewTimer(hangAfter)
	defer t.Stop()
	select {
	case r := <-done:
		return r
	case <-t.C:
		return &run{plan: p, runErr: errHung}
	}
}

// hangAfter bounds a run's wall time, beyond the bounds the run enforces
// itself (bound.go).
const hangAfter = realTimeout + 30*time.Second

// errHung is the error of a run given up by execute.
var errHung = errors.New("grader: the run stopped responding")

func executeNow(impl Impl, p plan) *run {
	r := &run{plan: p}
	rec := noextest.NewRecorder()
	faults := noextest.NewFaults()
	if p.crash == crashPanic {
		_ = faults.PanicOn(workerName(p.victim), 1)
	}
	lim := newLimiter(p.real, faults)
	if p.probe {
		lim.watch = &goroutineWatch{}
	}
	opts := []noex.Option{noex.WithObserver(lim.observer(rec)), noex.WithFaults(lim)}
	if !p.real {
		opts = append(opts, noex.WithSeed(p.seed), noex.WithStrategy(p.strategy), noex.WithWatchdog(watchdog))
		opts = append(opts, stepBudget()...)
	}
	rt := noex.NewRuntime(opts...)
	ctx, stop := lim.context()
	defer stop()
	stopSampling := func() {}
	if lim.watch != nil {
		stopSampling = lim.watch.sample()
	}
	var sys System
	r.runErr = rt.Run(ctx, func(ctx context.Context) (err error) {
		sys, err = r.work(ctx, impl, rec)
		return err
	})
	if r.runErr == nil && sys != nil {
		r.runErr = rt.Run(ctx, func(ctx context.Context) error { return r.finish(ctx, sys, rt, rec) })
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := rt.Shutdown(sctx); err != nil && r.runErr == nil {
		r.runErr = err
	}
	cancel()
	stopSampling()
	r.events, r.wall = rec.Raw(), lim.stamps()
	if lim.watch != nil {
		r.goroutines = lim.watch.findings()
	}
	r.limit = lim.hit(r.runErr)
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
		e := enqueue{payload: fmt.Sprintf("job-%02d", i+1), from: uint64(rec.Len())}
		e.id, e.err = enqueueOnce(ctx, sys, e.payload)
		e.to = uint64(rec.Len())
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

// enqueueOnce calls sys.Enqueue, turning a panic into an error.
func enqueueOnce(ctx context.Context, sys System, payload string) (id string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("grader: Enqueue panicked: %v", v)
		}
	}()
	return sys.Enqueue(ctx, payload)
}

// start calls impl.Start, turning a panic into an error.
func start(ctx context.Context, impl Impl) (sys System, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("grader: Start panicked: %v", v)
		}
	}()
	if impl.Start == nil {
		return nil, errors.New("grader: Impl.Start is nil")
	}
	sys, err = impl.Start(ctx)
	if err == nil && sys == nil {
		err = errors.New("grader: Start returned no System")
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

// kill kills one of the workers that are working on a task right now, and
// reports whether there was one.
func (pr *probe) kill(ctx context.Context) bool {
	events := pr.rec.Raw()
	busy := busyWorkers(events, answeredIDs(events))
	if len(busy) == 0 {
		return false
	}
	victim := busy[int(pr.run.seed%uint64(len(busy)))]
	return noex.Kill(ctx, victim, errKilled) == nil
}

// answeredIDs returns the task ids the producer has answered Enqueue calls
// with so far: every string in its replies to the grader's client.
func answeredIDs(events []noex.Event) map[string]bool {
	ids := map[string]bool{}
	for _, e := range events {
		if e.Kind == noex.ReplySent && e.Label == producerLabel && e.PeerLbl == mainLabel {
			for _, s := range stringsIn(e.Msg) {
				ids[s] = true
			}
		}
	}
	return ids
}

// busyWorkers returns the live worker processes that hold a task: they
// have received a message that carries a task id and have not yet told
// another process anything about it (published its completion, said it
// is done). Whether the worker is in its handler (asleep in noex.Sleep) or
// between handlers (waiting for a timer of its own) does not matter. The
// result is in process order.
func busyWorkers(events []noex.Event, ids map[string]bool) []noex.PID {
	holding := map[noex.PID]map[string]bool{} // worker → the tasks it holds
	for _, e := range events {
		switch {
		case e.Kind == noex.MessageReceived && isWorker(e.Label) && e.PeerLbl != busLabel && e.Peer != e.PID:
			for _, id := range idsIn(e.Msg, ids) {
				if holding[e.PID] == nil {
					holding[e.PID] = map[string]bool{}
				}
				holding[e.PID][id] = true
			}
		case e.Kind == noex.MessageSent && isWorker(e.Label) && e.Peer != e.PID:
			for _, id := range idsIn(e.Msg, ids) {
				delete(holding[e.PID], id)
			}
		case (e.Kind == noex.ProcessStopped || e.Kind == noex.ProcessCrashed) && isWorker(e.Label):
			delete(holding, e.PID)
		}
	}
	busy := make([]noex.PID, 0, len(holding))
	for pid, tasks := range holding {
		if len(tasks) > 0 {
			busy = append(busy, pid)
		}
	}
	slices.SortFunc(busy, func(a, b noex.PID) int { return cmp.Compare(a.ID(), b.ID()) })
	return busy
}
