package noex

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type procStatus uint8

const (
	stStarting procStatus = iota
	stRunning
	stStopping
	stDead
)

func (s procStatus) String() string {
	return [...]string{"starting", "running", "stopping", "dead"}[s]
}

type endKind uint8

const (
	endStop endKind = iota
	endCrash
	endKill
	endInit // init failed or timed out: nothing was ever visible
)

type procKey struct{}

// procCtx is a server's context: the values of the context that started
// it, no cancellation (a server outlives the call that started it, as with
// context.WithoutCancel), and the process itself.
type procCtx struct {
	parent context.Context
	p      *process
}

func (c *procCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *procCtx) Done() <-chan struct{}       { return nil }
func (c *procCtx) Err() error                  { return nil }
func (c *procCtx) String() string              { return "noex.process(" + c.p.labelStr() + ")" }
func (c *procCtx) Value(key any) any {
	if _, ok := key.(procKey); ok {
		return c.p
	}
	return c.parent.Value(key)
}

// rootCtx is a Run body's context: the context given to Run (its deadline
// and cancellation included) and the process.
type rootCtx struct {
	context.Context
	p    *process
	done <-chan struct{} // Context.Done(), which never changes
}

func newRootCtx(ctx context.Context, p *process) *rootCtx {
	return &rootCtx{Context: ctx, p: p, done: ctx.Done()}
}

// ctxDone is ctx.Done(), without the interface calls for the runtime's own
// contexts: a server's context is never done, and a Run body's is done only
// if Run's is.
func ctxDone(ctx context.Context) <-chan struct{} {
	switch c := ctx.(type) {
	case *procCtx:
		return nil
	case *rootCtx:
		return c.done
	}
	return ctx.Done()
}

// ctxErr is ctx.Err(), without an interface call while ctx cannot be done.
func ctxErr(ctx context.Context) error {
	switch c := ctx.(type) {
	case *procCtx:
		return nil
	case *rootCtx:
		if c.done == nil {
			return nil
		}
	}
	return ctx.Err()
}

func (c *rootCtx) String() string { return "noex.run(" + c.p.labelStr() + ")" }
func (c *rootCtx) Value(key any) any {
	if _, ok := key.(procKey); ok {
		return c.p
	}
	return c.Context.Value(key)
}

// procFrom returns the process whose context ctx is or derives from. The
// runtime's own contexts are recognized without a Value lookup.
func procFrom(ctx context.Context) *process {
	switch c := ctx.(type) {
	case nil:
		return nil
	case *procCtx:
		return c.p
	case *rootCtx:
		return c.p
	}
	p, _ := ctx.Value(procKey{}).(*process)
	return p
}

// monitors are the monitors of a process, guarded by rt.mu.
type monitors struct {
	watchers []*monitor // monitors on this process, in creation order
	watching []*monitor // monitors this process holds
}

// deferrals are a server's deferred replies, touched by its own goroutine
// (and by its end).
type deferrals struct {
	deferred *envelope   // the call whose reply the running handler deferred
	pending  []*envelope // deferred calls not yet answered
}

// context returns the context the process's code runs with.
func (p *process) context() context.Context {
	if p.rctx != nil {
		return p.rctx
	}
	return &p.pctx
}

// process is one GenServer (or a Run body, when root is set).
//
// Its fields are grouped by who writes them, 64 bytes a group (a process is
// 512 bytes, which the allocator aligns to 64): senders to a process write
// only its mailbox's tail, which has a cache line of its own; they read the
// first group, which changes only as the process starts and ends.
type process struct {
	// Read by senders; written at start and end.
	rt          *Runtime
	id          uint64
	label       atomic.Pointer[string]
	srv         server
	rctx        *rootCtx      // a Run body's context
	signal      chan struct{} // real mode: a message or a stop arrived
	st          atomic.Uint32 // status, readable without mu; written with it
	status      procStatus    // guarded by mu
	root        bool
	stopPending bool // real mode: a requested stop counts as in flight until the end; guarded by mu

	// Written rarely: at stops, ends, registrations, monitors.
	pctx    procCtx // a server's context
	mu      sync.Mutex
	reason  error // the stop reason requested
	exit    error
	killed  atomic.Bool
	ended   atomic.Bool // set once the process has ended (names, queue, monitors done)
	waiters []*waiter   // Stop callers waiting for the end
	names   []string    // guarded by rt.mu
	mon     *monitors   // guarded by rt.mu; made at the first monitor on or by this process

	// Written by the process as it sends and waits (real mode); receivers
	// write returned and returnedN once per batch of recycled envelopes.
	chanBusy  atomic.Bool               // a wait holds replyCh
	freeBusy  atomic.Bool               // a sender of this process holds freeLocal
	freeTaken int32                     // taken from freeLocal, not yet counted out of returnedN; guarded by freeBusy
	returnedN atomic.Int32              // envelopes in returned and freeLocal, give or take freeTaken
	curWait   atomic.Pointer[waiter]    // the wait in progress (or the last, fired), for Kill
	replyCh   chan struct{}             // reused by this process's waits
	ctimer    atomic.Pointer[callTimer] // timeouts of this process's own waits, made at the first
	spare     *callEnvelope             // a finished call's envelope, for the next call; guarded by chanBusy
	freeLocal *envelope                 // recycled cast envelopes (see newEnvelope); guarded by freeBusy
	returned  atomic.Pointer[envelope]

	mbox mailbox // real mode

	// Written by the process as it receives and handles messages.
	doneN   int64 // real mode: messages handled, not yet subtracted from rt.inflight
	retN    int32 // real mode: the batch of envelopes to return to retTo (see recycle)
	retTo   *process
	retHead *envelope
	retTail *envelope
	current atomic.Pointer[envelope]  // the call being handled: Kill fails it, DeferReply reads it
	cause   uint64                    // Seq of the MessageReceived being handled
	handled int                       // messages handled, for FaultInjector.Handle
	dfr     atomic.Pointer[deferrals] // made at the first DeferReply
	rnd     *rand.Rand
	d       *detProc // deterministic mode only
}

