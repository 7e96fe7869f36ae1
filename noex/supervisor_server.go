package noex

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

type supOp uint8

const (
	supOpStartChild supOp = iota + 1
	supOpTerminate
	supOpRestart
	supOpDelete
	supOpChildren
	supOpChildPID
	supOpInspect
)

var supOpNames = [...]string{supOpStartChild: "StartChild", supOpTerminate: "TerminateChild",
	supOpRestart: "RestartChild", supOpDelete: "DeleteChild", supOpChildren: "Children", supOpChildPID: "ChildPID",
	supOpInspect: "InspectSupervisor"}

// supCall is a supervisor's call message.
type supCall struct {
	op   supOp
	id   string
	spec ChildSpec
}

// String renders the request for the event log, as TerminateChild{"db"}.
func (c supCall) String() string {
	name := "supCall"
	if int(c.op) < len(supOpNames) && c.op > 0 {
		name = supOpNames[c.op]
	}
	if c.op == supOpChildren || c.op == supOpInspect {
		return name + "{}"
	}
	return name + "{" + strconv.Quote(c.id) + "}"
}

// supCast is a supervisor's cast message: it takes none (they are ignored).
type supCast struct{}

// supReply is a supervisor's reply.
type supReply struct {
	pid      PID
	children []ChildInfo
	info     *SupervisorInfo
}

