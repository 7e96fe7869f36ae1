package noex

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Epoch is where a deterministic runtime's virtual clock starts:
// midnight UTC, 1 January 2000, as in testing/synctest.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Runtime owns processes, the Registry, the clock, the scheduler and the
// event stream. Nothing is shared between runtimes: two runtimes in one
// program never see each other's processes or names.
//
// A Runtime is created with [NewRuntime], may be configured (for example with
// [Runtime.Observe]) and is then used through [Runtime.Run]. Its methods are
// safe for concurrent use in real mode; in deterministic mode call them from
// one goroutine at a time (the test's, or Run's body and handlers).
type Runtime struct {
	det      bool
	seed     uint64
	watchdog time.Duration
	sched    *scheduler

	mu      sync.Mutex // guards procs, names, closed, timers
	procs   map[*process]struct{}
	names   map[string]*process
	timers  map[*timer]struct{} // pending user timers
	closed  bool
	failure error
	runs    int  // Run calls in progress
	down    bool // Shutdown in progress or done

	// Written on every message by senders: kept off the cache line that
	// every process reads (obs), so that receivers do not pay for it.
	_        [64]byte
	nextRef  atomic.Uint64 // message, timer, monitor and subscription ids
	inflight zeroCount     // real-mode quiescence: messages queued or being handled
	_        [24]byte
	obs      atomic.Pointer[[]*observer]
	_        [56]byte

	nextID  atomic.Uint64 // process ids
	evMu    sync.Mutex
	seq     uint64
	born    time.Time // real mode: the wall clock at NewRuntime, which events' times count from
	obsErrs []error   // observers that panicked, not yet reported; guarded by evMu

	faults    FaultInjector
	initCount map[string]int // starts per name, for FaultInjector.Init; guarded by mu

	goroutines zeroCount // process goroutines not yet exited, for Shutdown

	extMu sync.Mutex
	ext   map[any]any // per-runtime state of the package's own servers

	goexitSites map[*process]string // see noteGoexit; guarded by mu
	waits       waitGraph           // real mode: Stop and Wait waits, for cycles
}

// NewRuntime returns a runtime configured by opts. By default it runs in real
// mode: each process is a goroutine with an unbounded FIFO mailbox, time is
// the wall clock and Go's scheduler interleaves processes. With [WithSeed],
// [WithChooser] or [WithSchedule] it runs in deterministic mode; see the
// package documentation.
func NewRuntime(opts ...Option) *Runtime {
	cfg := config{watchdog: DefaultWatchdog}
	for _, o := range opts {
		if o != nil {
			o.applyRuntime(&cfg)
		}
	}
	rt := &Runtime{
		det:      cfg.det,
		seed:     cfg.seed,
		watchdog: cfg.watchdog,
		procs:    make(map[*process]struct{}),
		names:    make(map[string]*process),
		timers:   make(map[*timer]struct{}),
		faults:   cfg.faults,
	}
	if rt.det {
		rt.sched = newScheduler(rt, cfg)
	} else {
		rt.born = time.Now()
	}
	for _, fn := range cfg.observers {
		rt.Observe(fn)
	}
	return rt
}

// startStamp is the runtime's clock now, in Unix ns: in real mode, read as
// events' times are (see emit), which costs one clock read, not two.
func (rt *Runtime) startStamp() int64 {
	if rt.det {
		return rt.sched.now.UnixNano()
	}
	return rt.born.UnixNano() + int64(time.Since(rt.born))
}

// Deterministic reports whether the runtime runs in deterministic mode.
func (rt *Runtime) Deterministic() bool { return rt.det }

// Seed returns the seed given with [WithSeed] (0 if none).
func (rt *Runtime) Seed() uint64 { return rt.seed }

// Now returns the runtime's current time: virtual in deterministic mode.
func (rt *Runtime) Now() time.Time {
	if rt.det {
		return rt.sched.now
	}
	return time.Now()
}