func (rt *Runtime) newProcess(srv server, label string, root bool) *process {
	p := &process{rt: rt, id: rt.nextID.Add(1), srv: srv, root: root}
	if label != "" {
		l := label // only a named process moves its label to the heap
		p.label.Store(&l)
	}
	if root {
		p.setStatus(stRunning)
	}
	if rt.det {
		p.d = newDetProc()
	} else {
		p.signal = make(chan struct{}, 1)
		p.mbox.init()
	}
	rt.mu.Lock()
	rt.procs[p] = struct{}{}
	rt.mu.Unlock()
	return p
}

func (p *process) pid() PID { return PID{p: p} }

// labelStr returns the first name the process registered, or "p<id>".
func (p *process) labelStr() string {
	if l := p.label.Load(); l != nil {
		return *l
	}
	return "p" + strconv.FormatUint(p.id, 10)
}
func (p *process) isKilled() bool { return p.killed.Load() }

// setStatus changes the status; the caller holds p.mu.
func (p *process) setStatus(s procStatus) {
	p.status = s
	p.st.Store(uint32(s))
}

func (p *process) queuedLocked() int {
	if p.rt.det {
		return p.d.queued()
	}
	p.mbox.cmu.Lock()
	defer p.mbox.cmu.Unlock()
	return p.mbox.length()
}

// envelope is one message in flight.
type envelope struct {
	id   uint64
	from *process // nil for timers
	src  uint64   // deterministic mode: the sender queue key
	msg  any
	w    *waiter // the caller's, for calls
	sent uint64  // Seq of the MessageSent event
	key  uint64  // deterministic mode: enable order

	next atomic.Pointer[envelope] // real-mode mailbox link
	link *envelope                // real mode: the next free envelope, once recycled

	kind    MsgKind
	faulted bool // a fault was injected already; do not consult the injector again
	pooled  bool // a cast or Send's: its receiver returns it to its sender once handled
}

// callEnvelope is a call's envelope and its caller's waiter, allocated once.
type callEnvelope struct {
	envelope
	waiter
}

// waiter is one blocked operation: a call awaiting its reply, a Start
// awaiting Init, a Stop awaiting the end, a Sleep awaiting its timer.
type waiter struct {
	owner *process
	what  string   // "call", "start", "stop", "sleep", "reply"
	on    *process // whom it waits for, for deadlock reports
	ch    chan struct{}
	fired atomic.Bool
	val   any
	err   error
	sys   bool   // err comes from the runtime, not from a handler
	reuse bool   // a call's: answered by its handler, which let go of the envelope first
	cause uint64 // for Start: the starter's cause when it called Start
	ownCh bool   // ch is the owner's reusable reply channel
}

func (rt *Runtime) newWaiter(owner *process, what string, on *process) *waiter {
	w := &waiter{owner: owner, what: what, on: on}
	rt.initWaiter(w)
	return w
}

// initWaiter gives w its channel in real mode. A process blocks in at most
// one operation at a time, and every fire is received exactly once, so its
// reply channel is reused; only a Run body used from several goroutines at
// once needs a fresh channel per wait.
func (rt *Runtime) initWaiter(w *waiter) {
	if rt.det {
		return
	}
	if w.owner.chanBusy.CompareAndSwap(false, true) {
		if w.owner.replyCh == nil {
			w.owner.replyCh = make(chan struct{}, 1)
		}
		w.ch, w.ownCh = w.owner.replyCh, true
		return
	}
	w.ch = make(chan struct{}, 1)
}

// release returns the owner's reply channel after the wait is over.
func (w *waiter) release() {
	if w.ownCh {
		w.ownCh = false
		w.owner.chanBusy.Store(false)
	}
}

// fire completes w once; later fires are ignored and return false.
func (w *waiter) fire(val any, err error, sys bool) bool {
	return w.complete(val, err, sys, false)
}

// complete is fire; reuse tells a caller that nothing refers to its call
// envelope any more, so it may serve the caller's next call.
func (w *waiter) complete(val any, err error, sys, reuse bool) bool {
	if !w.fired.CompareAndSwap(false, true) {
		return false
	}
	w.val, w.err, w.sys, w.reuse = val, err, sys, reuse
	if w.ch != nil {
		w.ch <- struct{}{}
	} else {
		w.owner.rt.sched.ready(w.owner)
	}
	return true
}

// wait blocks the owner until w fires, the timeout passes (timeoutErr then
// fires it), or, in real mode, ctx ends. A killed owner exits its goroutine.
func (p *process) wait(ctx context.Context, w *waiter, timeout time.Duration, timeoutErr error) {
	p.await(ctx, w, timeout, timeoutErr)
	w.release()
}

// await is wait without releasing the owner's reply channel, for a caller
// that has more to do under it.
func (p *process) await(ctx context.Context, w *waiter, timeout time.Duration, timeoutErr error) {
	rt := p.rt
	if rt.det {
		if timeout > 0 {
			t := rt.newTimer(p, timeout, "", false, func(*timer) { w.fire(nil, timeoutErr, true) })
			defer t.cancel()
		}
		rt.sched.park(p, w)
		return
	}
	own := w.ownCh // the only wait of this process: its own timer serves
	var tt *timeoutTimer
	if timeout > 0 {
		if own {
			c := p.ctimer.Load()
			if c == nil { // only the holder of replyCh gets here
				c = &callTimer{}
				p.ctimer.Store(c)
			}
			c.arm(w, timeout, timeoutErr)
		} else {
			tt = armTimeout(w, timeout, timeoutErr)
		}
	}
	if !p.root {
		// So that Kill can wake us, or we see a kill that came first. A wait
		// that reuses the last one's waiter finds it there already: left
		// there, a fired waiter is harmless (fire does nothing), and a reused
		// one is reset before this check.
		if p.curWait.Load() != w {
			p.curWait.Store(w)
		}
		if p.killed.Load() {
			w.fire(nil, ErrKilled, true)
		}
	}
	if done := ctxDone(ctx); done != nil {
		select {
		case <-w.ch:
		case <-done:
			w.fire(nil, ctx.Err(), true)
			<-w.ch
		}
	} else {
		<-w.ch
	}
	if own && timeout > 0 {
		p.ctimer.Load().disarm()
	} else if tt != nil {
		tt.disarm()
	}
	// A kill fired w with ErrKilled. The wait returns it rather than ending
	// the goroutine: this may be a goroutine borrowing the process's context.
	// The process's own loop exits once the handler returns.
}

