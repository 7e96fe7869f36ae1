package noex

import (
	"context"
)

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