// Observe attaches fn to the event stream: it is called once for every event,
// in Seq order, never concurrently with itself or another observer. fn must
// not block or call into the runtime. The returned function detaches it.
// With no observer attached, events are not even built. An observer that
// panics is detached, and the next [Runtime.Run] or [Runtime.Shutdown] to
// return reports it with an error wrapping [ErrObserverPanic]; the runtime
// goes on.
func (rt *Runtime) Observe(fn func(Event)) (detach func()) {
	if fn == nil {
		return func() {}
	}
	o := &observer{fn: fn}
	rt.evMu.Lock()
	list := append(slices.Clone(rt.observers()), o)
	rt.obs.Store(&list)
	rt.evMu.Unlock()
	return func() {
		rt.evMu.Lock()
		defer rt.evMu.Unlock()
		list := slices.DeleteFunc(slices.Clone(rt.observers()), func(x *observer) bool { return x == o })
		rt.obs.Store(&list)
	}
}

type observer struct{ fn func(Event) }

func (rt *Runtime) observers() []*observer {
	if p := rt.obs.Load(); p != nil {
		return *p
	}
	return nil
}

// observing reports whether anyone reads the event stream.
func (rt *Runtime) observing() bool {
	p := rt.obs.Load()
	return p != nil && len(*p) > 0
}

// emitf emits the event that build returns, building it only when someone
// observes. Call sites pass a closure so that the Event (a large struct)
// lives in the closure's frame, not in the caller's: hot functions keep
// small stacks, and nothing is built when nobody listens.
//
// emitf is small enough to inline: callers pay for an atomic load, and
// the large Event lives only in emitBuilt's frame, when someone observes.
func (rt *Runtime) emitf(build func() Event) uint64 {
	if !rt.observing() {
		return 0
	}
	return rt.emitBuilt(build)
}

//go:noinline
func (rt *Runtime) emitBuilt(build func() Event) uint64 {
	e := build()
	return rt.emitPtr(&e)
}

// emit stamps e with the next Seq and the current time and hands it to every
// observer. It returns e's Seq, or 0 when nobody observes.
func (rt *Runtime) emit(e Event) uint64 { return rt.emitPtr(&e) }

// emitPtr is emit without copying the event, which is large.
func (rt *Runtime) emitPtr(e *Event) uint64 {
	if !rt.observing() {
		return 0
	}
	rt.evMu.Lock()
	defer rt.evMu.Unlock()
	rt.seq++
	e.Seq = rt.seq
	if rt.det {
		e.Time = rt.sched.now
	} else {
		// One read of the monotonic clock, not two clocks as time.Now
		// reads: events are stamped in Seq order, even if the system's
		// clock is set meanwhile.
		e.Time = rt.born.Add(time.Since(rt.born))
	}
	for _, o := range rt.observers() {
		rt.observe(o, e)
	}
	return e.Seq
}

// ProcessInfo describes a live process, for diagnostics, leak checks and
// dashboards.
type ProcessInfo struct {
	PID     PID
	Label   string
	Names   []string  // sorted
	Status  string    // "starting", "running", "stopping"
	Mailbox int       // messages queued, not yet handled
	Handled uint64    // messages it has taken from its mailbox to handle, the current one included
	Started time.Time // when it was started, on the runtime's clock (virtual in deterministic mode), in UTC
}

// Processes lists the live processes in start order (excluding the bodies of
// [Runtime.Run]), each as it is at the moment Processes looks at it. It may
// be called from any goroutine (in deterministic mode, from one at a time:
// the test's, or Run's body and handlers); it does not disturb the
// processes beyond taking each one's lock briefly. [InspectSupervisor]
// describes a supervisor.
func (rt *Runtime) Processes() []ProcessInfo {
	rt.mu.Lock()
	ps := rt.liveLocked()
	out := make([]ProcessInfo, 0, len(ps))
	for _, p := range ps {
		names := slices.Clone(p.names)
		sort.Strings(names)
		p.mu.Lock()
		out = append(out, ProcessInfo{PID: p.pid(), Label: p.labelStr(), Names: names,
			Status: p.status.String(), Mailbox: p.queuedLocked(), Handled: p.handled.Load(),
			Started: time.Unix(0, p.started).UTC()})
		p.mu.Unlock()
	}
	rt.mu.Unlock()
	return out
}

