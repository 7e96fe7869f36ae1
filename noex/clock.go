package noex

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

const (
	timerPending int32 = iota
	timerFired
	timerCancelled
)

// timer is one pending action on the runtime's clock: a SendAfter delivery,
// a Sleep's wake-up, or a call or init timeout.
type timer struct {
	rt      *Runtime
	id      uint64
	owner   *process
	delay   time.Duration
	at      time.Time
	purpose string // "" for internal timeouts, which emit no events
	user    bool   // set by SendAfter: counted by PendingTimers
	fn      func(*timer)
	state   atomic.Int32
	real    *time.Timer
	index   int
	setSeq  uint64
	e       entry // deterministic mode: its firing, once due
}

func (rt *Runtime) newTimer(owner *process, d time.Duration, purpose string, user bool, fn func(*timer)) *timer {
	t := &timer{rt: rt, id: rt.nextRef.Add(1), owner: owner, delay: d, purpose: purpose, user: user, fn: fn, index: -1}
	if user {
		rt.mu.Lock()
		rt.timers[t] = struct{}{}
		rt.mu.Unlock()
	}
	if purpose != "" {
		t.setSeq = rt.emitf(func() Event {
			return Event{Kind: TimerSet, PID: owner.pid(), Label: owner.labelStr(), Ref: t.id,
				Name: purpose, Delay: d, Parent: owner.cause}
		})
	}
	if rt.det {
		rt.sched.addTimer(t)
	} else {
		t.real = time.AfterFunc(d, t.fire)
	}
	return t
}

func (t *timer) fire() {
	if !t.state.CompareAndSwap(timerPending, timerFired) {
		return
	}
	t.forget()
	if t.purpose != "" {
		t.setSeq = t.rt.emitf(func() Event {
			return Event{Kind: TimerFired, PID: t.owner.pid(), Label: t.owner.labelStr(), Ref: t.id,
				Name: t.purpose, Parent: t.setSeq}
		})
	}
	t.fn(t)
}

func (t *timer) cancel() bool {
	// A process unwinding from an aborted deterministic run does not own
	// the scheduler any more: it only marks the timer.
	owned := t.rt.det && !t.rt.sched.aborted.Load()
	if owned {
		t.rt.sched.touch(resTimer, t.e.xid, accWrite)
	}
	if !t.state.CompareAndSwap(timerPending, timerCancelled) {
		return false
	}
	if owned {
		t.rt.sched.removeTimer(t)
	} else if !t.rt.det {
		t.real.Stop()
	}
	t.forget()
	if t.user {
		t.rt.emitf(func() Event {
			return Event{Kind: TimerCancelled, PID: t.owner.pid(), Label: t.owner.labelStr(), Ref: t.id, Name: t.purpose}
		})
	}
	return true
}

func (t *timer) forget() {
	if t.user {
		t.rt.mu.Lock()
		delete(t.rt.timers, t)
		t.rt.mu.Unlock()
	}
}

// Timer is a pending [SendAfter] delivery.
type Timer struct{ t *timer }

// Cancel stops the delivery. It reports whether the timer was still pending
// (false if it already fired or was cancelled). Like every runtime operation
// in deterministic mode, call it from Run's body or a handler.
func (t *Timer) Cancel() bool {
	if t == nil || t.t == nil {
		return false
	}
	return t.t.cancel()
}

// SendAfter delivers msg to the HandleInfo of the process at to after d on
// the runtime's clock, as a message from a timer. The address is resolved
// when the timer fires; if no process takes it then, the message is dropped
// and recorded as a [MessageDropped] event. Timers are not tied to the
// process that set them.
func SendAfter(ctx context.Context, to Addr, msg any, d time.Duration) (*Timer, error) {
	p, err := caller(ctx, "send", to)
	if err != nil {
		return nil, err
	}
	if to == nil {
		return nil, &CallError{Op: "send", Target: "<nil>", Err: ErrNotRunning}
	}
	rt := p.rt
	t := rt.newTimer(p, d, "send-after", true, func(t *timer) {
		target, err := to.resolve(rt)
		env := &envelope{kind: KindInfo, msg: msg, src: 1<<63 | t.id}
		if err == nil {
			err = rt.deliverFrom(p, target, env, t.setSeq)
		}
		if err != nil {
			rt.emitf(func() Event {
				return Event{Kind: MessageDropped, PID: p.pid(), Label: p.labelStr(), Ref: t.id, MsgKind: KindInfo,
					Msg: msg, Name: to.label(), Err: err, Parent: t.setSeq}
			})
		}
	})
	return &Timer{t: t}, nil
}

// Now returns the runtime's current time: virtual in deterministic mode (see
// [Epoch]), the wall clock otherwise. Outside a runtime it returns time.Now().
func Now(ctx context.Context) time.Time {
	if p := procFrom(ctx); p != nil {
		return p.rt.Now()
	}
	return time.Now()
}

// Sleep pauses the calling process for d on the runtime's clock. In
// deterministic mode other processes run meanwhile and the virtual clock
// jumps forward when nothing else can run. It returns early with ctx's error
// in real mode, or with an error if ctx carries no runtime.
func Sleep(ctx context.Context, d time.Duration) error {
	p, err := caller(ctx, "sleep", nil)
	if err != nil {
		return err
	}
	rt := p.rt
	if rt.det {
		w := rt.newWaiter(p, "sleep", nil)
		t := rt.newTimer(p, d, "sleep", false, func(*timer) { w.fire(nil, nil, false) })
		defer t.cancel()
		rt.sched.park(p, w)
		return w.err
	}
	if d <= 0 {
		return ctx.Err()
	}
	w := rt.newWaiter(p, "sleep", nil)
	p.wait(ctx, w, d, nil)
	if w.err != nil {
		return w.err
	}
	return nil
}

// Rand returns the calling process's random source. In deterministic mode
// it is seeded from the runtime's seed and the process id, so a seed replays
// the same values. The source is not safe for concurrent use: use it only
// from the process's own handlers. Outside a runtime Rand returns a new
// randomly seeded source.
func Rand(ctx context.Context) *rand.Rand {
	p := procFrom(ctx)
	if p == nil {
		return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if p.rnd == nil {
		p.rnd = p.rt.newRand(p.id)
	}
	return p.rnd
}
