package noex

import (
	"context"
	"fmt"
	"reflect"
)

// Behavior is a GenServer: a process that owns a state of type S and handles
// calls of type C (answered with R) and casts of type K, one message at a
// time. Handlers return the new state; returning an error from HandleCall
// sends the error to the caller, from HandleCast records it as a
// [MessageHandled] event with Err set; in both cases the server keeps its
// previous state and goes on. A panic in any handler crashes the process.
//
// A Behavior may also implement [InfoHandler] and [Terminator].
type Behavior[S, C, K, R any] interface {
	Init(ctx context.Context) (S, error)
	HandleCall(ctx context.Context, msg C, state S) (R, S, error)
	HandleCast(ctx context.Context, msg K, state S) (S, error)
}

// InfoHandler is implemented by behaviours that take other messages: those
// sent with [Send] and [SendAfter], [Down] notices of monitors, and bus
// deliveries to the mailbox. A server without it drops such messages, each
// recorded as a [MessageDropped] event.
type InfoHandler[S any] interface {
	HandleInfo(ctx context.Context, msg any, state S) (S, error)
}

// Terminator is implemented by behaviours that clean up when they stop.
// Terminate runs in the server's process after the last message, with the
// exit reason: nil for a normal stop, the reason given to [Stop], or a
// [*CrashError] (with the stack) after a panic. It does not run after [Kill].
// A Terminate that panics or calls runtime.Goexit during a stop makes the
// end a crash with that [*CrashError] as its reason.
type Terminator[S any] interface {
	Terminate(ctx context.Context, reason error, state S)
}

// server is the type-erased view of a Behavior that the process loop drives.
type server interface {
	init(ctx context.Context) error
	call(ctx context.Context, msg any) (any, error)
	cast(ctx context.Context, msg any) error
	info(ctx context.Context, msg any) (bool, error)
	terminate(ctx context.Context, reason error)
	typeNames() (call, cast string)
	bind(p *process) // tells the server its process, before Init
}

type adapter[S, C, K, R any] struct {
	b     Behavior[S, C, K, R]
	state S
	p     *process
}

func (a *adapter[S, C, K, R]) init(ctx context.Context) error {
	s, err := a.b.Init(ctx)
	if err == nil {
		a.state = s
	}
	return err
}

func (a *adapter[S, C, K, R]) call(ctx context.Context, msg any) (any, error) {
	m, ok := msg.(C)
	if !ok {
		return nil, &BadMessageError{Server: a.p.labelStr(), Kind: "call", Got: typeName(msg), Want: typeOf[C]()}
	}
	r, s, err := a.b.HandleCall(ctx, m, a.state)
	if err != nil {
		return nil, err
	}
	a.state = s
	return r, nil
}

func (a *adapter[S, C, K, R]) cast(ctx context.Context, msg any) error {
	m, ok := msg.(K)
	if !ok {
		return &BadMessageError{Server: a.p.labelStr(), Kind: "cast", Got: typeName(msg), Want: typeOf[K]()}
	}
	s, err := a.b.HandleCast(ctx, m, a.state)
	if err != nil {
		return err
	}
	a.state = s
	return nil
}

func (a *adapter[S, C, K, R]) info(ctx context.Context, msg any) (bool, error) {
	h, ok := a.b.(InfoHandler[S])
	if !ok {
		return false, nil
	}
	s, err := h.HandleInfo(ctx, msg, a.state)
	if err != nil {
		return true, err
	}
	a.state = s
	return true, nil
}

func (a *adapter[S, C, K, R]) terminate(ctx context.Context, reason error) {
	if t, ok := a.b.(Terminator[S]); ok {
		t.Terminate(ctx, reason, a.state)
	}
}

func (a *adapter[S, C, K, R]) typeNames() (string, string) { return typeOf[C](), typeOf[K]() }
func (a *adapter[S, C, K, R]) bind(p *process)             { a.p = p }

