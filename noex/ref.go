package noex

import (
	"context"
	"strconv"
)

// PID identifies one process of one runtime. PIDs are never reused within a
// runtime: a restarted process gets a new one. The zero PID is no process.
// PIDs are comparable; two PIDs are equal when they name the same process.
type PID struct{ p *process }

// ID returns the process's number, unique within its runtime and given out
// in start order from 1 (the root body of [Runtime.Run] is a process too).
// The zero PID has ID 0.
func (p PID) ID() uint64 {
	if p.p == nil {
		return 0
	}
	return p.p.id
}

// IsZero reports whether p names no process.
func (p PID) IsZero() bool { return p.p == nil }

// String returns "p<ID>", or "p0" for the zero PID.
func (p PID) String() string { return "p" + strconv.FormatUint(p.ID(), 10) }

// Addr is anything that names a process: a [PID], a [Ref] or a [Name]. It is
// sealed: only this package implements it.
type Addr interface {
	resolve(rt *Runtime) (*process, error)
	label() string
}

// Target is the address of a server whose call, cast and reply types are C,
// K and R: a [Ref] returned by [Start], or a typed [Name] resolved through the
// Registry at each use. [Call] and [Cast] take a Target, so the compiler checks
// the message types.
type Target[C, K, R any] interface {
	Addr
	types(C, K, R)
}

// Ref is a typed reference to a running (or once running) server. It stays
// valid as a value after the server ends; using it then gives [ErrNotRunning].
//
// Its methods Call and Cast take the server's own message types, so a
// message of any type that implements an interface message type is accepted
// as it is:
//
//	calc, err := noex.Start(ctx, Calculator{}) // a Ref[CalcCall, None, int]
//	sum, err := calc.Call(ctx, Add{A: 5, B: 3}) // Add implements CalcCall
type Ref[C, K, R any] struct{ pid PID }

// Call is [Call] on the server r refers to: it sends msg and waits for the
// reply.
func (r Ref[C, K, R]) Call(ctx context.Context, msg C, opts ...CallOption) (R, error) {
	return Call[C, K, R](ctx, r, msg, opts...)
}

// Cast is [Cast] on the server r refers to: it queues msg and returns at
// once.
func (r Ref[C, K, R]) Cast(ctx context.Context, msg K) error { return Cast[C, K, R](ctx, r, msg) }

// PID returns the process behind the reference.
func (r Ref[C, K, R]) PID() PID { return r.pid }

// String returns the PID's form.
func (r Ref[C, K, R]) String() string { return r.pid.String() }

func (Ref[C, K, R]) types(C, K, R) {}

// RefOf converts a PID into a typed reference. The types are checked when a
// message is handled: a mismatch gives an error wrapping [ErrBadMessage].
func RefOf[C, K, R any](pid PID) Ref[C, K, R] { return Ref[C, K, R]{pid: pid} }

// Name is a typed registered name. Declare it once and use it wherever a
// [Target] goes; each use resolves the name in the runtime's [Registry], so
// a restarted server is found under the same name:
//
//	var counter = noex.Name[Get, Increment, int]("counter")
//	err := counter.Cast(ctx, Increment{})
//	n, err := counter.Call(ctx, Get{})
//
// A name that is not registered gives an error wrapping [ErrNotRegistered].
//
// The methods Call and Cast, like those of [Ref], take the server's own
// message types, so a struct that implements an interface message type
// (a sum type such as CalcCall, implemented by Add and Multiply) is
// accepted as it is: calculator.Call(ctx, Add{A: 5, B: 3}). The functions
// [Call] and [Cast] take any [Target]; with them Go infers the type
// arguments from both the target and the message, and does not unify a
// struct with the interface it implements, so there the message needs a
// conversion (CalcCall(Add{A: 5, B: 3})).
type Name[C, K, R any] string

// Call is [Call] on the server registered under n: it sends msg and waits
// for the reply.
func (n Name[C, K, R]) Call(ctx context.Context, msg C, opts ...CallOption) (R, error) {
	return Call[C, K, R](ctx, n, msg, opts...)
}

// Cast is [Cast] on the server registered under n: it queues msg and
// returns at once.
func (n Name[C, K, R]) Cast(ctx context.Context, msg K) error { return Cast[C, K, R](ctx, n, msg) }

func (Name[C, K, R]) types(C, K, R) {}

// String returns the name.
func (n Name[C, K, R]) String() string { return string(n) }

// None is the message type of a server that takes no casts (or no calls).
type None struct{}

// Label returns the process's display label: the first name it registered,
// or "p<ID>".
func (p PID) Label() string { return p.label() }

func (p PID) label() string {
	if p.p != nil {
		return p.p.labelStr()
	}
	return p.String()
}
func (r Ref[C, K, R]) label() string  { return r.pid.label() }
func (n Name[C, K, R]) label() string { return strconv.Quote(string(n)) }

func (p PID) resolve(rt *Runtime) (*process, error) {
	if p.p == nil {
		return nil, ErrNotRunning
	}
	if p.p.rt != rt {
		return nil, ErrForeignRef
	}
	return p.p, nil
}
func (r Ref[C, K, R]) resolve(rt *Runtime) (*process, error) { return r.pid.resolve(rt) }
func (n Name[C, K, R]) resolve(rt *Runtime) (*process, error) {
	return rt.whereis(string(n))
}