// PendingTimers returns the number of timers set with [SendAfter] that have
// neither fired nor been cancelled.
func (rt *Runtime) PendingTimers() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return len(rt.timers)
}

// IsAlive reports whether pid names a process of this runtime that has not
// ended.
func (rt *Runtime) IsAlive(pid PID) bool {
	if pid.p == nil || pid.p.rt != rt {
		return false
	}
	pid.p.mu.Lock()
	defer pid.p.mu.Unlock()
	return pid.p.status != stDead
}

// ExitReason returns the reason pid's process ended with, and whether it has
// ended. A nil reason with ok true is a normal exit.
func (rt *Runtime) ExitReason(pid PID) (reason error, ok bool) {
	if pid.p == nil || pid.p.rt != rt {
		return nil, false
	}
	pid.p.mu.Lock()
	defer pid.p.mu.Unlock()
	return pid.p.exit, pid.p.status == stDead
}

func (rt *Runtime) liveLocked() []*process {
	ps := make([]*process, 0, len(rt.procs))
	for p := range rt.procs {
		if !p.root {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *process) int { return compareU64(a.id, b.id) })
	return ps
}

func compareU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Run runs body as a process of the runtime (labelled "main") and returns
// when body has returned and the runtime is quiescent: no message is queued
// or being handled. Pending timers do not keep Run going by themselves; in
// deterministic mode, after body returns, the virtual clock advances only
// while some handler is still in the middle of a message (in a Sleep, or
// waiting for a reply).
// Run returns body's error; in deterministic mode it also fails with an
// [*EscapeError], a [*DeadlockError], a [*StepBudgetError] or an
// [ErrSchedule] error, after which the runtime is unusable. A panic in body
// is returned as a [*CrashError], and so is a call of runtime.Goexit in it
// (wrapping [ErrGoexit]): body runs on a goroutine of its own, so t.FailNow
// in body ends Run, not the caller's goroutine. An observer that panicked
// is reported here too (see [Runtime.Observe]).
//
// Run may be called again after it returns, to continue the same system;
// in deterministic mode calls must not overlap.
func (rt *Runtime) Run(ctx context.Context, body func(ctx context.Context) error) error {
	if body == nil {
		return fmt.Errorf("%w: Run needs a body", ErrBadOption)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	rt.mu.Lock()
	switch {
	case rt.failure != nil:
		rt.mu.Unlock()
		return fmt.Errorf("noex: runtime failed earlier: %w", rt.failure)
	case rt.closed:
		rt.mu.Unlock()
		return ErrClosed
	case rt.det && rt.runs > 0:
		rt.mu.Unlock()
		return fmt.Errorf("%w: Run called while another Run is in progress", ErrNotOwner)
	}
	rt.runs++
	rt.mu.Unlock()
	defer func() {
		rt.mu.Lock()
		rt.runs--
		rt.mu.Unlock()
	}()
	root := rt.newProcess(nil, "main", true)
	if rt.det {
		rt.sched.born(root, nil)
	}
	root.rctx = newRootCtx(ctx, root)
	if rt.det {
		return rt.withObserverFailures(rt.sched.run(ctx, root, body))
	}
	// The body runs on a goroutine of its own, so that a Goexit in it ends
	// Run with an error instead of ending the caller's goroutine.
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer root.releaseEnvelopes() // a Goexit in body ends the goroutine too
		root.runBody(body, &err)
	}()
	<-done
	if werr := rt.waitIdle(ctx); werr != nil && err == nil {
		err = werr
	}
	return rt.withObserverFailures(err)
}