// callTimer is a process's own timeout timer. A process waits for one thing
// at a time, so one timer serves all its waits, and in a stream of waits a
// wait costs neither a clock read nor a timer operation:
//   - A wait that finds the timer idle reads the clock and sets the timer.
//   - While waits go on, the timer fires at least every tick (a 32nd of the
//     timeout). A firing that sees a wait for the first time takes the time
//     as that wait's checkpoint: the wait began before it, so once the
//     timeout has passed since the checkpoint, it has passed since the start.
//   - A firing that finds no wait leaves the timer idle.
//
// A timeout thus never fires early, and at most one tick late (plus the
// scheduler's latency). It fires under mu, as disarm runs, so a firing can
// never reach a wait that has ended.
type callTimer struct {
	mu       sync.Mutex
	t        *time.Timer
	w        *waiter // the wait in progress; nil if none
	err      error
	d        time.Duration // its timeout
	seq      uint64        // counts waits
	checkSeq uint64        // the wait that checkAt is for
	checkAt  time.Duration // on monoNow's clock
	tick     time.Duration // what t is set for; zero when idle
}

// tickFor is the period of the checks for a timeout d.
func tickFor(d time.Duration) time.Duration {
	return min(max(d/32, 100*time.Microsecond), d)
}

func (c *callTimer) arm(w *waiter, d time.Duration, err error) {
	c.mu.Lock()
	c.w, c.err, c.d = w, err, d
	c.seq++
	if tick := tickFor(d); c.tick == 0 || tick < c.tick {
		c.checkSeq, c.checkAt, c.tick = c.seq, monoNow(), tick
		if c.t == nil {
			c.t = time.AfterFunc(tick, c.expire)
		} else {
			c.t.Reset(tick)
		}
	}
	c.mu.Unlock()
}

func (c *callTimer) disarm() {
	c.mu.Lock()
	c.w = nil
	c.mu.Unlock()
}

func (c *callTimer) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w == nil {
		c.tick = 0
		return
	}
	now := monoNow()
	if c.checkSeq != c.seq {
		c.checkSeq, c.checkAt = c.seq, now
	}
	left := c.checkAt + c.d - now
	if left <= 0 {
		c.w.fire(nil, c.err, true)
		c.w, c.tick = nil, 0
		return
	}
	c.tick = min(tickFor(c.d), left)
	c.t.Reset(c.tick)
}

// monoNow reads the monotonic clock alone (time.Now reads the wall clock
// too), as a duration since the package started.
func monoNow() time.Duration { return time.Since(monoBase) }

var monoBase = time.Now()

// stop releases the timer when the process ends.
func (c *callTimer) stop() {
	c.mu.Lock()
	if c.t != nil {
		c.t.Stop()
	}
	c.w, c.tick = nil, 0
	c.mu.Unlock()
}

// timeoutTimer fires a waiter with a timeout error. Timers are pooled; one
// is reused only when Stop proves its callback did not and will not run.
type timeoutTimer struct {
	t   *time.Timer
	w   atomic.Pointer[waiter]
	err error
}

var timeoutPool sync.Pool

func armTimeout(w *waiter, d time.Duration, err error) *timeoutTimer {
	tt, _ := timeoutPool.Get().(*timeoutTimer)
	if tt == nil {
		tt = &timeoutTimer{}
		tt.t = time.AfterFunc(time.Hour, tt.expire)
		tt.t.Stop()
	}
	tt.err = err
	tt.w.Store(w)
	tt.t.Reset(d)
	return tt
}

func (tt *timeoutTimer) expire() {
	if w := tt.w.Load(); w != nil {
		w.fire(nil, tt.err, true)
	}
}

func (tt *timeoutTimer) disarm() {
	if tt.t.Stop() {
		tt.w.Store(nil)
		timeoutPool.Put(tt)
	}
}

// main is the goroutine of a server process.
func (p *process) main(started *waiter) {
	rt := p.rt
	defer rt.exitGoroutine(p)
	if rt.det {
		rt.sched.enter(p)
	}
	err := p.runInit()
	if err != nil {
		// Release everything before Start returns the error; if Start gave
		// up already (init timeout), finalize is a no-op.
		p.finalize(err, endInit)
		started.fire(nil, &InitError{Server: p.labelStr(), Cause: err}, false)
		return
	}
	p.mu.Lock()
	if p.status == stStarting {
		p.setStatus(stRunning)
	}
	p.mu.Unlock()
	if !started.fired.Load() { // Start did not give up (init timeout)
		rt.emitf(func() Event {
			return Event{Kind: ProcessStarted, PID: p.pid(), Label: p.labelStr(), Parent: started.cause,
				Peer: started.owner.pid(), PeerLbl: started.owner.labelStr()}
		})
	}
	if !started.fire(p.pid(), nil, false) {
		return
	}
	p.loop()
}

// startName is the name given at start, "" if none: runInit asks before
// Init, when no other name can have been registered yet.
func (p *process) startName() string {
	if l := p.label.Load(); l != nil {
		return *l
	}
	return ""
}

func (p *process) runInit() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = newCrash(p.labelStr(), r)
		}
	}()
	if f := p.rt.faults; f != nil {
		p.rt.mu.Lock()
		if p.rt.initCount == nil {
			p.rt.initCount = map[string]int{}
		}
		name := p.startName()
		p.rt.initCount[name]++
		n := p.rt.initCount[name]
		p.rt.mu.Unlock()
		if ferr := f.Init(name, n); ferr != nil {
			p.rt.emitf(func() Event {
				return Event{Kind: FaultInjected, PID: p.pid(), Label: p.labelStr(), Name: "init", Err: ferr}
			})
			return ferr
		}
	}
	return p.srv.init(p.context())
}

func newCrash(label string, r any) *CrashError {
	return &CrashError{Server: label, Value: r, Stack: string(debug.Stack())}
}

