package noex

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Strategy says which children a supervisor restarts when one of them ends
// and has to be restarted.
type Strategy uint8

const (
	// OneForOne restarts only the child that ended.
	OneForOne Strategy = iota
	// OneForAll stops every other running child, in reverse start order,
	// then starts all of them again in start order.
	OneForAll
	// RestForOne does what OneForAll does, but only for the child that ended
	// and the children after it in start order; earlier children go on.
	RestForOne
)

// String returns "one_for_one", "one_for_all" or "rest_for_one".
func (s Strategy) String() string {
	switch s {
	case OneForOne:
		return "one_for_one"
	case OneForAll:
		return "one_for_all"
	case RestForOne:
		return "rest_for_one"
	}
	return "Strategy(" + strconv.Itoa(int(s)) + ")"
}

// Restart says when a child that ended is started again.
type Restart uint8

const (
	// Permanent children are always restarted. It is the zero value.
	Permanent Restart = iota
	// Transient children are restarted only after an abnormal end: not
	// after a normal one (nil reason) nor one whose reason is
	// [ErrShutdown] (or wraps it).
	Transient
	// Temporary children are never restarted. As in Erlang, a temporary
	// child is removed from its supervisor as soon as it ends, however it
	// ends (crash, normal exit, [TerminateChild], or a sibling's restart
	// under OneForAll or RestForOne).
	Temporary
)

// String returns "permanent", "transient" or "temporary".
func (r Restart) String() string {
	switch r {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case Temporary:
		return "temporary"
	}
	return "Restart(" + strconv.Itoa(int(r)) + ")"
}

// restarts reports whether a child of this type that ended with reason is
// restarted.
func (r Restart) restarts(reason error) bool {
	switch r {
	case Permanent:
		return true
	case Transient:
		return reason != nil && !errors.Is(reason, ErrShutdown)
	}
	return false
}

// Defaults of supervision, as in noex and Erlang/OTP.
const (
	supDefaultMaxRestarts = 3
	supDefaultWithin      = 5 * time.Second
	supDefaultShutdown    = 5 * time.Second
	// supWait bounds what waits on a supervisor: its Init (which starts
	// every child) and the calls of this file, whose work includes starting
	// and stopping children. Each child's start and stop has its own bound.
	supWait = time.Hour
)

// ChildSpec describes one child of a supervisor.
type ChildSpec struct {
	// ID names the child within its supervisor; it must be non-empty and
	// unique there. It is independent of any registered name.
	ID string
	// Start starts the child and returns its process. The supervisor calls
	// it from its own process (ctx is the supervisor's), at its start and
	// at each restart, and monitors the process it returns; it must return
	// a live process of the same runtime, started with ctx. A process that
	// ends at once is handled like any other end. A panic in Start counts as
	// a start failure. [ServerChild] builds the common case; for a nested
	// supervisor, Start calls [StartSupervisor] and returns its PID.
	Start func(ctx context.Context) (PID, error)
	// Restart is the restart type; the zero value is Permanent.
	Restart Restart
	// Shutdown bounds, on the runtime's clock, how long the graceful [Stop]
	// of the child may take when the supervisor stops it; after that the
	// child is killed ([Kill], with a reason wrapping [ErrKilled]). 0 means
	// 5 s; negative values are invalid. A child that is itself a supervisor
	// needs a Shutdown long enough for its own children to stop.
	Shutdown time.Duration
}

func (c ChildSpec) shutdown() time.Duration {
	if c.Shutdown == 0 {
		return supDefaultShutdown
	}
	return c.Shutdown
}

// ServerChild returns a permanent child spec whose Start starts a server
// running b with opts, as [Start] does; with [WithName] the child is found
// under that name after every restart. Set the returned spec's Restart and
// Shutdown fields to change the defaults. b is reused by every restart, so
// its Init must build fresh state.
func ServerChild[S, C, K, R any](id string, b Behavior[S, C, K, R], opts ...StartOption) ChildSpec {
	return ChildSpec{ID: id, Start: func(ctx context.Context) (PID, error) {
		r, err := Start(ctx, b, opts...)
		return r.PID(), err
	}}
}