// runBody runs body in the calling goroutine and ends the root process p;
// body's error goes to *errp. A panic in body gives a *CrashError, and so
// does a Goexit, which ends the goroutine once the deferred call is done.
func (p *process) runBody(body func(context.Context) error, errp *error) {
	returned := false
	defer func() {
		if !returned {
			if r := recover(); r != nil {
				*errp = newCrash(p.labelStr(), r)
			} else if p.runtimeExit() {
				return // an aborted deterministic run
			} else {
				*errp = p.goexitCrash("the Run body")
			}
		}
		p.finalize(nil, endStop)
	}()
	*errp = body(p.context())
	returned = true
}

// waitIdle blocks until no message is queued or being handled (real mode).
func (rt *Runtime) waitIdle(ctx context.Context) error {
	if _, ok := rt.inflight.wait(ctx.Done()); !ok {
		return fmt.Errorf("noex: waiting for quiescence: %w; live: %s", ctx.Err(), rt.describeLive())
	}
	return nil
}

// doneOne records that n queued messages were handled or dropped.
func (rt *Runtime) doneOne(n int64) {
	if !rt.det {
		rt.inflight.add(-n)
	}
}

// zeroCount counts what is in flight and lets goroutines wait until
// nothing is. Adding is one atomic operation unless the count reaches zero
// while someone waits.
type zeroCount struct {
	n       atomic.Int64
	waiters atomic.Int32
	mu      sync.Mutex
	zero    chan struct{} // closed when n reaches zero; made by a waiter
}

func (c *zeroCount) add(d int64) {
	// A waiter counts itself before it reads n, and add reads waiters after
	// it changes n: one of them sees the other.
	if c.n.Add(d) == 0 && c.waiters.Load() > 0 {
		c.mu.Lock()
		if c.zero != nil && c.n.Load() == 0 {
			close(c.zero)
			c.zero = nil
		}
		c.mu.Unlock()
	}
}

// wait blocks until the count is zero (ok) or abort is closed; it returns
// the count it last saw.
func (c *zeroCount) wait(abort <-chan struct{}) (n int64, ok bool) {
	c.waiters.Add(1)
	defer c.waiters.Add(-1)
	for {
		c.mu.Lock()
		n = c.n.Load()
		if n == 0 {
			c.mu.Unlock()
			return 0, true
		}
		if c.zero == nil {
			c.zero = make(chan struct{})
		}
		ch := c.zero
		c.mu.Unlock()
		select {
		case <-ch:
		case <-abort:
			return n, false
		}
	}
}

func (rt *Runtime) describeLive() string {
	ps := rt.Processes()
	if len(ps) == 0 {
		return "none"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s (%s, %d queued)", p.Label, p.Status, p.Mailbox)
	}
	return strings.Join(parts, ", ")
}

// extState returns the runtime's value for key, creating it with mk. The
// package's own servers (bus, supervisor) keep per-runtime state here.
func (rt *Runtime) extState(key any, mk func() any) any {
	rt.extMu.Lock()
	defer rt.extMu.Unlock()
	if rt.ext == nil {
		rt.ext = make(map[any]any)
	}
	v, ok := rt.ext[key]
	if !ok {
		v = mk()
		rt.ext[key] = v
	}
	return v
}

// newRand returns the random source of a process: seeded from the runtime's
// seed and the process id in deterministic mode, randomly otherwise.
func (rt *Runtime) newRand(id uint64) *rand.Rand {
	if rt.det {
		return rand.New(rand.NewPCG(rt.seed, id))
	}
	return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
}

// checkUse validates that p may act on the runtime now: it has not ended
// (in both modes alike: the context of an ended process, a Run body's
// included, is stale) and, in deterministic mode, it holds the baton.
func (rt *Runtime) checkUse(p *process) error {
	if procStatus(p.st.Load()) == stDead {
		if p.isKilled() {
			return ErrKilled
		}
		return errCallerEnded
	}
	if rt.det && !rt.sched.owns(p) {
		return ErrNotOwner
	}
	return nil
}

// errCallerEnded: the process whose context was used has ended.
var errCallerEnded = fmt.Errorf("%w: the process this context belongs to has ended", ErrNotRunning)