// String renders the reply for the event log, as {p4}, [a:p4 b:-] or
// {one_for_one restarts=1 [a:p4 b:-]}.
func (r supReply) String() string {
	if r.info != nil {
		return "{" + r.info.Strategy.String() + " restarts=" + strconv.Itoa(r.info.Restarts) + " " +
			supReply{children: r.info.Children}.String() + "}"
	}
	if r.children == nil {
		return "{" + r.pid.String() + "}"
	}
	parts := make([]string, len(r.children))
	for i, c := range r.children {
		pid := "-"
		if !c.PID.IsZero() {
			pid = c.PID.String()
		}
		parts[i] = strconv.Quote(c.ID) + ":" + pid
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// supRetry asks the supervisor to retry the restarts that failed to start.
type supRetry struct{}

type supBehavior struct{ spec SupervisorSpec }

var (
	_ Behavior[*supState, supCall, supCast, supReply] = supBehavior{}
	_ InfoHandler[*supState]                          = supBehavior{}
	_ Terminator[*supState]                           = supBehavior{}
)

// supChild is one child. Its pid is written under sh.mu (the guard and a
// parent supervisor read it); everything else belongs to the supervisor
// process.
type supChild struct {
	spec     ChildSpec
	pid      PID // zero when not running
	mon      MonitorRef
	restarts int
	exit     error      // why its last process ended
	startErr error      // why its last start failed
	pending  bool       // must be (re)started: a restart is under way or failed
	sub      *supShared // the child's own children, when it is a supervisor
}

// supState is a supervisor's state, touched only by its process.
type supState struct {
	ctx      context.Context
	self     *process
	rt       *Runtime
	strategy Strategy
	maxR     int
	within   time.Duration
	sh       *supShared
	byID     map[string]*supChild
	byMon    map[uint64]*supChild // lookups only, never iterated
	history  []time.Time          // times of the automatic restarts in the window
	restarts int                  // children started again, over the supervisor's life
	started  time.Time
	guard    PID
	guardMon MonitorRef
}

// supShared is what a supervisor shares with its guard and its parent: the
// children, so that they can be killed if the supervisor is killed.
type supShared struct {
	mu       sync.Mutex
	dead     bool        // the children were killed: the supervisor is gone
	children []*supChild // in start order; written under mu by the supervisor
	guard    PID         // written under mu by the supervisor
}

// Init starts the guard, then the children in order. If one fails, those
// already started are stopped in reverse order and the guard with them.
func (b supBehavior) Init(ctx context.Context) (*supState, error) {
	p := procFrom(ctx)
	s := &supState{ctx: ctx, self: p, rt: p.rt, sh: &supShared{}, started: Now(ctx).UTC(),
		strategy: b.spec.Strategy, maxR: b.spec.MaxRestarts, within: b.spec.Within,
		byID: map[string]*supChild{}, byMon: map[uint64]*supChild{}}
	switch {
	case s.maxR == 0:
		s.maxR = supDefaultMaxRestarts
	case s.maxR < 0:
		s.maxR = 0
	}
	if s.within == 0 {
		s.within = supDefaultWithin
	}
	supRegistryOf(s.rt).set(p.pid(), s.sh)
	if err := s.startGuard(); err != nil {
		s.finish()
		return nil, err
	}
	for _, spec := range b.spec.Children {
		c := &supChild{spec: spec}
		s.add(c)
		err := s.start(c, false)
		if err == nil && !s.rt.IsAlive(p.pid()) {
			// Start gave up on this supervisor (init timeout): its guard
			// kills what was started, this one included.
			err = ErrInitTimeout
		}
		if err != nil {
			s.stopAll()
			s.finish()
			return nil, err
		}
	}
	return s, nil
}

func (supBehavior) HandleCall(_ context.Context, m supCall, s *supState) (supReply, *supState, error) {
	switch m.op {
	case supOpStartChild:
		pid, err := s.startChild(m.spec)
		return supReply{pid: pid}, s, err
	case supOpTerminate:
		return supReply{}, s, s.terminateChild(m.id)
	case supOpRestart:
		pid, err := s.restartChild(m.id)
		return supReply{pid: pid}, s, err
	case supOpDelete:
		return supReply{}, s, s.deleteChild(m.id)
	case supOpChildren:
		return supReply{children: s.infos()}, s, nil
	case supOpChildPID:
		pid, err := s.childPID(m.id)
		return supReply{pid: pid}, s, err
	case supOpInspect:
		return supReply{info: &SupervisorInfo{Strategy: s.strategy, MaxRestarts: s.maxR, Within: s.within,
			Restarts: s.restarts, Started: s.started, Children: s.infos()}}, s, nil
	}
	return supReply{}, s, fmt.Errorf("%w: unknown supervisor request %v", ErrBadMessage, m)
}

func (supBehavior) HandleCast(_ context.Context, _ supCast, s *supState) (*supState, error) {
	return s, nil
}

func (supBehavior) HandleInfo(_ context.Context, msg any, s *supState) (*supState, error) {
	switch m := msg.(type) {
	case Down:
		s.down(m)
	case supRetry:
		s.retry()
	}
	return s, nil
}

// Terminate stops the children in reverse order, then the guard.
func (supBehavior) Terminate(_ context.Context, _ error, s *supState) {
	s.stopAll()
	s.finish()
}

func (s *supState) lookup(id string) (*supChild, error) {
	if c := s.byID[id]; c != nil {
		return c, nil
	}
	return nil, &ChildError{Supervisor: s.self.labelStr(), Child: id, Err: ErrChildNotFound}
}

func (s *supState) startChild(spec ChildSpec) (PID, error) {
	if err := validateChild(s.self.labelStr(), -1, spec); err != nil {
		return PID{}, err
	}
	if s.byID[spec.ID] != nil {
		return PID{}, &ChildError{Supervisor: s.self.labelStr(), Child: spec.ID, Err: ErrDuplicateChild}
	}
	c := &supChild{spec: spec}
	s.add(c) // before starting, so that a kill of the supervisor finds it
	if err := s.start(c, false); err != nil {
		s.remove(c)
		return PID{}, err
	}
	return c.pid, nil
}

func (s *supState) terminateChild(id string) error {
	c, err := s.lookup(id)
	if err != nil {
		return err
	}
	c.pending = false
	s.stop(c, ErrShutdown)
	if c.spec.Restart == Temporary {
		s.remove(c)
	}
	return nil
}

func (s *supState) restartChild(id string) (PID, error) {
	c, err := s.lookup(id)
	if err != nil {
		return PID{}, err
	}
	s.stop(c, ErrShutdown)
	if err := s.start(c, true); err != nil {
		c.pending = false
		if c.spec.Restart == Temporary {
			s.remove(c)
		}
		return PID{}, err
	}
	return c.pid, nil
}

func (s *supState) deleteChild(id string) error {
	c, err := s.lookup(id)
	if err != nil {
		return err
	}
	s.stop(c, ErrShutdown)
	s.remove(c)
	return nil
}

func (s *supState) childPID(id string) (PID, error) {
	c, err := s.lookup(id)
	if err != nil {
		return PID{}, err
	}
	if c.pid.IsZero() || !s.rt.IsAlive(c.pid) {
		return PID{}, &ChildError{Supervisor: s.self.labelStr(), Child: id, Err: ErrNotRunning}
	}
	return c.pid, nil
}

func (s *supState) infos() []ChildInfo {
	out := make([]ChildInfo, len(s.sh.children))
	for i, c := range s.sh.children {
		out[i] = ChildInfo{ID: c.spec.ID, PID: c.pid, Restart: c.spec.Restart,
			Running: !c.pid.IsZero() && s.rt.IsAlive(c.pid), Restarts: c.restarts}
	}
	return out
}
