package noex

import (
	"errors"
	"fmt"
)

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
	if rt.det {
		rt.touch(resStatus, p, accWrite)
		rt.touch(resMonitor, p, accRead)
	}
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

// exitGoroutine runs last in every process goroutine.
func (rt *Runtime) exitGoroutine(p *process) {
	defer rt.goroutineEnded()
	p.srv = nil // let the state go; only this goroutine ever used it
	if rt.det {
		rt.sched.exit(p)
		return
	}
	p.flushDone()
	p.releaseEnvelopes()
	p.curWait.Store(nil)
}

// releaseEnvelopes lets the envelopes an ended process kept for reuse go:
// a PID may keep p for long (an event log holds them). Receivers return
// none to an ended process. Real mode only.
func (p *process) releaseEnvelopes() {
	p.returned.Store(nil)
	if p.freeBusy.CompareAndSwap(false, true) {
		p.freeLocal, p.freeTaken = nil, 0
		p.freeBusy.Store(false)
	}
	if p.chanBusy.CompareAndSwap(false, true) { // a goroutine borrowing p's context may be calling
		p.spare = nil
		p.chanBusy.Store(false)
	}
}
