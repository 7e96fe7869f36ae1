package noex

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"time"
)

// down handles the end of a child or of the guard. Downs of monitors the
// supervisor removed (deliberate stops) match no child and are ignored.
func (s *supState) down(d Down) {
	if d.Ref == s.guardMon && !s.guard.IsZero() {
		s.setGuard(PID{}, MonitorRef{})
		if !s.quitting() {
			s.startGuard() // on failure, stops fall back to Kill
		}
		return
	}
	c := s.byMon[d.Ref.ID()]
	if c == nil || c.mon != d.Ref {
		return
	}
	reason := d.Reason
	if r, ok := s.rt.ExitReason(d.PID); ok {
		reason = r // the real reason, even if it ended before Monitor
	}
	old := c.pid
	s.ended(c, reason)
	if s.quitting() || !c.spec.Restart.restarts(reason) {
		s.emit(ChildStopped, old, c.spec.ID, reason)
		if c.spec.Restart == Temporary {
			s.remove(c)
		}
		return
	}
	s.restart(c, reason)
}

// ended records that c's process has ended with reason.
func (s *supState) ended(c *supChild, reason error) {
	old := c.pid
	delete(s.byMon, c.mon.ID())
	c.mon = MonitorRef{}
	s.setPID(c, PID{})
	c.exit = reason
	if c.sub != nil { // a supervisor: make sure its children and guard are gone
		c.sub.killAll(s.ctx, old.p, reason)
		if g := c.sub.guardPID(); !g.IsZero() {
			Stop(s.ctx, g, nil)
		}
		c.sub = nil
	}
}

// quitting reports whether the supervisor must restart nothing: it is
// stopping, or the runtime is shutting down.
func (s *supState) quitting() bool {
	if s.rt.ShuttingDown() {
		return true
	}
	s.self.mu.Lock()
	defer s.self.mu.Unlock()
	return s.self.status >= stStopping
}

// restart restarts failed, which ended with reason, and the children its
// strategy groups with it, if the intensity allows.
func (s *supState) restart(failed *supChild, reason error) {
	if !s.allow() {
		s.exceed(failed, reason)
		return
	}
	group := s.group(failed)
	for i := len(group) - 1; i >= 0; i-- {
		c := group[i]
		if c == failed || c.pid.IsZero() {
			continue // only running siblings take part
		}
		s.stop(c, ErrShutdown)
		if c.spec.Restart == Temporary {
			s.remove(c)
			continue
		}
		c.pending = true
	}
	failed.pending = true
	s.startPending()
}

// group returns the children restarted together with c, in start order.
func (s *supState) group(c *supChild) []*supChild {
	switch s.strategy {
	case OneForAll:
		return append([]*supChild(nil), s.sh.children...)
	case RestForOne:
		for i, x := range s.sh.children {
			if x == c {
				return append([]*supChild(nil), s.sh.children[i:]...)
			}
		}
	}
	return []*supChild{c}
}

// startPending starts the children waiting for a restart, in start order.
// At the first failure it stops and asks itself (by message, so that other
// ends are handled in between) to retry.
func (s *supState) startPending() {
	for _, c := range append([]*supChild(nil), s.sh.children...) {
		if !c.pending {
			continue
		}
		if err := s.start(c, true); err != nil {
			Send(s.ctx, s.self.pid(), supRetry{}) // fails only if stopping: then no retry
			return
		}
	}
}

// retry retries failed restarts; each retry counts against the intensity.
func (s *supState) retry() {
	var first *supChild
	for _, c := range s.sh.children {
		if c.pending {
			first = c
			break
		}
	}
	if first == nil || s.quitting() {
		return
	}
	if !s.allow() {
		s.exceed(first, first.startErr)
		return
	}
	s.startPending()
}

// allow records an automatic restart now, unless maxR restarts happened
// less than within ago.
func (s *supState) allow() bool {
	now := Now(s.ctx)
	i := 0 // history is in time order: drop what left the window
	for i < len(s.history) && now.Sub(s.history[i]) >= s.within {
		i++
	}
	s.history = s.history[i:]
	if len(s.history) >= s.maxR {
		return false
	}
	s.history = append(s.history, now)
	return true
}

// exceed ends the supervisor with a *MaxRestartsError: the children are
// stopped, then the supervisor kills itself, so that the reason stands even
// if a Stop was requested meanwhile. It does not return.
func (s *supState) exceed(c *supChild, reason error) {
	err := &MaxRestartsError{Supervisor: s.self.labelStr(), MaxRestarts: s.maxR, Within: s.within,
		Child: c.spec.ID, Reason: reason}
	if s.rt.observing() {
		s.rt.emit(Event{Kind: SupervisorExceeded, PID: s.self.pid(), Label: s.self.labelStr(), Reason: err,
			Parent: s.self.cause})
	}
	s.stopAll()
	s.finish()
	Kill(s.ctx, s.self.pid(), err)
}

