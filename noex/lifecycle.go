package noex

import (
	"context"
	"errors"
	"runtime"
)

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
	if err := ctxErr(ctx); err != nil {
		return &CallError{Op: "stop", Target: t.labelStr(), Err: err}
	}
	p.rt.touch(resStatus, t, accWrite)
	t.mu.Lock()
	if t.status != stDead {
		p.requested(StopRequested, t, reason)
	}
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
	p.waitUnbounded(ctx, w)
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
	if err := ctxErr(ctx); err != nil {
		return nil, &CallError{Op: "wait", Target: t.labelStr(), Err: err}
	}
	p.rt.touch(resStatus, t, accRead)
	t.mu.Lock()
	if t.status == stDead {
		reason := t.exit
		t.mu.Unlock()
		return reason, nil
	}
	w := p.rt.newWaiter(p, "wait", t)
	t.waiters = append(t.waiters, w)
	t.mu.Unlock()
	p.waitUnbounded(ctx, w)
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
	if !t.ended.Load() {
		p.requested(KillRequested, t, reason)
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
	if err := ctxErr(ctx); err != nil {
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
	if rt.det {
		rt.sched.born(p, parent)
	}
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

// requested records p's request to stop or kill t, caused by what p is
// handling. A stop's event comes before the target can end, since the
// caller holds t.mu.
func (p *process) requested(kind EventKind, t *process, reason error) {
	p.rt.emitf(func() Event {
		return Event{Kind: kind, PID: p.pid(), Label: p.labelStr(), Peer: t.pid(), PeerLbl: t.labelStr(),
			Reason: reason, Parent: p.cause}
	})
}