func (p *process) loop() {
	for {
		env := p.receive()
		if env == nil {
			break
		}
		if env.kind == KindCall {
			p.flushReturns() // a call's reply finds its earlier casts' envelopes returned
		}
		pooled := env.pooled // a call's envelope may serve its caller again once handled
		if !p.handle(env) {
			return
		}
		if pooled {
			p.recycle(env)
		}
		p.cause = 0 // what the process does next is not caused by this message
	}
	p.mu.Lock()
	reason := p.reason
	p.mu.Unlock()
	if crash := p.runTerminate(reason); crash != nil {
		p.rt.emitf(func() Event {
			return Event{Kind: MessageHandled, PID: p.pid(), Label: p.labelStr(), Name: "terminate", Err: crash}
		})
	}
	p.finalize(reason, endStop)
}

// receive returns the next message, or nil once a stop was requested and the
// mailbox is empty.
func (p *process) receive() *envelope {
	if p.rt.det {
		return p.rt.sched.receive(p)
	}
	for {
		if p.killed.Load() {
			runtime.Goexit()
		}
		p.mbox.cmu.Lock()
		env := p.mbox.pop()
		if env != nil {
			// current is kept for calls only: Kill fails it, DeferReply reads it.
			if env.kind == KindCall {
				p.current.Store(env)
			} else {
				p.current.Store(nil)
			}
		}
		p.mbox.cmu.Unlock()
		if env != nil {
			if p.doneN >= 64 {
				p.flushDone()
			}
			return env
		}
		p.flushDone()
		p.flushReturns()
		if procStatus(p.st.Load()) == stStopping {
			return nil
		}
		<-p.signal
	}
}

// handle runs one message. It returns false if the process crashed.
func (p *process) handle(env *envelope) bool {
	rt := p.rt
	if !rt.det {
		p.doneN++ // subtracted from rt.inflight in batches (flushDone)
	}
	if env.kind == KindCall && env.w.fired.Load() {
		// The caller gave up (timeout) while the call was queued: never handle it.
		p.setCurrent(nil)
		rt.emitf(func() Event {
			return Event{Kind: MessageDropped, PID: p.pid(), Label: p.labelStr(), Peer: env.from.pid(),
				PeerLbl: env.from.labelStr(), Ref: env.id, MsgKind: env.kind, Msg: env.msg, Err: ErrTimeout, Parent: env.sent}
		})
		return true
	}
	p.cause = rt.emitf(func() Event {
		return Event{Kind: MessageReceived, PID: p.pid(), Label: p.labelStr(), Peer: env.from.pid(),
			PeerLbl: env.from.labelStr(), Ref: env.id, MsgKind: env.kind, Msg: env.msg, Parent: env.sent}
	})
	var inject any
	if rt.faults != nil {
		p.handled++
		if inject = rt.faults.Handle(p.pid(), p.handled, env.kind, env.msg); inject != nil {
			rt.emitf(func() Event {
				return Event{Kind: FaultInjected, PID: p.pid(), Label: p.labelStr(), Ref: env.id, MsgKind: env.kind,
					Msg: env.msg, Name: "panic", Parent: p.cause}
			})
		}
	}
	reply, err, crash := p.dispatch(env, inject)
	if p.killed.Load() {
		runtime.Goexit()
	}
	if crash != nil {
		// The caller of a crashing call hears of it from finalize, once
		// Terminate has run and the names are released.
		rt.emitf(func() Event {
			return Event{Kind: MessageHandled, PID: p.pid(), Label: p.labelStr(), Ref: env.id, MsgKind: env.kind, Err: crash, Parent: p.cause}
		})
		if terr := p.runTerminate(crash); terr != nil {
			rt.emitf(func() Event {
				return Event{Kind: MessageHandled, PID: p.pid(), Label: p.labelStr(), Name: "terminate", Err: terr}
			})
		}
		p.finalize(crash, endCrash)
		return false
	}
	id, kind := env.id, env.kind // env may serve its caller's next call once replied to
	switch kind {
	case KindCall:
		if d := p.dfr.Load(); d != nil && d.deferred == env {
			d.deferred = nil // the reply comes later, through Deferred.Reply
			d.pending = append(slices.DeleteFunc(d.pending, func(e *envelope) bool { return e.w.fired.Load() }), env)
			break
		}
		p.reply(env, reply, err, true)
	case KindInfo:
		if err == errNoInfo {
			rt.emitf(func() Event {
				return Event{Kind: MessageDropped, PID: p.pid(), Label: p.labelStr(), Ref: env.id, MsgKind: env.kind,
					Msg: env.msg, Err: errNoInfo, Parent: p.cause}
			})
			return true
		}
	}
	rt.emitf(func() Event {
		return Event{Kind: MessageHandled, PID: p.pid(), Label: p.labelStr(), Ref: id, MsgKind: kind, Err: err, Parent: p.cause}
	})
	return true
}

var (
	errNoInfo         = errors.New("noex: server has no HandleInfo")
	errReplyDiscarded = errors.New("noex: reply discarded: the caller no longer waits (timed out, cancelled or killed)")
)

func (p *process) setCurrent(env *envelope) { p.current.Store(env) }

// flushDone subtracts the messages this process handled from the runtime's
// in-flight count. Only the process's own goroutine calls it.
func (p *process) flushDone() {
	if n := p.doneN; n > 0 {
		p.doneN = 0
		p.rt.doneOne(n)
	}
}

// reply answers the call env. From the handler's return (direct), it first
// takes env back from p.current, so that a Kill can no longer fail it; then
// nothing but the caller refers to env, and the caller may reuse it once the
// reply arrives. The caller may do so at once: env is not read after the fire.
func (p *process) reply(env *envelope, val any, err error, direct bool) {
	reuse := direct && !p.rt.det && p.current.CompareAndSwap(env, nil)
	from, id := env.from, env.id
	ok := env.w.complete(val, err, false, reuse)
	p.rt.emitf(func() Event {
		ev := Event{Kind: ReplySent, PID: p.pid(), Label: p.labelStr(), Peer: from.pid(), PeerLbl: from.labelStr(),
			Ref: id, MsgKind: KindReply, Msg: val, Err: err, Parent: p.cause}
		if !ok {
			ev.Kind, ev.Err = MessageDropped, errReplyDiscarded
		}
		return ev
	})
}