// SupervisorSpec describes a supervisor: its strategy, its children in
// start order, and its restart intensity.
type SupervisorSpec struct {
	Strategy Strategy
	Children []ChildSpec
	// MaxRestarts is the restart intensity: at most this many automatic
	// restarts within any window of Within. 0 means 3; a negative value
	// means that no restart is allowed (the first child that must be
	// restarted brings the supervisor down).
	MaxRestarts int
	// Within is the intensity window on the runtime's clock (virtual in
	// deterministic mode). 0 means 5 s; negative values are invalid.
	Within time.Duration
}

// Supervisor is a reference to a running supervisor, as returned by
// [StartSupervisor]. A supervisor is a server like any other: it has a PID,
// can be named, monitored, waited on, stopped and supervised. Its messages
// are internal; use the functions of this file to talk to it.
type Supervisor = Ref[supCall, supCast, supReply]

// SupervisorName is the typed registered name of a supervisor started with
// [WithName], resolved at each use.
type SupervisorName = Name[supCall, supCast, supReply]

// SupervisorAddr is the address of a supervisor: a [Supervisor] or a
// [SupervisorName].
type SupervisorAddr = Target[supCall, supCast, supReply]

// ChildInfo describes one child of a supervisor, as [Children] returns it.
type ChildInfo struct {
	ID string
	// PID is the child's current process: the zero PID when the child is not
	// running (terminated, or waiting for a restart that failed to start).
	PID     PID
	Restart Restart
	// Running reports whether PID is alive when the supervisor answers. A
	// child that has just ended may show its old PID with Running false
	// until the supervisor has handled its end.
	Running bool
	// Restarts counts the times the child was started again after its first
	// start: automatic restarts (including those of OneForAll and RestForOne
	// siblings) and [RestartChild].
	Restarts int
}

// Supervision errors. The typed errors [*ChildError] and
// [*MaxRestartsError] carry the context and wrap these.
var (
	// ErrMaxRestarts: a supervisor needed more restarts than its intensity
	// allows; it ended with a [*MaxRestartsError].
	ErrMaxRestarts = errors.New("noex: supervisor exceeded its restart intensity")
	// ErrChildNotFound: the supervisor has no child with that ID.
	ErrChildNotFound = errors.New("noex: no such child")
	// ErrDuplicateChild: the supervisor has a child with that ID already.
	ErrDuplicateChild = errors.New("noex: child id already in use")
	// ErrChildStart: a child's Start failed or returned no process.
	ErrChildStart = errors.New("noex: child failed to start")
)

// MaxRestartsError is the exit reason of a supervisor that exceeded its
// restart intensity. Child is the child whose end (or failed restart)
// required the restart that was refused, and Reason why it ended (or why
// its start failed). It wraps [ErrMaxRestarts] only, so that a parent
// supervisor sees it as an abnormal end, whatever Reason is.
type MaxRestartsError struct {
	Supervisor  string
	MaxRestarts int
	Within      time.Duration
	Child       string
	Reason      error
}

// Error names the supervisor, its intensity, the child and why it ended.
func (e *MaxRestartsError) Error() string {
	why := "normal"
	if e.Reason != nil {
		why = trimPrefix(e.Reason)
	}
	return fmt.Sprintf("noex: supervisor %s exceeded its restart intensity (%d restarts within %v): child %q ended: %s",
		e.Supervisor, e.MaxRestarts, e.Within, e.Child, why)
}

// Unwrap returns [ErrMaxRestarts].
func (e *MaxRestartsError) Unwrap() error { return ErrMaxRestarts }

