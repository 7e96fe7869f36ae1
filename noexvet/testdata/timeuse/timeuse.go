// Package timeuse holds the cases of the time rule: every wall-clock
// function in a handler, with the fixes where one is mechanical.
package timeuse

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

// Clock is a Behavior whose handlers read and wait on the wall clock.
type Clock struct{}

type state struct {
	last  time.Time
	tick  <-chan time.Time
	timer *time.Timer
}

type tick struct{}

func (Clock) Init(ctx context.Context) (*state, error) { // want Init:"calls time.Now at timeuse.go:24"
	return &state{last: time.Now()}, nil // want `^time\.Now reads the wall clock; use noex\.Now\(ctx\)$`
}

func (Clock) HandleCall(ctx context.Context, d time.Duration, st *state) (time.Duration, *state, error) { // want HandleCall:"calls time.Since"
	took := time.Since(st.last)        // want `^time\.Since reads the wall clock; use noex\.Now\(ctx\)\.Sub\(t\)$`
	left := time.Until(st.last.Add(d)) // want `^time\.Until reads the wall clock; use t\.Sub\(noex\.Now\(ctx\)\)$`
	left += time.Until(st.last) - took // want `^time\.Until reads`
	return left, st, nil
}

func (Clock) HandleCast(ctx context.Context, d time.Duration, st *state) (*state, error) { // want HandleCast:"calls time.Sleep"
	time.Sleep(d)                 // want `^time\.Sleep blocks outside the runtime; use noex\.Sleep\(ctx, d\)$`
	time.Sleep(2 * d /* twice */) // want `time\.Sleep blocks`
	st.tick = time.Tick(d)        // want `^time\.Tick ticks on the wall clock; use noex\.SendAfter\(ctx, to, msg, d\) and set the next one in HandleInfo$`
	st.timer = time.NewTimer(d)   // want `^time\.NewTimer waits on the wall clock; use noex\.SendAfter`
	time.AfterFunc(d, func() {})  // want `^time\.AfterFunc runs f on the wall clock, in a goroutine the runtime does not schedule; use noex\.SendAfter`
	tk := time.NewTicker(d)       // want `^time\.NewTicker ticks on the wall clock`
	defer tk.Stop()
	_ = time.After(d)                           // want `^time\.After waits on the wall clock; use noex\.SendAfter\(ctx, to, msg, d\) and take msg in HandleInfo$`
	cctx, cancel := context.WithTimeout(ctx, d) // want `^context\.WithTimeout sets a deadline on the wall clock; bound the call with noex\.WithTimeout\(d\)$`
	defer cancel()
	_, _ = noex.Call(cctx, noex.Name[int, int, int]("peer"), 1)
	return st, nil
}

// HandleInfo ignores its context, so no fix can name it.
func (Clock) HandleInfo(_ context.Context, msg any, st *state) (*state, error) { // want HandleInfo:"calls time.Now"
	st.last = time.Now() // want `^time\.Now reads the wall clock`
	return st, nil
}

// Terminate uses time.Now as a value, and in a closure, where the fix takes
// the handler's ctx.
func (Clock) Terminate(ctx context.Context, reason error, st *state) { // want Terminate:"calls time.Now"
	clock := time.Now // want `^time\.Now reads the wall clock`
	_ = clock
	func() {
		st.last = time.Now() // want `^time\.Now reads`
	}()
}

// Right is a Behavior that does it the runtime's way: nothing to report.
type Right struct{}

func (Right) Init(ctx context.Context) (*state, error) {
	return &state{last: noex.Now(ctx)}, nil
}

func (Right) HandleCall(ctx context.Context, d time.Duration, st *state) (time.Duration, *state, error) {
	return noex.Now(ctx).Sub(st.last) + d.Round(time.Millisecond), st, nil
}

func (Right) HandleCast(ctx context.Context, d time.Duration, st *state) (*state, error) {
	if err := noex.Sleep(ctx, d); err != nil {
		return st, err
	}
	_, err := noex.SendAfter(ctx, noex.Self(ctx), tick{}, time.Second)
	st.last = time.Unix(0, 0).Add(d) // building a time is not reading the clock
	return st, err
}

// stamp reads the wall clock, but nothing on the deterministic path calls
// it: not reported.
func stamp() time.Time { return time.Now() }

var _ = stamp
