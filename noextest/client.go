package noextest

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// ErrClientEnded is wrapped by [Client.Wait]'s error when the client ended
// before its function returned: it panicked, was killed, or was stopped by
// a supervisor or a shutdown that did not wait for it.
var ErrClientEnded = errors.New("noextest: client ended before its function returned")

// Client is a process started by [Go]: it runs one function and ends.
type Client[T any] struct {
	pid noex.PID
	// Written by the client's process before it ends, read by Wait after
	// noex.Wait has seen the end.
	done bool
	val  T
	err  error
}

// Go starts a client: a process of the runtime that runs fn with its own
// context and ends when fn returns. It returns at once, so a test starts
// several clients that call, cast and wait concurrently, each as a process
// of its own, and collects their results with [Client.Wait]:
//
//	a, err := noextest.Go(ctx, add(2), noex.WithName("client-a"))
//	...
//	b, err := noextest.Go(ctx, add(3), noex.WithName("client-b"))
//	...
//	seenA, errA := a.Wait(ctx)
//	seenB, errB := b.Wait(ctx)
//
// where add(n) returns a func(ctx context.Context) (int, error) that casts
// Add{N: n} to a counter and calls it for the count.
//
// A plain goroutine cannot do this in deterministic mode: a process's
// context may be used only by that process (see [noex.ErrNotOwner]), and
// the scheduler interleaves processes only. A client is an ordinary process
// in both modes: the scheduler interleaves it with the others, it shows in
// the event log and diagrams (a cast "go" from the starter, then what fn
// does, then its stop), and opts name it ([noex.WithName]).
//
// ctx is the starting process's (Run's body or a handler). fn's error is
// its result, given back by Wait, not a handler error. A panic in fn
// crashes the client like any process: Wait reports it, and the kit's
// end-of-test checks fail on the crash unless the test expects crashes.
// A test that does not wait for its clients does not lose them: Run
// returns once no message is queued or being handled, so it waits until
// every client's function has returned (or the run deadlocks or times out,
// which Run reports).
func Go[T any](ctx context.Context, fn func(ctx context.Context) (T, error), opts ...noex.StartOption) (*Client[T], error) {
	if fn == nil {
		return nil, fmt.Errorf("noextest: Go: nil function")
	}
	c := &Client[T]{}
	ref, err := noex.Start(ctx, clientServer[T]{c: c, fn: fn}, opts...)
	if err != nil {
		return nil, fmt.Errorf("noextest: Go: %w", err)
	}
	c.pid = ref.PID()
	if err := ref.Cast(ctx, goMsg{}); err != nil {
		return nil, fmt.Errorf("noextest: Go: %w", err)
	}
	return c, nil
}

// PID returns the client's process.
func (c *Client[T]) PID() noex.PID { return c.pid }

// Wait blocks until the client has ended and returns what its function
// returned. If the client ended before that, Wait returns an error wrapping
// [ErrClientEnded] and the exit reason (a [*noex.CrashError] for a panic,
// [noex.ErrKilled] for a kill). Wait is called from a process of the same
// runtime (Run's body or a handler), as many times as needed; its own
// failures (ctx ending, the caller killed) wrap noex's errors.
func (c *Client[T]) Wait(ctx context.Context) (T, error) {
	var zero T
	reason, err := noex.Wait(ctx, c.pid)
	if err != nil {
		return zero, err
	}
	if !c.done {
		if reason == nil {
			return zero, fmt.Errorf("%w: %s", ErrClientEnded, c.pid.Label())
		}
		return zero, fmt.Errorf("%w: %s: %w", ErrClientEnded, c.pid.Label(), reason)
	}
	return c.val, c.err
}

// goMsg is the cast that makes a client run its function.
type goMsg struct{}

func (goMsg) String() string { return "go" }

// clientServer is a client's behaviour: its one cast runs fn, keeps the
// result and stops the client.
type clientServer[T any] struct {
	c  *Client[T]
	fn func(ctx context.Context) (T, error)
}

func (clientServer[T]) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }

func (clientServer[T]) HandleCall(ctx context.Context, _ noex.None, s struct{}) (noex.None, struct{}, error) {
	return noex.None{}, s, nil
}

func (cs clientServer[T]) HandleCast(ctx context.Context, _ goMsg, s struct{}) (struct{}, error) {
	cs.c.val, cs.c.err = cs.fn(ctx)
	cs.c.done = true
	// A stop of oneself takes effect after the current message.
	return s, noex.Stop(ctx, noex.Self(ctx), nil)
}