// dispatch runs the handler for env, recovering a panic into crash.
func (p *process) dispatch(env *envelope, inject any) (reply any, err error, crash *CrashError) {
	defer func() {
		if r := recover(); r != nil {
			crash = newCrash(p.labelStr(), r)
		}
	}()
	if inject != nil {
		panic(inject)
	}
	switch env.kind {
	case KindCall:
		reply, err = p.srv.call(p.context(), env.msg)
	case KindCast:
		err = p.srv.cast(p.context(), env.msg)
	case KindInfo:
		var ok bool
		ok, err = p.srv.info(p.context(), env.msg)
		if !ok {
			err = errNoInfo
		}
	}
	return reply, err, nil
}

// runTerminate runs Terminate, recovering a panic (reported, not fatal).
func (p *process) runTerminate(reason error) (crash *CrashError) {
	if p.srv == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			crash = newCrash(p.labelStr(), r)
		}
	}()
	p.srv.terminate(p.context(), reason)
	return nil
}

// finalize ends the process: names released, table entry removed, queued
// messages failed or dropped (each with an event), the end event emitted,
// monitors notified and Stop callers released, in that order. Only the first
// call has an effect.
func (p *process) finalize(reason error, how endKind) bool {
	waiters, ok := p.teardown(reason, how)
	if !ok {
		return false
	}
	// Woken from a small frame: the channel sends below run on this
	// goroutine's stack, and teardown's large frame is gone by now.
	for _, w := range waiters {
		w.fire(nil, nil, false)
	}
	if p.rt.det && how == endKill {
		p.rt.sched.wakeKilled(p)
	}
	return true
}

// teardown does finalize's work up to waking the Stop callers, which it
// returns. ok is false if the process had ended already.
//
//go:noinline
func (p *process) teardown(reason error, how endKind) (waiters []*waiter, ok bool) {
	rt := p.rt
	rt.mu.Lock()
	p.mu.Lock()
	if p.status == stDead {
		p.mu.Unlock()
		rt.mu.Unlock()
		return nil, false
	}
	p.setStatus(stDead)
	p.exit = reason
	if how == endKill {
		p.killed.Store(true)
	}
	var queued []*envelope
	p.mbox.cmu.Lock()
	if rt.det {
		queued = rt.sched.drain(p)
	} else {
		queued = p.mbox.drain()
	}
	cur := p.current.Swap(nil)
	p.mbox.cmu.Unlock()
	stopPending := p.stopPending
	p.stopPending = false
	waiters = p.waiters
	p.waiters = nil
	p.mu.Unlock()
	names := p.names
	p.names = nil
	for _, n := range names {
		delete(rt.names, n)
	}
	delete(rt.procs, p)
	var watchers []*monitor
	if mon := p.mon; mon != nil {
		// Taken before the loop: a process that monitors itself is among
		// the targets, and removeMonitor edits a list in place.
		watchers, mon.watchers = mon.watchers, nil
		for _, m := range mon.watching {
			m.target.mon.watchers = removeMonitor(m.target.mon.watchers, m)
		}
		mon.watching = nil
	}
	rt.mu.Unlock()

	for _, n := range names {
		rt.emitf(func() Event { return Event{Kind: Unregistered, PID: p.pid(), Label: p.labelStr(), Name: n} })
	}
	failErr := errorForEnd(reason, how)
	if how == endCrash && cur != nil && cur.kind == KindCall {
		cur.w.fire(nil, failErr, true) // the call whose handler crashed
	}
	p.failQueued(queued, failErr)
	if how == endKill && cur != nil && cur.kind == KindCall {
		cur.w.fire(nil, failErr, true)
	}
	if d := p.dfr.Load(); d != nil {
		for _, env := range d.pending {
			env.w.fire(nil, failErr, true)
		}
	}
	if !p.root {
		kind := ProcessStopped
		if how == endCrash || how == endKill {
			kind = ProcessCrashed
		}
		if how == endInit {
			rt.emitf(func() Event { return Event{Kind: InitFailed, PID: p.pid(), Label: p.labelStr(), Err: reason} })
		} else {
			rt.emitf(func() Event { return Event{Kind: kind, PID: p.pid(), Label: p.labelStr(), Reason: reason} })
		}
	}
	for _, m := range watchers {
		rt.deliverDown(m, reason)
	}
	if !rt.det {
		if c := p.ctimer.Load(); c != nil {
			c.stop()
		}
		if stopPending {
			rt.doneOne(1)
		}
	}
	p.ended.Store(true)
	return waiters, true
}

// failQueued fails or drops messages that will never be handled, each with
// an event.
func (p *process) failQueued(queued []*envelope, failErr error) {
	rt := p.rt
	for _, env := range queued {
		if env.kind == KindCall {
			env.w.fire(nil, failErr, true)
		}
		rt.emitf(func() Event {
			return Event{Kind: MessageDropped, PID: p.pid(), Label: p.labelStr(), Peer: env.from.pid(), PeerLbl: env.from.labelStr(),
				Ref: env.id, MsgKind: env.kind, Msg: env.msg, Err: failErr, Parent: env.sent}
		})
	}
	rt.doneOne(int64(len(queued)))
}

// drainDead handles a message that a sender pushed while the process was
// ending: the sender saw it alive, the final drain did not see the message.
func (p *process) drainDead() {
	p.mbox.cmu.Lock()
	queued := p.mbox.drain()
	p.mbox.cmu.Unlock()
	p.mu.Lock()
	failErr := errorForEnd(p.exit, endStop)
	if p.killed.Load() {
		failErr = errorForEnd(p.exit, endKill)
	}
	p.mu.Unlock()
	p.failQueued(queued, failErr)
}

// abandon ends the goroutine of a process whose Init outlived its timeout:
// the process is gone already, so its Init is stopped at its next runtime
// operation, as a killed process would be.
func (p *process) abandon() {
	p.killed.Store(true)
	if p.rt.det {
		p.rt.sched.wakeKilled(p)
		return
	}
	if w := p.curWait.Load(); w != nil {
		w.fire(nil, ErrKilled, true)
	}
}

