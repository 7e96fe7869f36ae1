package noex

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

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
		if w.ch == nil { // deterministic mode: the late one raced the first
			w.owner.rt.touch(resWait, w.owner, accWrite)
		}
		return false
	}
	w.val, w.err, w.sys, w.reuse = val, err, sys, reuse
	if w.ch != nil {
		w.ch <- struct{}{}
	} else {
		w.owner.rt.touch(resWait, w.owner, accWrite)
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
	killedFirst := false
	if !p.root {
		// So that Kill can wake us, or we see a kill that came first. A wait
		// that reuses the last one's waiter finds it there already: left
		// there, a fired waiter is harmless (fire does nothing), and a reused
		// one is reset before this check.
		if p.curWait.Load() != w {
			p.curWait.Store(w)
		}
		if p.killed.Load() && !w.fire(nil, ErrKilled, true) {
			// The kill came before this wait began, and so before the answer
			// could be taken: a call sent after the kill (the kill landed
			// while it was being sent) may have been answered already. The
			// process is dead; the answer is lost, as a killed process's
			// mail is.
			killedFirst = true
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
	if killedFirst { // w is ours again: its fire has been received
		w.val, w.err, w.sys = nil, ErrKilled, true
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
