package noex

import (
	"context"
	"errors"
)

// Deferred is a call's reply that its handler gives later, as with
// gen_server:reply in Erlang.
type Deferred struct {
	p   *process
	env *envelope
}

// ErrNotInCall: DeferReply was used outside HandleCall.
var ErrNotInCall = errors.New("noex: DeferReply outside HandleCall")

// DeferReply, called inside HandleCall, detaches the reply from the
// handler's return: whatever HandleCall returns is then not sent (its state
// is still kept), and the caller waits, within its own timeout, until
// [Deferred.Reply] is called, from this handler or a later one of the same
// server. If the server ends first, the caller gets the end's error.
func DeferReply(ctx context.Context) (*Deferred, error) {
	p := procFrom(ctx)
	if p == nil || p.rt.det && !p.rt.sched.owns(p) {
		return nil, ErrNotInCall
	}
	env := p.current.Load()
	if env == nil || env.kind != KindCall {
		return nil, ErrNotInCall
	}
	d := p.dfr.Load()
	if d == nil {
		d = &deferrals{}
		p.dfr.Store(d) // a Kill's teardown, on another goroutine, reads it
	}
	d.deferred = env
	return &Deferred{p: p, env: env}, nil
}

// Reply sends the reply. It reports false if the caller no longer waits (it
// timed out or the reply was already given).
func (d *Deferred) Reply(value any, err error) bool {
	if d == nil || d.env == nil {
		return false
	}
	ok := !d.env.w.fired.Load()
	d.p.reply(d.env, value, err, false)
	return ok
}
