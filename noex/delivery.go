package noex

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// deliver queues env for to. It fails with ErrNotRunning if to does not
// take messages (stopping, ended, or a Run body).
func (rt *Runtime) deliver(from, to *process, env *envelope) error {
	return rt.deliverFrom(from, to, env, from.cause)
}

// deliverFrom is deliver with the causal parent given: for deliveries made
// outside the sender's own goroutine (timers, monitors).
func (rt *Runtime) deliverFrom(from, to *process, env *envelope, parent uint64) error {
	if rt.det || rt.observing() {
		// The id only names the message in events: in real mode, a message
		// sent while no one observes needs none (and senders do not share
		// a counter for it).
		env.id = rt.nextRef.Add(1)
	}
	env.from = from
	if env.src == 0 {
		env.src = from.id
	}
	if rt.det {
		rt.touch(resStatus, to, accRead)
	}
	if to.root || procStatus(to.st.Load()) >= stStopping {
		return ErrNotRunning
	}
	env.sent = rt.emitf(func() Event {
		if env.id == 0 { // an observer attached since the check above
			env.id = rt.nextRef.Add(1)
		}
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

func send(ctx context.Context, op string, to Addr, kind MsgKind, msg any) error {
	p, err := caller(ctx, op, to)
	if err != nil {
		return err
	}
	t, err := resolve(p.rt, op, to)
	if err != nil {
		p.refused(nil, to, kind, msg, err)
		return err
	}
	env := p.newEnvelope(kind, msg)
	if err := p.rt.deliver(p, t, env); err != nil {
		ce := &CallError{Op: op, Target: t.labelStr(), Err: err}
		p.refused(t, to, kind, msg, ce)
		return ce
	}
	return nil
}

// refused records a cast or send that no process took (the address names
// none, or one that has ended or is stopping): the sender gets the error,
// and the log a MessageDropped, so that no message goes without a trace.
func (p *process) refused(t *process, to Addr, kind MsgKind, msg any, err error) {
	p.rt.emitf(func() Event {
		name := labelOf(to)
		if u, err := strconv.Unquote(name); err == nil {
			name = u // a Name's label is quoted
		}
		ev := Event{Kind: MessageDropped, Peer: p.pid(), PeerLbl: p.labelStr(), MsgKind: kind, Msg: msg, Err: err,
			Name: name, Parent: p.cause}
		if t != nil {
			ev.PID, ev.Label, ev.Name = t.pid(), t.labelStr(), ""
		}
		return ev
	})
}