func typeOf[T any]() string { return reflect.TypeFor[T]().String() }

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// Start starts a server running b and returns once its Init has returned. It
// may be called from [Runtime.Run]'s body or from any handler. With
// [WithName] the name is registered before Init runs, so no message can
// reach the server before it is findable; if Init fails, panics or outlives
// its timeout (default [DefaultInitTimeout]), Start returns an [*InitError]
// and nothing stays registered or running.
func Start[S, C, K, R any](ctx context.Context, b Behavior[S, C, K, R], opts ...StartOption) (Ref[C, K, R], error) {
	if b == nil || isNilPointer(b) {
		return Ref[C, K, R]{}, &InitError{Server: "server", Cause: ErrNilBehavior}
	}
	a := &adapter[S, C, K, R]{b: b}
	pid, err := startServer(ctx, a, opts)
	return Ref[C, K, R]{pid: pid}, err
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// Call sends msg to the server at to and waits for its reply. It fails with a
// [*CallError] wrapping [ErrTimeout] when no reply comes within the timeout
// (default [DefaultCallTimeout], see [WithTimeout]); a message that timed out
// while still queued is never handled. It wraps [ErrCrashed] if the server
// crashes before replying, [ErrNotRunning] if it is not running,
// [ErrNotRegistered] for an unknown [Name], and [ErrCallSelf] for a call to
// the calling server itself. An error returned by HandleCall comes back
// unchanged (not wrapped). Call may be used from Run's body and from handlers.
func Call[C, K, R any](ctx context.Context, to Target[C, K, R], msg C, opts ...CallOption) (R, error) {
	var zero R
	v, err := call(ctx, to, msg, withOptions(callConfig{timeout: DefaultCallTimeout}, opts, CallOption.applyCall))
	if err != nil {
		return zero, err
	}
	if v == nil {
		return zero, nil
	}
	r, ok := v.(R)
	if !ok {
		return zero, &CallError{Op: "call", Target: to.label(), Err: &BadMessageError{
			Server: to.label(), Kind: "reply", Got: typeName(v), Want: typeOf[R]()}}
	}
	return r, nil
}

// Cast sends msg to the server's HandleCast and returns at once. It never
// blocks. It returns a [*CallError] wrapping [ErrNotRunning] (or
// [ErrNotRegistered]) if the message cannot be queued; a queued cast is
// handled unless the server crashes or is killed first, and a cast that is
// dropped is always recorded as a [MessageDropped] event. Casts from one
// process to another are handled in the order they were sent.
func Cast[C, K, R any](ctx context.Context, to Target[C, K, R], msg K) error {
	return send(ctx, "cast", to, KindCast, msg)
}

// Send sends msg to the HandleInfo of the process at to, with the same
// guarantees as [Cast].
func Send(ctx context.Context, to Addr, msg any) error {
	return send(ctx, "send", to, KindInfo, msg)
}

// Stop stops the server at to: messages already queued are handled first,
// then Terminate runs with reason, then its names are released, then Stop
// returns. From the moment Stop is called, new calls, casts and sends to the
// server fail with [ErrNotRunning]. Several concurrent Stops all return once
// the server has stopped. Stopping a server that already stopped returns a
// [*CallError] wrapping [ErrNotRunning]. If the server ended for another,
// abnormal reason meanwhile (it crashed, its Terminate panicked, it was
// killed, or a supervisor gave up), Stop returns a [*CallError] wrapping
// that reason. In real mode, a Stop that would close a cycle of Stops and
// Waits (a stops b while b stops a) fails, with every wait of the cycle,
// with a [*DeadlockError]; see the package documentation. A server that stops itself (from its
// own handler) is not waited for: Stop returns at once and the server stops
// after the current message and those queued before the request.
func Stop(ctx context.Context, to Addr, reason error) error {
	return stop(ctx, to, reason)
}

// Kill ends the process at to at once, without running Terminate: its names
// are released, queued and pending callers get an error wrapping reason (or
// [ErrKilled] if reason is nil), and its monitors receive [Down] with that
// reason, all before Kill returns. A handler running at that moment (in real
// mode) is not interrupted; its reply and state are discarded. Supervisors and
// tests use Kill.
func Kill(ctx context.Context, to Addr, reason error) error {
	return kill(ctx, to, reason)
}

// Wait blocks until the process at to has ended and returns its exit
// reason (nil for a normal stop). If it has already ended, Wait returns at
// once. err is non-nil only when the address does not resolve, ctx is
// cancelled already or, in real mode, ctx ends first or the Wait would close
// a cycle of Stops and Waits (a [*DeadlockError]).
func Wait(ctx context.Context, to Addr) (reason error, err error) {
	return wait(ctx, to)
}

// Self returns the PID of the process running ctx, or the zero PID outside
// the runtime.
func Self(ctx context.Context) PID {
	if p := procFrom(ctx); p != nil {
		return p.pid()
	}
	return PID{}
}

// RuntimeOf returns the runtime of the process running ctx, or nil.
func RuntimeOf(ctx context.Context) *Runtime {
	if p := procFrom(ctx); p != nil {
		return p.rt
	}
	return nil
}

func (rt *Runtime) String() string {
	if rt.det {
		return fmt.Sprintf("noex.Runtime(seed=%d)", rt.seed)
	}
	return "noex.Runtime(real)"
}