func errorForEnd(reason error, how endKind) error {
	switch how {
	case endCrash:
		return reason
	case endKill:
		if reason == nil {
			return ErrKilled
		}
		if errors.Is(reason, ErrKilled) {
			return reason
		}
		return fmt.Errorf("%w: %w", ErrKilled, reason)
	}
	return ErrNotRunning
}

// deliver queues env for to. It fails with ErrNotRunning if to does not
// take messages (stopping, ended, or a Run body).
func (rt *Runtime) deliver(from, to *process, env *envelope) error {
	return rt.deliverFrom(from, to, env, from.cause)
}

// deliverFrom is deliver with the causal parent given: for deliveries made
// outside the sender's own goroutine (timers, monitors).
func (rt *Runtime) deliverFrom(from, to *process, env *envelope, parent uint64) error {
	env.id = rt.nextRef.Add(1)
	env.from = from
	if env.src == 0 {
		env.src = from.id
	}
	if to.root || procStatus(to.st.Load()) >= stStopping {
		return ErrNotRunning
	}
	env.sent = rt.emitf(func() Event {
		return Event{Kind: MessageSent, PID: from.pid(), Label: from.labelStr(), Peer: to.pid(), PeerLbl: to.labelStr(),
			Ref: env.id, MsgKind: env.kind, Msg: env.msg, Parent: parent}
	})
	if rt.faults != nil && !env.faulted {
		if drop, delay := rt.faults.Send(from.pid(), to.pid(), env.kind, env.msg); drop || delay > 0 {
			rt.injectSendFault(from, to, env, drop, delay)
			return nil
		}
	}
	rt.enqueue(to, env)
	return nil
}

// enqueue puts an accepted envelope into to's mailbox.
func (rt *Runtime) enqueue(to *process, env *envelope) {
	if rt.det {
		rt.sched.enqueue(to, env)
		return
	}
	rt.inflight.add(1)
	to.mbox.push(env)
	if procStatus(to.st.Load()) == stDead {
		to.drainDead() // it ended while we pushed; nobody else will see the message
		return
	}
	select {
	case to.signal <- struct{}{}:
	default:
	}
}

// injectSendFault drops env or delivers it after delay, as the fault
// injector asked, recording the fault.
func (rt *Runtime) injectSendFault(from, to *process, env *envelope, drop bool, delay time.Duration) {
	env.faulted = true
	name := "delay"
	if drop {
		name = "drop"
	}
	seq := rt.emitf(func() Event {
		return Event{Kind: FaultInjected, PID: to.pid(), Label: to.labelStr(), Peer: from.pid(), PeerLbl: from.labelStr(),
			Ref: env.id, MsgKind: env.kind, Msg: env.msg, Name: name, Delay: delay, Parent: env.sent}
	})
	if drop {
		rt.emitf(func() Event {
			return Event{Kind: MessageDropped, PID: to.pid(), Label: to.labelStr(), Peer: from.pid(), PeerLbl: from.labelStr(),
				Ref: env.id, MsgKind: env.kind, Msg: env.msg, Err: errFaultDrop, Parent: seq}
		})
		return
	}
	rt.newTimer(from, delay, "", false, func(*timer) {
		env.sent = seq
		if err := rt.redeliver(to, env); err != nil {
			if env.kind == KindCall {
				env.w.fire(nil, err, true)
			}
			rt.emitf(func() Event {
				return Event{Kind: MessageDropped, PID: to.pid(), Label: to.labelStr(), Peer: from.pid(), PeerLbl: from.labelStr(),
					Ref: env.id, MsgKind: env.kind, Msg: env.msg, Err: err, Parent: seq}
			})
		}
	})
}

var errFaultDrop = errors.New("noex: dropped by fault injection")

// redeliver queues an envelope that was already announced (MessageSent).
func (rt *Runtime) redeliver(to *process, env *envelope) error {
	if procStatus(to.st.Load()) >= stStopping {
		return ErrNotRunning
	}
	rt.enqueue(to, env)
	return nil
}

// exitGoroutine runs last in every process goroutine.
func (rt *Runtime) exitGoroutine(p *process) {
	defer rt.goroutineEnded()
	p.srv = nil // let the state go; only this goroutine ever used it
	if rt.det {
		rt.sched.exit(p)
		return
	}
	p.flushDone()
	// Let the recycled envelopes go: a PID may keep p for long. (Receivers
	// return none to an ended process.)
	p.returned.Store(nil)
	if p.freeBusy.CompareAndSwap(false, true) {
		p.freeLocal, p.freeTaken = nil, 0
		p.freeBusy.Store(false)
	}
	p.spare = nil
	p.curWait.Store(nil)
}

// caller returns the process behind ctx, checked for use.
func caller(ctx context.Context, op string, to Addr) (*process, error) {
	p := procFrom(ctx)
	if p == nil {
		return nil, &CallError{Op: op, Target: labelOf(to), Err: ErrNoRuntime}
	}
	if err := p.rt.checkUse(p); err != nil {
		return nil, &CallError{Op: op, Target: labelOf(to), Err: err}
	}
	return p, nil
}

func labelOf(a Addr) string {
	if a == nil {
		return "<nil>"
	}
	return a.label()
}

func resolve(rt *Runtime, op string, to Addr) (*process, error) {
	if to == nil {
		return nil, &CallError{Op: op, Target: "<nil>", Err: ErrNotRunning}
	}
	t, err := to.resolve(rt)
	if err != nil {
		return nil, &CallError{Op: op, Target: to.label(), Err: err}
	}
	return t, nil
}

