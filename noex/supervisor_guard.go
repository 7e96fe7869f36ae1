package noex

import (
	"context"
	"sync"
)

// supGuard is a supervisor's helper process. It performs the graceful
// stops the supervisor waits for with a bound, and it monitors the
// supervisor: if the supervisor ends without having stopped its children
// (it was killed), the guard kills them, as a link would.
type supGuard struct {
	sup *process
	sh  *supShared
}

type supGuardStop struct {
	pid    PID
	reason error
}

// String renders the request for the event log, as stop{p4 shutdown}.
func (m supGuardStop) String() string {
	return "stop{" + m.pid.String() + " " + ReasonString(m.reason) + "}"
}

var (
	_ Behavior[MonitorRef, supGuardStop, None, None] = supGuard{}
	_ InfoHandler[MonitorRef]                        = supGuard{}
)

func (g supGuard) Init(ctx context.Context) (MonitorRef, error) {
	procFrom(ctx).label.Store(&procLabel{s: g.sup.labelStr() + ".guard", named: true})
	return Monitor(ctx, g.sup.pid())
}

func (supGuard) HandleCall(ctx context.Context, m supGuardStop, mon MonitorRef) (None, MonitorRef, error) {
	Stop(ctx, m.pid, m.reason) // ErrNotRunning: it ended already, which is as good
	return None{}, mon, nil
}

func (supGuard) HandleCast(_ context.Context, _ None, mon MonitorRef) (MonitorRef, error) {
	return mon, nil
}

func (g supGuard) HandleInfo(ctx context.Context, msg any, mon MonitorRef) (MonitorRef, error) {
	if d, ok := msg.(Down); ok && d.Ref == mon {
		g.sh.killAll(ctx, g.sup, d.Reason)
		supRegistryOf(g.sup.rt).remove(g.sup.pid())
		Stop(ctx, Self(ctx), nil)
	}
	return mon, nil
}

// startGuard starts a guard and monitors it.
func (s *supState) startGuard() error {
	g, err := Start(s.ctx, supGuard{sup: s.self, sh: s.sh})
	if err != nil {
		return err
	}
	mon, err := Monitor(s.ctx, g.PID())
	if err != nil {
		return err
	}
	s.setGuard(g.PID(), mon)
	return nil
}

func (s *supState) setGuard(g PID, mon MonitorRef) {
	s.guard, s.guardMon = g, mon
	s.sh.mu.Lock()
	s.sh.guard = g
	s.sh.mu.Unlock()
}

func (sh *supShared) guardPID() PID {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.guard
}

// ensureGuard returns a live guard, starting one if needed, or the zero PID.
func (s *supState) ensureGuard() PID {
	if s.guard.IsZero() || !s.rt.IsAlive(s.guard) {
		if s.setGuard(PID{}, MonitorRef{}); s.startGuard() != nil {
			return PID{}
		}
	}
	return s.guard
}

// killAll kills the running children of the supervisor sup, newest first,
// with reason, after sup ended without stopping them. The guard and the
// parent supervisor may both call it; the first does the work.
func (sh *supShared) killAll(ctx context.Context, sup *process, reason error) {
	type victim struct {
		id  string
		pid PID
	}
	sh.mu.Lock()
	if sh.dead {
		sh.mu.Unlock()
		return
	}
	sh.dead = true
	var vs []victim
	for i := len(sh.children) - 1; i >= 0; i-- {
		if c := sh.children[i]; !c.pid.IsZero() {
			vs = append(vs, victim{c.spec.ID, c.pid})
		}
	}
	sh.mu.Unlock()
	if reason == nil {
		reason = ErrShutdown
	}
	rt := sup.rt
	for _, v := range vs {
		if Kill(ctx, v.pid, reason) == nil && rt.observing() {
			rt.emit(Event{Kind: ChildStopped, PID: sup.pid(), Label: sup.labelStr(), Peer: v.pid,
				PeerLbl: v.pid.Label(), Name: v.id, Reason: reason, Parent: procFrom(ctx).cause})
		}
	}
}

// supRegistry maps each live supervisor to its shared children, so that a
// parent supervisor can make sure a killed child supervisor's children are
// gone before restarting it.
type supRegistry struct {
	mu sync.Mutex
	m  map[PID]*supShared // lookups only, never iterated
}

type supRegistryKey struct{}

func supRegistryOf(rt *Runtime) *supRegistry {
	return rt.extState(supRegistryKey{}, func() any { return &supRegistry{m: map[PID]*supShared{}} }).(*supRegistry)
}

func (r *supRegistry) set(pid PID, sh *supShared) {
	r.mu.Lock()
	r.m[pid] = sh
	r.mu.Unlock()
}

func (r *supRegistry) get(pid PID) *supShared {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[pid]
}

func (r *supRegistry) remove(pid PID) {
	r.mu.Lock()
	delete(r.m, pid)
	r.mu.Unlock()
}