// ChildError reports a failed operation on one child of a supervisor: a
// start that failed (it then also wraps [ErrChildStart]), an unknown ID
// ([ErrChildNotFound]), a duplicate ID ([ErrDuplicateChild]), an invalid
// spec ([ErrBadOption]) or a child that is not running ([ErrNotRunning]).
type ChildError struct {
	Supervisor string // the supervisor's label: its name or process id
	Child      string // the child's ID
	Err        error
	start      bool
}

// Error names the supervisor, the child and the cause.
func (e *ChildError) Error() string {
	if e.start {
		return fmt.Sprintf("noex: supervisor %s: child %q failed to start: %s", e.Supervisor, e.Child, trimPrefix(e.Err))
	}
	return fmt.Sprintf("noex: supervisor %s: child %q: %s", e.Supervisor, e.Child, trimPrefix(e.Err))
}

// Unwrap returns Err, preceded by [ErrChildStart] for a start failure.
func (e *ChildError) Unwrap() []error {
	if e.start {
		return []error{ErrChildStart, e.Err}
	}
	return []error{e.Err}
}

// StartSupervisor starts a supervisor and returns once all its children
// have started, in the order of spec.Children, each from the supervisor's
// process. It may be called from Run's body or from any handler, including
// a [ChildSpec.Start] (a supervisor supervised by another one). With
// [WithName] the supervisor is registered under that name and found with
// [SupervisorName]; its Init, which starts the children, is bounded by
// [WithInitTimeout] (default one hour, as every child's start has its own
// bound).
//
// An invalid spec (unknown strategy or restart type, empty or duplicate
// child IDs, a nil Start, a negative Shutdown or Within) starts nothing and
// gives an [*InitError] wrapping [ErrBadOption] or a [*ChildError]. If a
// child fails to start, the children already started are stopped in
// reverse order and StartSupervisor returns an [*InitError] whose cause is
// a [*ChildError] naming the child: errors.Is holds for [ErrInit],
// [ErrChildStart] and the child's own error.
//
// The supervisor monitors each child ([Monitor]) and handles every end in
// its own process, one at a time. A child that ends is restarted according
// to its [Restart] type and the [Strategy]; a registered name is released
// before the supervisor learns of the end, so a restarted named child
// registers its name again and a [Name] never resolves to a dead process.
// Children that the supervisor stops itself (for a restart, [TerminateChild],
// [RestartChild], [DeleteChild] or its own end) are not restarted; each
// stop is a graceful [Stop] with reason [ErrShutdown] bounded by the child's
// Shutdown, then a [Kill]. Nothing is restarted while the supervisor is
// stopping or [Runtime.Shutdown] is in progress.
//
// Restart intensity: at most MaxRestarts automatic restarts within any
// window of Within on the runtime's clock (virtual in deterministic mode): a
// restart is refused when MaxRestarts restarts happened less than Within
// before it. A OneForAll or RestForOne group restart counts once. A restart
// whose start fails is retried at once (after the messages already queued),
// and each retry counts again, so a child that cannot start brings the
// supervisor down. Then the supervisor emits a
// [SupervisorExceeded] event, stops all children in reverse order and ends
// with a [*MaxRestartsError] as its exit reason (a [ProcessCrashed] event),
// which [Wait], [Runtime.ExitReason] and monitors report, even if a [Stop]
// was requested meanwhile, and which a parent supervisor treats as an
// abnormal end.
//
// Stopping the supervisor ([Stop]) stops its children in reverse start
// order, each bounded by its Shutdown, before Stop returns. A supervisor
// that is killed ([Kill]) cannot run that code: its children are then
// killed with its exit reason right after it ends (by the time its parent
// supervisor restarts it, they are gone), as Erlang's links do.
//
// Events, with PID = the supervisor: [ChildStarted] (Peer = child, Name =
// child ID) for a first start, [ChildRestarted] (Peer = new process, Reason
// = why the previous one ended) for every later start, [ChildStopped]
// (Peer = child, Reason) when a child ends and is not restarted or is
// stopped by the supervisor, and [SupervisorExceeded] (Reason = the
// [*MaxRestartsError]).
//
// Each supervisor has one helper process of its own (labelled
// "<supervisor>.guard", never registered) that performs the bounded stops
// and the clean-up after a kill; it ends with the supervisor.
func StartSupervisor(ctx context.Context, spec SupervisorSpec, opts ...StartOption) (Supervisor, error) {
	label := supLabel(opts)
	norm, err := spec.normalize(label)
	if err != nil {
		return Supervisor{}, &InitError{Server: label, Cause: err}
	}
	all := append([]StartOption{WithInitTimeout(supWait)}, opts...)
	return Start(ctx, supBehavior{spec: norm}, all...)
}

