package noex

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// SupervisorInfo describes a running supervisor, as [InspectSupervisor]
// returns it.
type SupervisorInfo struct {
	Strategy Strategy
	// MaxRestarts and Within are the restart intensity in force (with the
	// defaults applied): at most MaxRestarts automatic restarts within any
	// window of Within.
	MaxRestarts int
	Within      time.Duration
	// Restarts counts the children started again since the supervisor
	// started: automatic restarts (including those of OneForAll and
	// RestForOne siblings) and [RestartChild], as the sum of every
	// ChildInfo.Restarts would, deleted children included.
	Restarts int
	Started  time.Time   // when the supervisor started, on the runtime's clock, in UTC
	Children []ChildInfo // as [Children] returns them
}

// InspectSupervisor returns what sup is configured with and has done so
// far: its strategy and restart intensity, its restarts, when it started,
// and its children. It is a call to the supervisor, answered between two
// of its actions, so it may be used from Run's body or any handler (not
// from the supervisor's own children's Init, which the supervisor waits
// for). [Runtime.Processes] describes any process, supervisors included.
func InspectSupervisor(ctx context.Context, sup SupervisorAddr) (SupervisorInfo, error) {
	r, err := supRequest(ctx, sup, supCall{op: supOpInspect})
	if r.info == nil {
		return SupervisorInfo{}, err
	}
	return *r.info, err
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
