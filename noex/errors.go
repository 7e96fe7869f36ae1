package noex

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Every error the runtime returns wraps one of these, so
// callers test with [errors.Is]; the typed errors below carry the context.
var (
	// ErrTimeout: a call got no reply within its timeout.
	ErrTimeout = errors.New("noex: call timed out")
	// ErrNotRunning: the target is stopping, stopped, or was never started.
	ErrNotRunning = errors.New("noex: server not running")
	// ErrCrashed: the server panicked; the error is a [*CrashError].
	ErrCrashed = errors.New("noex: server crashed")
	// ErrKilled is the exit reason of a process ended by [Kill] without a reason.
	ErrKilled = errors.New("noex: server killed")
	// ErrShutdown is the conventional reason for an orderly stop requested from
	// outside (supervisors and [Runtime.Shutdown] use it). Like a nil reason it
	// is a clean exit: transient children are not restarted for it.
	ErrShutdown = errors.New("noex: shutdown")
	// ErrCallSelf: a server called itself, which would deadlock.
	ErrCallSelf = errors.New("noex: call to self would deadlock")
	// ErrInit: Init failed or timed out; the error is an [*InitError].
	ErrInit = errors.New("noex: init failed")
	// ErrInitTimeout is the cause of an [*InitError] when Init ran too long.
	ErrInitTimeout = errors.New("noex: init timed out")
	// ErrNotRegistered: no process holds the name.
	ErrNotRegistered = errors.New("noex: name not registered")
	// ErrNameTaken: the name is held by another process; see [*NameTakenError].
	ErrNameTaken = errors.New("noex: name already registered")
	// ErrInvalidName: names must be non-empty.
	ErrInvalidName = errors.New("noex: invalid name")
	// ErrBadMessage: the message or reply has a type the server does not take.
	ErrBadMessage = errors.New("noex: message of wrong type")
	// ErrForeignRef: the address belongs to another runtime.
	ErrForeignRef = errors.New("noex: address belongs to another runtime")
	// ErrNoRuntime: the context does not come from [Runtime.Run] or a handler.
	ErrNoRuntime = errors.New("noex: context carries no runtime (use Runtime.Run)")
	// ErrClosed: the runtime was shut down.
	ErrClosed = errors.New("noex: runtime is shut down")
	// ErrNotOwner: a deterministic runtime was used from a goroutine that does
	// not hold the scheduler's baton (for example a goroutine started by a handler).
	ErrNotOwner = errors.New("noex: deterministic runtime used outside its processes")
	// ErrNilBehavior: Start was given a nil behaviour.
	ErrNilBehavior = errors.New("noex: nil behavior")
	// ErrDeadlock: nothing can run and no timer is pending; see [*DeadlockError].
	ErrDeadlock = errors.New("noex: deadlock")
	// ErrEscape: a process blocked outside the runtime; see [*EscapeError].
	ErrEscape = errors.New("noex: process blocked outside the runtime")
	// ErrBadOption: an option was given an invalid value.
	ErrBadOption = errors.New("noex: invalid option")
	// ErrSchedule: a replayed schedule does not fit the run.
	ErrSchedule = errors.New("noex: schedule does not match the run")
	// ErrStepBudget: a deterministic run took more steps than its budget;
	// see [*StepBudgetError] and [WithStepBudget].
	ErrStepBudget = errors.New("noex: step budget exhausted")
)

// CallError describes a failed Call, Cast, Send or Stop: which operation, on
// which target, and why. Err wraps a sentinel such as [ErrTimeout],
// [ErrNotRunning] or [ErrCrashed].
type CallError struct {
	Op      string        // "call", "cast", "send", "stop", "kill", "monitor"
	Target  string        // registered name or process id
	Timeout time.Duration // the timeout that expired, for ErrTimeout
	Err     error
}