// StartChild adds a child at the end of the supervisor's children and
// starts it; it returns the child's process. It fails with a [*ChildError]
// wrapping [ErrDuplicateChild] (before Start is called) if the ID is taken,
// [ErrBadOption] for an invalid spec, or [ErrChildStart] and the cause if
// the start fails, in which case nothing is added.
//
// StartChild, [TerminateChild], [RestartChild], [DeleteChild], [Children]
// and [ChildPID] are calls to the supervisor, handled in its process one at
// a time between its restarts. They may be used from Run's body or any
// handler, except from a child's Init while the supervisor starts that
// child (it would wait until the child's init timeout). They wait up to an
// hour (in real mode also until ctx ends) and otherwise fail as [Call]
// does: wrapping [ErrNotRunning] for a supervisor that has ended and
// [ErrNotRegistered] for an unknown [SupervisorName].
func StartChild(ctx context.Context, sup SupervisorAddr, spec ChildSpec) (PID, error) {
	r, err := supRequest(ctx, sup, supCall{op: supOpStartChild, id: spec.ID, spec: spec})
	return r.pid, err
}

// TerminateChild stops the child (gracefully, bounded by its Shutdown) and
// keeps its spec: it is not restarted until [RestartChild]. A temporary
// child is removed. Terminating a child that is not running does nothing.
// It fails with a [*ChildError] wrapping [ErrChildNotFound] for an unknown
// ID.
func TerminateChild(ctx context.Context, sup SupervisorAddr, id string) error {
	_, err := supRequest(ctx, sup, supCall{op: supOpTerminate, id: id})
	return err
}

// RestartChild starts a child that is not running again, or stops a
// running one (as [TerminateChild] does) and starts it again, and returns
// its new process. Such manual restarts do not count against the restart
// intensity. It fails with a [*ChildError] wrapping [ErrChildNotFound] for
// an unknown ID, or [ErrChildStart] if the start fails (the child then stays
// not running; a temporary one is removed).
func RestartChild(ctx context.Context, sup SupervisorAddr, id string) (PID, error) {
	r, err := supRequest(ctx, sup, supCall{op: supOpRestart, id: id})
	return r.pid, err
}

// DeleteChild removes the child's spec from the supervisor, stopping the
// child first if it runs. It fails with a [*ChildError] wrapping
// [ErrChildNotFound] for an unknown ID.
func DeleteChild(ctx context.Context, sup SupervisorAddr, id string) error {
	_, err := supRequest(ctx, sup, supCall{op: supOpDelete, id: id})
	return err
}

// Children returns the supervisor's children in start order (children
// added with [StartChild] come last; deleted and ended temporary ones are
// gone).
func Children(ctx context.Context, sup SupervisorAddr) ([]ChildInfo, error) {
	r, err := supRequest(ctx, sup, supCall{op: supOpChildren})
	return r.children, err
}

// ChildPID returns the current process of the child. It fails with a
// [*ChildError] wrapping [ErrChildNotFound] for an unknown ID and
// [ErrNotRunning] for a child that is not running.
func ChildPID(ctx context.Context, sup SupervisorAddr, id string) (PID, error) {
	r, err := supRequest(ctx, sup, supCall{op: supOpChildPID, id: id})
	return r.pid, err
}

func supRequest(ctx context.Context, sup SupervisorAddr, c supCall) (supReply, error) {
	return Call(ctx, sup, c, WithTimeout(supWait))
}