func call(ctx context.Context, to Addr, msg any, cfg callConfig) (any, error) {
	p, err := caller(ctx, "call", to)
	if err != nil {
		return nil, err
	}
	if cfg.err != nil {
		return nil, p.callFailed(nil, 0, &CallError{Op: "call", Target: labelOf(to), Err: cfg.err})
	}
	t, err := resolve(p.rt, "call", to)
	if err != nil {
		return nil, p.callFailed(nil, 0, err.(*CallError))
	}
	if t == p {
		return nil, p.callFailed(t, 0, &CallError{Op: "call", Target: t.labelStr(), Err: ErrCallSelf})
	}
	if err := ctxErr(ctx); err != nil {
		return nil, p.callFailed(t, 0, &CallError{Op: "call", Target: t.labelStr(), Err: err})
	}
	ce := p.newCall(t, msg)
	w, env := &ce.waiter, &ce.envelope
	if err := p.rt.deliver(p, t, env); err != nil {
		// No one will answer. A reused waiter was in curWait, so a late
		// Kill may have fired it already: then take its token back out of
		// the reply channel, which the next wait must find empty.
		if !w.fired.CompareAndSwap(false, true) && w.ch != nil {
			<-w.ch
		}
		w.release()
		return nil, p.callFailed(t, env.id, &CallError{Op: "call", Target: t.labelStr(), Err: err})
	}
	p.await(ctx, w, cfg.timeout, ErrTimeout)
	if w.err != nil && w.sys {
		w.release()
		ce := &CallError{Op: "call", Target: t.labelStr(), Err: w.err}
		if w.err == ErrTimeout {
			ce.Timeout = cfg.timeout
		}
		return nil, p.callFailed(t, env.id, ce)
	}
	val, err := w.val, w.err
	// The handler let go of the envelope before it replied, and the wait
	// used this process's own timer, which fires only under its lock: no
	// one else refers to ce now. The reply channel, still held, guards spare.
	if w.reuse && w.ownCh {
		ce.waiter.val, ce.envelope.msg = nil, nil // keep no garbage alive
		p.spare = ce
	}
	w.release()
	return val, err
}

// Casts recycle their envelopes, in real mode, without a sync.Pool (whose
// per-P caches never balance when senders and receivers run on different
// Ps): a receiver returns what it handled to the sender, in batches, onto
// the sender's returned stack (a Treiber stack only ever taken whole, so
// free of ABA); a sender takes the stack whole into its own list when that
// is empty. What is neither pushed nor taken is left to the collector: a
// batch for a sender that holds maxReturned already, the envelopes of a
// process used from several goroutines at once.
const (
	returnBatch = 32
	maxReturned = 256
)

// newEnvelope returns an envelope for a cast or Send from p.
func (p *process) newEnvelope(kind MsgKind, msg any) *envelope {
	if p.rt.det {
		return &envelope{kind: kind, msg: msg}
	}
	if p.freeBusy.CompareAndSwap(false, true) {
		e := p.freeLocal
		if e == nil && p.returned.Load() != nil {
			e = p.returned.Swap(nil)
		}
		if e != nil {
			p.freeLocal = e.link
			if p.freeTaken++; p.freeLocal == nil { // the list is used up: count it out
				p.returnedN.Add(-p.freeTaken)
				p.freeTaken = 0
			}
			p.freeBusy.Store(false)
			*e = envelope{kind: kind, msg: msg, pooled: true}
			return e
		}
		p.freeBusy.Store(false)
	}
	return &envelope{kind: kind, msg: msg, pooled: true}
}

// recycle adds a handled envelope to the batch that p's goroutine returns
// to its sender.
func (p *process) recycle(e *envelope) {
	if e.from != p.retTo {
		p.flushReturns()
		p.retTo = e.from
	}
	e.msg = nil // keep no garbage alive
	e.link = p.retHead
	p.retHead = e
	if p.retTail == nil {
		p.retTail = e
	}
	if p.retN++; p.retN == returnBatch {
		p.flushReturns()
	}
}

// flushReturns pushes the batch onto its sender's returned stack.
func (p *process) flushReturns() {
	if p.retN == 0 {
		return
	}
	to, head, tail, n := p.retTo, p.retHead, p.retTail, p.retN
	p.retTo, p.retHead, p.retTail, p.retN = nil, nil, nil, 0 // pin no sender
	if to.returnedN.Load() >= maxReturned || to.ended.Load() {
		return
	}
	to.returnedN.Add(int32(n))
	for {
		top := to.returned.Load()
		tail.link = top
		if to.returned.CompareAndSwap(top, head) {
			return
		}
	}
}

// newCall returns an envelope for a call from p to t: the previous call's,
// if it is free to reuse (see reply), or a new one. A process makes one call
// at a time, so in a stream of calls one envelope serves them all.
// The envelope's waiter gets its channel as initWaiter gives it: holding the
// process's reply channel is what makes the spare envelope this call's.
func (p *process) newCall(t *process, msg any) *callEnvelope {
	own := !p.rt.det && p.chanBusy.CompareAndSwap(false, true)
	var ce *callEnvelope
	if own {
		ce, p.spare = p.spare, nil
	}
	if ce == nil {
		ce = &callEnvelope{envelope: envelope{kind: KindCall, msg: msg}, waiter: waiter{owner: p, what: "call", on: t}}
		ce.envelope.w = &ce.waiter
	} else {
		// Field by field: a stale Kill of p may still fire the old waiter;
		// it does so only through fired, which is reset last. (A spare is
		// taken only with the reply channel, which ch keeps.)
		e, w := &ce.envelope, &ce.waiter
		e.id, e.from, e.src, e.msg, e.sent, e.key, e.faulted = 0, nil, 0, msg, 0, 0, false
		e.next = atomic.Pointer[envelope]{} // the mailbox linked it to the next message
		w.on, w.val, w.err, w.sys, w.reuse, w.cause, w.ownCh = t, nil, nil, false, false, 0, true
		w.fired.Store(false)
		return ce
	}
	w := &ce.waiter
	switch {
	case own:
		if p.replyCh == nil {
			p.replyCh = make(chan struct{}, 1)
		}
		w.ch, w.ownCh = p.replyCh, true
	case !p.rt.det:
		w.ch = make(chan struct{}, 1)
	}
	return ce
}

// callFailed records a call that failed for a runtime reason (the target
// unknown, not running or crashed, a timeout) and returns the error.
func (p *process) callFailed(t *process, ref uint64, ce *CallError) error {
	p.rt.emitf(func() Event {
		ev := Event{Kind: CallFailed, PID: p.pid(), Label: p.labelStr(), Ref: ref, Name: ce.Target, Err: ce, Parent: p.cause}
		if t != nil {
			ev.Peer, ev.PeerLbl, ev.Name = t.pid(), t.labelStr(), ""
		}
		return ev
	})
	return ce
}