// start starts c; restarted says whether it ran before. Once the
// supervisor's Stop has begun (or the runtime's Shutdown), no child starts
// again: not in the middle of a OneForAll or RestForOne restart whose
// stops let the Stop in, nor for a request queued before it.
func (s *supState) start(c *supChild, restarted bool) error {
	if s.quitting() {
		c.startErr = &ChildError{Supervisor: s.self.labelStr(), Child: c.spec.ID, Err: errSupStopping, start: true}
		return c.startErr
	}
	pid, err := s.callStart(c.spec)
	var mon MonitorRef
	if err == nil {
		mon, err = Monitor(s.ctx, pid)
	}
	if err != nil {
		c.startErr = &ChildError{Supervisor: s.self.labelStr(), Child: c.spec.ID, Err: err, start: true}
		return c.startErr
	}
	if s.setPID(c, pid) { // this supervisor was killed meanwhile (real mode)
		Kill(s.ctx, pid, ErrKilled)
		return &ChildError{Supervisor: s.self.labelStr(), Child: c.spec.ID, Err: ErrKilled, start: true}
	}
	c.mon, c.pending, c.startErr = mon, false, nil
	s.byMon[mon.ID()] = c
	c.sub = supRegistryOf(s.rt).get(pid)
	if restarted {
		c.restarts++
		s.restarts++
		s.emit(ChildRestarted, pid, c.spec.ID, c.exit)
	} else {
		s.emit(ChildStarted, pid, c.spec.ID, nil)
	}
	return nil
}

// callStart runs spec.Start, turning a panic or a missing process into an
// error. A Goexit cannot be recovered: it crashes the supervisor, with a
// reason naming the child.
func (s *supState) callStart(spec ChildSpec) (pid PID, err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			err = &CrashError{Server: spec.ID, Value: r, Stack: string(debug.Stack())}
		} else {
			s.self.noteGoexit("the start function of child " + strconv.Quote(spec.ID))
		}
	}()
	pid, err = spec.Start(s.ctx)
	returned = true
	switch {
	case err != nil:
	case pid.IsZero():
		err = errors.New("noex: Start returned no process")
	case pid.p.rt != s.rt:
		err = ErrForeignRef
	case pid.p == s.self || pid == s.guard:
		err = errors.New("noex: Start returned the supervisor's own process, not a child it started")
	}
	return pid, err
}

var errSupStopping = fmt.Errorf("%w: the supervisor is stopping", ErrNotRunning)

// stop stops c's process on purpose (it is not restarted for it) and
// records why it ended.
func (s *supState) stop(c *supChild, reason error) {
	old := c.pid
	if old.IsZero() {
		return
	}
	Demonitor(s.ctx, c.mon)
	s.shutdown(old, reason, c.spec.shutdown())
	exit, _ := s.rt.ExitReason(old)
	s.ended(c, exit)
	s.emit(ChildStopped, old, c.spec.ID, exit)
}

// shutdown stops pid gracefully within d on the runtime's clock, then kills
// it. The guard performs the Stop, so that the supervisor can wait for it
// with a bound: a call with a timeout works alike in both modes.
func (s *supState) shutdown(pid PID, reason error, d time.Duration) {
	if !s.rt.IsAlive(pid) {
		return
	}
	var err error = ErrNotRunning
	if g := s.ensureGuard(); !g.IsZero() {
		_, err = Call(s.ctx, RefOf[supGuardStop, None, None](g), supGuardStop{pid: pid, reason: reason}, WithTimeout(d))
	}
	if err == nil || !s.rt.IsAlive(pid) {
		return
	}
	why := fmt.Errorf("%w: %s did not stop within %v", ErrKilled, pid.Label(), d)
	if !errors.Is(err, ErrTimeout) {
		why = fmt.Errorf("%w: %s could not be stopped gracefully: %s", ErrKilled, pid.Label(), trimPrefix(err))
	}
	Kill(s.ctx, pid, why)
}

// stopAll stops every running child in reverse start order.
func (s *supState) stopAll() {
	for i := len(s.sh.children) - 1; i >= 0; i-- {
		c := s.sh.children[i]
		c.pending = false
		s.stop(c, ErrShutdown)
	}
}

// finish stops the guard and forgets the supervisor; it runs as it ends.
func (s *supState) finish() {
	if !s.guard.IsZero() {
		g := s.guard
		s.setGuard(PID{}, MonitorRef{})
		Demonitor(s.ctx, s.guardMon)
		Stop(s.ctx, g, nil)
	}
	supRegistryOf(s.rt).remove(s.self.pid())
}

// setPID sets c's process under the lock and reports whether the children
// were killed already (the supervisor is gone).
func (s *supState) setPID(c *supChild, pid PID) (dead bool) {
	s.sh.mu.Lock()
	defer s.sh.mu.Unlock()
	c.pid = pid
	return s.sh.dead && !pid.IsZero()
}

func (s *supState) add(c *supChild) {
	s.sh.mu.Lock()
	s.sh.children = append(s.sh.children, c)
	s.sh.mu.Unlock()
	s.byID[c.spec.ID] = c
}

func (s *supState) remove(c *supChild) {
	s.sh.mu.Lock()
	for i, x := range s.sh.children {
		if x == c {
			s.sh.children = append(s.sh.children[:i:i], s.sh.children[i+1:]...)
			break
		}
	}
	s.sh.mu.Unlock()
	delete(s.byID, c.spec.ID)
}

func (s *supState) emit(kind EventKind, child PID, id string, reason error) {
	if s.rt.observing() {
		s.rt.emit(Event{Kind: kind, PID: s.self.pid(), Label: s.self.labelStr(), Peer: child, PeerLbl: child.Label(),
			Name: id, Reason: reason, Parent: s.self.cause})
	}
}
