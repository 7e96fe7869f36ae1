package noex

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
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
	label       atomic.Pointer[procLabel]
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
	freeTaken int16                     // taken from freeLocal, not yet counted out of returnedN; guarded by freeBusy
	noYield   int16                     // envelopes to allocate before the next yield (see newEnvelope); guarded by freeBusy
	returnedN atomic.Int32              // envelopes in returned and freeLocal, give or take freeTaken
	curWait   atomic.Pointer[waiter]    // the wait in progress (or the last, fired), for Kill
	replyCh   chan struct{}             // reused by this process's waits
	ctimer    atomic.Pointer[callTimer] // timeouts of this process's own waits, made at the first
	spare     *callEnvelope             // a finished call's envelope, for the next call; guarded by chanBusy
	freeLocal *envelope                 // recycled cast envelopes (see newEnvelope); guarded by freeBusy
	returned  atomic.Pointer[envelope]

	mbox mailbox // real mode

	// Written by the process as it receives and handles messages.
	doneN   int32 // real mode: messages handled, not yet subtracted from rt.inflight
	retN    int32 // real mode: the batch of envelopes to return to retTo (see recycle)
	started int64 // the runtime's clock at the start, in Unix ns; written before rt.procs publishes p
	retTo   *process
	retHead *envelope
	retTail *envelope
	current atomic.Pointer[envelope]  // the call being handled: Kill fails it, DeferReply reads it
	cause   uint64                    // Seq of the MessageReceived being handled
	handled atomic.Uint64             // messages handled (or being handled); written only by the process
	dfr     atomic.Pointer[deferrals] // made at the first DeferReply
	rnd     *rand.Rand
	d       *detProc // deterministic mode only
}

func (rt *Runtime) newProcess(srv server, label string, root bool) *process {
	p := &process{rt: rt, id: rt.nextID.Add(1), srv: srv, root: root, started: rt.startStamp()}
	if label != "" {
		p.label.Store(&procLabel{s: label, named: true})
	}
	if root {
		p.setStatus(stRunning)
	}
	if rt.det {
		p.d = newDetProc(p)
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

// procLabel is a process's display label: a name (named), or "p<id>",
// made at the first use and kept, since events name a process every time.
type procLabel struct {
	s     string
	named bool
}

// labelStr returns the first name the process registered, or "p<id>".
func (p *process) labelStr() string {
	if l := p.label.Load(); l != nil {
		return l.s
	}
	// A name registered meanwhile wins: the CompareAndSwap fails.
	p.label.CompareAndSwap(nil, &procLabel{s: "p" + strconv.FormatUint(p.id, 10)})
	return p.label.Load().s
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

// main is the goroutine of a server process.
func (p *process) main(started *waiter) {
	rt := p.rt
	defer rt.exitGoroutine(p)
	if rt.det {
		rt.sched.enter(p)
	}
	if err := p.runInit(started); err != nil {
		p.initFailed(started, err)
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
	if l := p.label.Load(); l != nil && l.named {
		return l.s
	}
	return ""
}

// initFailed ends a process whose Init failed and tells Start why.
func (p *process) initFailed(started *waiter, err error) {
	// Release everything before Start returns the error; if Start gave up
	// already (init timeout), finalize is a no-op.
	p.finalize(err, endInit)
	started.fire(nil, &InitError{Server: p.labelStr(), Cause: err}, false)
}

// runInit runs Init, turning a panic into a *CrashError. A Goexit in Init
// fails the start from here, as the goroutine ends.
func (p *process) runInit(started *waiter) (err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			err = newCrash(p.labelStr(), r)
		} else if !p.runtimeExit() {
			p.initFailed(started, p.goexitCrash("Init"))
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
			returned = true
			return ferr
		}
	}
	err = p.srv.init(p.context())
	returned = true
	return err
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
	p.end(reason, endStop)
}

// idleSpins is how many times a process whose mailbox is empty yields its
// processor before it blocks: a message sent meanwhile (the next call of a
// caller that just got its reply, the next cast of a stream) is then taken
// without a park and a wake-up.
const idleSpins = 2

// receive returns the next message, or nil once a stop was requested and the
// mailbox is empty.
func (p *process) receive() *envelope {
	if p.rt.det {
		return p.rt.sched.receive(p)
	}
	for spins := 0; ; {
		if p.killed.Load() {
			runtime.Goexit()
		}
		p.mbox.cmu.Lock()
		env := p.mbox.pop()
		if env != nil {
			// current is kept for calls only: Kill fails it, DeferReply reads it.
			if env.kind == KindCall {
				p.current.Store(env)
			} else if p.current.Load() != nil {
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
		if spins < idleSpins {
			spins++
			runtime.Gosched()
			continue
		}
		p.trimFree()
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
	n := p.handled.Add(1) // only this goroutine writes it: never contended
	var inject any
	if rt.faults != nil {
		if inject = rt.faults.Handle(p.pid(), int(n), env.kind, env.msg); inject != nil {
			rt.emitf(func() Event {
				return Event{Kind: FaultInjected, PID: p.pid(), Label: p.labelStr(), Ref: env.id, MsgKind: env.kind,
					Msg: env.msg, Name: "panic", Parent: p.cause}
			})
		}
	}
	reply, crash, err := p.dispatch(env, inject)
	if p.killed.Load() {
		runtime.Goexit()
	}
	if crash != nil {
		p.crashed(env, crash)
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

// crashed ends a process whose handler crashed on env. The caller of a
// crashing call hears of it from finalize, once Terminate has run and the
// names are released.
func (p *process) crashed(env *envelope, crash *CrashError) {
	p.rt.emitf(func() Event {
		return Event{Kind: MessageHandled, PID: p.pid(), Label: p.labelStr(), Ref: env.id, MsgKind: env.kind, Err: crash, Parent: p.cause}
	})
	p.end(crash, endCrash)
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
		p.rt.doneOne(int64(n))
	}
}

// dispatch runs the handler for env, recovering a panic into crash. A
// Goexit in the handler crashes the process from here, as the goroutine
// ends.
func (p *process) dispatch(env *envelope, inject any) (reply any, crash *CrashError, err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			crash = newCrash(p.labelStr(), r)
		} else if !p.runtimeExit() {
			p.crashed(env, p.goexitCrash(handlerName(env.kind)))
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
	returned = true
	return reply, nil, err
}

// end runs Terminate with reason, then ends the process (how says why).
func (p *process) end(reason error, how endKind) {
	p.terminated(reason, how, p.runTerminate(reason, how))
}

// terminated ends the process after Terminate. A Terminate that crashed
// (panic or Goexit) on a stop makes the end a crash with its reason: Stop
// returns it and the end event carries it. After a handler's crash, the
// process ends with that first crash.
func (p *process) terminated(reason error, how endKind, crash *CrashError) {
	if crash != nil {
		p.rt.emitf(func() Event {
			return Event{Kind: MessageHandled, PID: p.pid(), Label: p.labelStr(), Name: "terminate", Err: crash}
		})
		if how == endStop {
			reason, how = crash, endCrash
		}
	}
	p.finalize(reason, how)
}

// runTerminate runs Terminate, turning a panic into a *CrashError. A Goexit
// in Terminate ends the process from here, as the goroutine ends.
func (p *process) runTerminate(reason error, how endKind) (crash *CrashError) {
	if p.srv == nil {
		return nil
	}
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			crash = newCrash(p.labelStr(), r)
		} else if !p.runtimeExit() {
			p.terminated(reason, how, p.goexitCrash("Terminate"))
		}
	}()
	p.srv.terminate(p.context(), reason)
	returned = true
	return nil
}