func send(ctx context.Context, op string, to Addr, kind MsgKind, msg any) error {
	p, err := caller(ctx, op, to)
	if err != nil {
		return err
	}
	t, err := resolve(p.rt, op, to)
	if err != nil {
		return err
	}
	if err := p.rt.deliver(p, t, p.newEnvelope(kind, msg)); err != nil {
		return &CallError{Op: op, Target: t.labelStr(), Err: err}
	}
	return nil
}

func stop(ctx context.Context, to Addr, reason error) error {
	p, err := caller(ctx, "stop", to)
	if err != nil {
		return err
	}
	t, err := resolve(p.rt, "stop", to)
	if err != nil {
		return err
	}
	if t.root {
		return &CallError{Op: "stop", Target: t.labelStr(), Err: ErrNotRunning}
	}
	t.mu.Lock()
	switch t.status {
	case stDead:
		t.mu.Unlock()
		return &CallError{Op: "stop", Target: t.labelStr(), Err: ErrNotRunning}
	case stStarting, stRunning:
		t.setStatus(stStopping)
		t.reason = reason
		if p.rt.det {
			p.rt.sched.stopRequested(t)
		} else {
			// The stop is work in flight until the process has ended, so
			// Run does not return while Terminate still runs.
			p.rt.inflight.add(1)
			t.stopPending = true
			select {
			case t.signal <- struct{}{}:
			default:
			}
		}
	}
	if t == p {
		t.mu.Unlock()
		return nil // a self-stop takes effect after the current message
	}
	w := p.rt.newWaiter(p, "stop", t)
	t.waiters = append(t.waiters, w)
	t.mu.Unlock()
	p.wait(ctx, w, 0, nil)
	if w.err != nil {
		return &CallError{Op: "stop", Target: t.labelStr(), Err: w.err}
	}
	t.mu.Lock()
	exit := t.exit
	t.mu.Unlock()
	if exit != reason && exit != nil && !errors.Is(exit, ErrShutdown) {
		// It ended for another reason than ours (it crashed, or a supervisor
		// gave up): say so.
		return &CallError{Op: "stop", Target: t.labelStr(), Err: exit}
	}
	return nil
}

func wait(ctx context.Context, to Addr) (error, error) {
	p, err := caller(ctx, "wait", to)
	if err != nil {
		return nil, err
	}
	t, err := resolve(p.rt, "wait", to)
	if err != nil {
		return nil, err
	}
	if t == p {
		return nil, &CallError{Op: "wait", Target: t.labelStr(), Err: ErrCallSelf}
	}
	t.mu.Lock()
	if t.status == stDead {
		reason := t.exit
		t.mu.Unlock()
		return reason, nil
	}
	w := p.rt.newWaiter(p, "wait", t)
	t.waiters = append(t.waiters, w)
	t.mu.Unlock()
	p.wait(ctx, w, 0, nil)
	if w.err != nil {
		return nil, &CallError{Op: "wait", Target: t.labelStr(), Err: w.err}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exit, nil
}

func kill(ctx context.Context, to Addr, reason error) error {
	p, err := caller(ctx, "kill", to)
	if err != nil {
		return err
	}
	t, err := resolve(p.rt, "kill", to)
	if err != nil {
		return err
	}
	if t.root {
		return &CallError{Op: "kill", Target: t.labelStr(), Err: ErrNotRunning}
	}
	if reason == nil {
		reason = ErrKilled
	}
	if !t.finalize(reason, endKill) {
		return &CallError{Op: "kill", Target: t.labelStr(), Err: ErrNotRunning}
	}
	if t == p {
		runtime.Goexit()
	}
	if !p.rt.det {
		select { // wake an idle victim so its goroutine exits
		case t.signal <- struct{}{}:
		default:
		}
		if w := t.curWait.Load(); w != nil {
			w.fire(nil, ErrKilled, true) // a victim blocked in a call, stop or wait
		}
	}
	return nil
}

func startServer(ctx context.Context, srv server, opts []StartOption) (PID, error) {
	parent := procFrom(ctx)
	cfg := withOptions(startConfig{initTimeout: DefaultInitTimeout}, opts, StartOption.applyStart)
	what := cfg.name
	if what == "" {
		what = "server"
	}
	if parent == nil {
		return PID{}, &InitError{Server: what, Cause: ErrNoRuntime}
	}
	rt := parent.rt
	if err := rt.checkUse(parent); err != nil {
		return PID{}, &InitError{Server: what, Cause: err}
	}
	if cfg.err != nil {
		return PID{}, &InitError{Server: what, Cause: cfg.err}
	}
	if cfg.hasName && cfg.name == "" {
		return PID{}, &InitError{Server: what, Cause: &RegistryError{Op: "register", Name: "", Err: ErrInvalidName}}
	}
	rt.mu.Lock()
	closed := rt.closed
	rt.mu.Unlock()
	if closed {
		return PID{}, &InitError{Server: what, Cause: ErrClosed}
	}
	p := rt.newProcess(srv, cfg.name, false)
	p.pctx = procCtx{parent: parent.context(), p: p}
	srv.bind(p)
	if cfg.hasName {
		if err := rt.register(cfg.name, p); err != nil {
			rt.mu.Lock()
			delete(rt.procs, p)
			rt.mu.Unlock()
			p.mu.Lock()
			p.setStatus(stDead)
			p.mu.Unlock()
			p.ended.Store(true)
			return PID{}, &InitError{Server: what, Cause: err}
		}
	}
	w := rt.newWaiter(parent, "start", p)
	w.cause = parent.cause // read by the new process: the starter's own field may change
	rt.goroutineStarted()
	go p.main(w)
	if rt.det {
		rt.sched.ready(p)
	}
	parent.wait(ctx, w, cfg.initTimeout, ErrInitTimeout)
	if w.err != nil {
		if w.sys { // timeout or ctx: abandon the process
			cause := w.err
			p.finalize(cause, endInit)
			p.abandon()
			return PID{}, &InitError{Server: p.labelStr(), Cause: cause}
		}
		return PID{}, w.err
	}
	return p.pid(), nil
}
