package noex

import (
	"context"
	"slices"
)

// MonitorRef identifies one monitor set with [Monitor].
type MonitorRef struct {
	id     uint64
	target PID
}

// Target returns the monitored process.
func (m MonitorRef) Target() PID { return m.target }

// ID returns the monitor's id, unique within the runtime.
func (m MonitorRef) ID() uint64 { return m.id }

// Down is the message a monitoring process receives in HandleInfo when the
// monitored process ends. Reason is its exit reason (nil for a normal stop);
// for a process that was already gone when the monitor was set, Reason wraps
// [ErrNotRunning].
type Down struct {
	Ref    MonitorRef
	PID    PID
	Reason error
}

type monitor struct {
	id      uint64
	watcher *process
	target  *process
}

func removeMonitor(ms []*monitor, m *monitor) []*monitor {
	return slices.DeleteFunc(ms, func(x *monitor) bool { return x == m })
}

// Monitor makes the runtime send the calling process a [Down] message when
// the process at target ends, with its exit reason; immediately if it has
// already ended. The Down message comes after every message the target sent
// to the caller. A process may monitor the same target several times; each
// monitor sends its own Down.
func Monitor(ctx context.Context, target Addr) (MonitorRef, error) {
	p, err := caller(ctx, "monitor", target)
	if err != nil {
		return MonitorRef{}, err
	}
	rt := p.rt
	t, err := resolve(rt, "monitor", target)
	if err != nil {
		return MonitorRef{}, err
	}
	rt.touch(resStatus, t, accRead)
	rt.touch(resMonitor, t, accWrite)
	m := &monitor{id: rt.nextRef.Add(1), watcher: p, target: t}
	ref := MonitorRef{id: m.id, target: t.pid()}
	rt.mu.Lock()
	t.mu.Lock()
	dead := t.status == stDead
	t.mu.Unlock()
	if !dead {
		t.monitors().watchers = append(t.monitors().watchers, m)
		p.monitors().watching = append(p.monitors().watching, m)
	}
	rt.mu.Unlock()
	rt.emitf(func() Event {
		return Event{Kind: MonitorSet, PID: p.pid(), Label: p.labelStr(), Peer: t.pid(), PeerLbl: t.labelStr(),
			Ref: m.id, Parent: p.cause}
	})
	if dead {
		rt.deliverDown(m, &CallError{Op: "monitor", Target: t.labelStr(), Err: ErrNotRunning})
	}
	return ref, nil
}

// Demonitor removes a monitor. It reports whether the monitor was active;
// a Down already queued is still delivered.
func Demonitor(ctx context.Context, ref MonitorRef) bool {
	p, err := caller(ctx, "demonitor", ref.target)
	if err != nil || ref.target.p == nil {
		return false
	}
	rt := p.rt
	rt.touch(resMonitor, ref.target.p, accWrite)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	mon := p.monitors()
	i := slices.IndexFunc(mon.watching, func(m *monitor) bool { return m.id == ref.id })
	if i < 0 {
		return false
	}
	m := mon.watching[i]
	mon.watching = slices.Delete(mon.watching, i, i+1)
	tm := m.target.monitors()
	tm.watchers = removeMonitor(tm.watchers, m)
	return true
}

// monitors returns p's monitors, made if need be. The caller holds rt.mu.
func (p *process) monitors() *monitors {
	if p.mon == nil {
		p.mon = &monitors{}
	}
	return p.mon
}

// deliverDown sends the Down of m from its target to its watcher.
func (rt *Runtime) deliverDown(m *monitor, reason error) {
	rt.mu.Lock()
	wm := m.watcher.monitors()
	wm.watching = removeMonitor(wm.watching, m)
	rt.mu.Unlock()
	seq := rt.emitf(func() Event {
		return Event{Kind: MonitorDown, PID: m.watcher.pid(), Label: m.watcher.labelStr(),
			Peer: m.target.pid(), PeerLbl: m.target.labelStr(), Ref: m.id, Reason: reason}
	})
	down := Down{Ref: MonitorRef{id: m.id, target: m.target.pid()}, PID: m.target.pid(), Reason: reason}
	env := &envelope{kind: KindInfo, msg: down}
	if err := rt.deliverFrom(m.target, m.watcher, env, seq); err != nil {
		rt.emitf(func() Event {
			return Event{Kind: MessageDropped, PID: m.watcher.pid(), Label: m.watcher.labelStr(), Peer: m.target.pid(),
				PeerLbl: m.target.labelStr(), Ref: m.id, MsgKind: KindInfo, Msg: down, Err: err, Parent: seq}
		})
	}
}
