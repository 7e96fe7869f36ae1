package noex

import (
	"context"
	"time"
)

type procKey struct{}

// procCtx is a server's context: the values of the context that started
// it, no cancellation (a server outlives the call that started it, as with
// context.WithoutCancel), and the process itself.
type procCtx struct {
	parent context.Context
	p      *process
}

func (c *procCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *procCtx) Done() <-chan struct{}       { return nil }
func (c *procCtx) Err() error                  { return nil }
func (c *procCtx) String() string              { return "noex.process(" + c.p.labelStr() + ")" }
func (c *procCtx) Value(key any) any {
	if _, ok := key.(procKey); ok {
		return c.p
	}
	return c.parent.Value(key)
}

// rootCtx is a Run body's context: the context given to Run (its deadline
// and cancellation included) and the process.
type rootCtx struct {
	context.Context
	p    *process
	done <-chan struct{} // Context.Done(), which never changes
}

func newRootCtx(ctx context.Context, p *process) *rootCtx {
	return &rootCtx{Context: ctx, p: p, done: ctx.Done()}
}

// ctxDone is ctx.Done(), without the interface calls for the runtime's own
// contexts: a server's context is never done, and a Run body's is done only
// if Run's is.
func ctxDone(ctx context.Context) <-chan struct{} {
	switch c := ctx.(type) {
	case *procCtx:
		return nil
	case *rootCtx:
		return c.done
	}
	return ctx.Done()
}

// ctxErr is ctx.Err(), without an interface call while ctx cannot be done.
func ctxErr(ctx context.Context) error {
	switch c := ctx.(type) {
	case *procCtx:
		return nil
	case *rootCtx:
		if c.done == nil {
			return nil
		}
	}
	return ctx.Err()
}

func (c *rootCtx) String() string { return "noex.run(" + c.p.labelStr() + ")" }
func (c *rootCtx) Value(key any) any {
	if _, ok := key.(procKey); ok {
		return c.p
	}
	return c.Context.Value(key)
}

// procFrom returns the process whose context ctx is or derives from. The
// runtime's own contexts are recognized without a Value lookup.
func procFrom(ctx context.Context) *process {
	switch c := ctx.(type) {
	case nil:
		return nil
	case *procCtx:
		return c.p
	case *rootCtx:
		return c.p
	}
	p, _ := ctx.Value(procKey{}).(*process)
	return p
}
