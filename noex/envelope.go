package noex

import (
	"runtime"
	"sync/atomic"
)

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

// Casts recycle their envelopes, in real mode, without a sync.Pool (whose
// per-P caches never balance when senders and receivers run on different
// Ps): a receiver returns what it handled to the sender, in batches, onto
// the sender's returned stack (a Treiber stack only ever taken whole, so
// free of ABA); a sender takes the stack whole into its own list when that
// is empty. What is neither pushed nor taken is left to the collector: a
// batch for a sender that holds maxReturned already, the envelopes of a
// process used from several goroutines at once.
//
// A sender keeps up to maxReturned envelopes (1.5 MiB), so that a stream
// of bursts of that many casts, each drained before the next, allocates
// nothing once the first is drained; a server keeps keptIdle of them
// once it waits for messages (see trimFree), so that only the processes
// that send at the moment hold more.
const (
	returnBatch = 32
	maxReturned = 1 << 14
	keptIdle    = 256
)

// A sender whose recycled envelopes have run out has outrun its receivers:
// they hold the envelopes, queued. Before it allocates, it yields its
// processor once (see newEnvelope), which lets a receiver that waits for a
// processor (on a busy machine, typically the one the sender woke, queued
// on the sender's own) run and return what it handled. If the yield brings
// nothing back, the receivers are slow for another reason, and the sender
// allocates yieldBackoff envelopes before it yields again.
const yieldBackoff = 256

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
		if e == nil {
			if p.noYield > 0 {
				p.noYield--
			} else {
				runtime.Gosched()
				if e = p.returned.Swap(nil); e == nil {
					p.noYield = yieldBackoff
				}
			}
		}
		if e != nil {
			p.freeLocal = e.link
			if p.freeTaken++; p.freeLocal == nil || p.freeTaken == maxReturned { // the list is used up: count it out
				p.returnedN.Add(-int32(p.freeTaken))
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

// trimFree lets the collector have p's recycled envelopes beyond
// keptIdle. p's goroutine calls it before it waits for messages.
func (p *process) trimFree() {
	if p.returnedN.Load() <= keptIdle || !p.freeBusy.CompareAndSwap(false, true) {
		return
	}
	// Keep the first keptIdle of freeLocal, then of the returned stack.
	head, rest := p.freeLocal, p.returned.Swap(nil)
	if head == nil {
		head, rest = rest, nil
	}
	kept := 0
	var last *envelope
	for e := head; e != nil && kept < keptIdle; e = e.link {
		last, kept = e, kept+1
	}
	if kept < keptIdle && rest != nil {
		last.link = rest
		for e := rest; e != nil && kept < keptIdle; e = e.link {
			last, kept = e, kept+1
		}
	}
	if last != nil {
		last.link = nil
	}
	p.freeLocal = head
	// A batch a receiver pushes meanwhile counts nowhere (the bound is a
	// soft one); it is taken with the rest.
	p.returnedN.Store(int32(kept))
	p.freeTaken = 0
	p.freeBusy.Store(false)
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