func (e *CallError) Error() string {
	if errors.Is(e.Err, ErrTimeout) && e.Timeout > 0 {
		return fmt.Sprintf("noex: %s to %s timed out after %v", e.Op, e.Target, e.Timeout)
	}
	return fmt.Sprintf("noex: %s to %s: %v", e.Op, e.Target, trimPrefix(e.Err))
}

func (e *CallError) Unwrap() error { return e.Err }

// InitError reports that a server's Init returned an error, panicked or timed
// out. Nothing was left running or registered.
type InitError struct {
	Server string // the name given with WithName, or the process id
	Cause  error
}

func (e *InitError) Error() string {
	return fmt.Sprintf("noex: init of %s failed: %v", e.Server, trimPrefix(e.Cause))
}
func (e *InitError) Unwrap() []error      { return []error{ErrInit, e.Cause} }
func (e *InitError) Is(target error) bool { return target == ErrInit }

// CrashError is the exit reason of a process whose handler panicked. Value is
// the panic value and Stack the goroutine's stack at the panic.
type CrashError struct {
	Server string
	Value  any
	Stack  string
}

func (e *CrashError) Error() string {
	return fmt.Sprintf("noex: %s crashed: %v", e.Server, e.Value)
}

// Is reports true for [ErrCrashed].
func (e *CrashError) Is(target error) bool { return target == ErrCrashed }

// Unwrap returns the panic value when it is an error.
func (e *CrashError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// NameTakenError reports a registration of a name that another process holds.
type NameTakenError struct {
	Name   string
	Holder PID
}

func (e *NameTakenError) Error() string {
	return fmt.Sprintf("noex: name %q already registered to %v", e.Name, e.Holder)
}
func (e *NameTakenError) Unwrap() error { return ErrNameTaken }

// RegistryError describes a failed registry operation on a name.
type RegistryError struct {
	Op   string // "register", "lookup"
	Name string
	Err  error
}

func (e *RegistryError) Error() string {
	return fmt.Sprintf("noex: %s %q: %v", e.Op, e.Name, trimPrefix(e.Err))
}
func (e *RegistryError) Unwrap() error { return e.Err }

// BadMessageError reports a message or reply whose type does not fit.
type BadMessageError struct {
	Server string
	Kind   string // "call", "cast", "reply"
	Got    string // the dynamic type received
	Want   string // the type expected
}

func (e *BadMessageError) Error() string {
	return fmt.Sprintf("noex: %s to %s: got %s, want %s", e.Kind, e.Server, e.Got, e.Want)
}
func (e *BadMessageError) Unwrap() error { return ErrBadMessage }

// DeadlockError reports a deterministic run in which nothing could progress
// and no timer was pending. Cycle lists the wait-for cycle, for example
// ["a waits for b (call)", "b waits for a (stop)"]; Blocked lists every
// blocked process when there is no cycle.
type DeadlockError struct {
	Cycle   []string
	Blocked []string
}

func (e *DeadlockError) Error() string {
	if len(e.Cycle) > 0 {
		return "noex: deadlock: " + strings.Join(e.Cycle, ", ")
	}
	return "noex: deadlock: nothing can run and no timer is pending; blocked: " + strings.Join(e.Blocked, ", ")
}
func (e *DeadlockError) Unwrap() error { return ErrDeadlock }

// EscapeError reports a process that held the deterministic scheduler's baton
// and blocked outside the runtime for longer than the watchdog allows.
type EscapeError struct {
	Process string
	Stack   string
	Waited  time.Duration
}

func (e *EscapeError) Error() string {
	return fmt.Sprintf("noex: process %s blocked outside the runtime for %v "+
		"(hint: in deterministic mode use noex.Sleep, noex.Now, Call and Send instead of "+
		"time.Sleep, raw channels, mutexes or I/O; or raise WithWatchdog)\n%s", e.Process, e.Waited, e.Stack)
}
func (e *EscapeError) Unwrap() error { return ErrEscape }

func trimPrefix(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(err.Error(), "noex: ")
}