// supLabel is the supervisor's label before it has a process: its name.
func supLabel(opts []StartOption) string {
	var cfg startConfig
	for _, o := range opts {
		if o != nil {
			o.applyStart(&cfg)
		}
	}
	if cfg.name != "" {
		return cfg.name
	}
	return "supervisor"
}

// normalize validates the spec and returns a copy the caller cannot change.
func (s SupervisorSpec) normalize(label string) (SupervisorSpec, error) {
	if s.Strategy > RestForOne {
		return s, fmt.Errorf("%w: unknown supervisor strategy %v (use OneForOne, OneForAll or RestForOne)", ErrBadOption, s.Strategy)
	}
	if s.Within < 0 {
		return s, fmt.Errorf("%w: supervisor Within %v is negative (0 means the default 5s)", ErrBadOption, s.Within)
	}
	seen := make(map[string]bool, len(s.Children))
	for i, c := range s.Children {
		if err := validateChild(label, i, c); err != nil {
			return s, err
		}
		if seen[c.ID] {
			return s, &ChildError{Supervisor: label, Child: c.ID, Err: ErrDuplicateChild}
		}
		seen[c.ID] = true
	}
	s.Children = append([]ChildSpec(nil), s.Children...)
	return s, nil
}

func validateChild(label string, i int, c ChildSpec) error {
	var why string
	switch {
	case c.ID == "" && i < 0:
		return fmt.Errorf("%w: supervisor %s: the child spec has an empty ID", ErrBadOption, label)
	case c.ID == "":
		return fmt.Errorf("%w: supervisor %s: child spec %d has an empty ID", ErrBadOption, label, i)
	case c.Start == nil:
		why = "nil Start"
	case c.Restart > Temporary:
		why = "unknown restart type " + c.Restart.String()
	case c.Shutdown < 0:
		why = "negative Shutdown " + c.Shutdown.String() + " (0 means the default 5s)"
	default:
		return nil
	}
	return &ChildError{Supervisor: label, Child: c.ID, Err: fmt.Errorf("%w: %s", ErrBadOption, why)}
}

// ---- messages ----

type supOp uint8

const (
	supOpStartChild supOp = iota + 1
	supOpTerminate
	supOpRestart
	supOpDelete
	supOpChildren
	supOpChildPID
)

var supOpNames = [...]string{supOpStartChild: "StartChild", supOpTerminate: "TerminateChild",
	supOpRestart: "RestartChild", supOpDelete: "DeleteChild", supOpChildren: "Children", supOpChildPID: "ChildPID"}

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
	if c.op == supOpChildren {
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
}

// String renders the reply for the event log, as {p4} or [a:p4 b:-].
func (r supReply) String() string {
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

// ---- the supervisor process ----

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
	s := &supState{ctx: ctx, self: p, rt: p.rt, sh: &supShared{},
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

// ---- reacting to ends ----

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

// ---- starting and stopping children ----

// start starts c; restarted says whether it ran before.
func (s *supState) start(c *supChild, restarted bool) error {
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
		s.emit(ChildRestarted, pid, c.spec.ID, c.exit)
	} else {
		s.emit(ChildStarted, pid, c.spec.ID, nil)
	}
	return nil
}

// callStart runs spec.Start, turning a panic or a missing process into an
// error.
func (s *supState) callStart(spec ChildSpec) (pid PID, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &CrashError{Server: spec.ID, Value: r, Stack: string(debug.Stack())}
		}
	}()
	pid, err = spec.Start(s.ctx)
	switch {
	case err != nil:
	case pid.IsZero():
		err = errors.New("noex: Start returned no process")
	case pid.p.rt != s.rt:
		err = ErrForeignRef
	}
	return pid, err
}

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

// ---- requests ----

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

// ---- the guard ----

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
	label := g.sup.labelStr() + ".guard"
	procFrom(ctx).label.Store(&label)
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
