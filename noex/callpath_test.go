package noex_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// In real mode a process's calls share one timeout timer, which a stream of
// calls keeps running and checks only now and then (see callTimer). A call
// that starts while the timer runs for earlier calls must still time out,
// and never before its timeout.
func TestCallTimeoutInAStreamOfCalls(t *testing.T) {
	for _, tc := range []struct {
		name         string
		stream, slow time.Duration // the stream's timeout, the slow call's
	}{
		// The stream's timeouts are long enough that no call of the stream
		// times out on a loaded machine; what matters is how they compare.
		{"same timeout", 250 * time.Millisecond, 250 * time.Millisecond},
		{"shorter than the stream's", 5 * time.Second, 30 * time.Millisecond},
		{"longer than the stream's", 250 * time.Millisecond, 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRT(t)
			run(t, rt, func(ctx context.Context) error {
				c := start(t, ctx, &testSrv{})
				for i := range 2000 {
					if _, err := noex.Call(ctx, c, op{kind: "add", n: 1}, noex.WithTimeout(tc.stream)); err != nil {
						t.Fatalf("call %d of the stream: %v", i, err)
					}
				}
				began := time.Now()
				_, err := noex.Call(ctx, c, op{kind: "sleep", d: time.Minute}, noex.WithTimeout(tc.slow))
				took := time.Since(began)
				if !errors.Is(err, noex.ErrTimeout) {
					t.Fatalf("slow call: err = %v; want ErrTimeout", err)
				}
				if took < tc.slow {
					t.Errorf("slow call timed out after %v; want no earlier than its timeout %v", took, tc.slow)
				}
				return noex.Kill(ctx, c, nil) // it sleeps for a minute
			})
		})
	}
}

// A process reuses its call envelope for its next call once the server has
// replied. A server killed while it replies must not reach the caller's next
// call, made to another server.
func TestKillRacingAReplyNeverFailsTheCallersNextCall(t *testing.T) {
	rt := newRT(t)
	run(t, rt, func(ctx context.Context) error {
		other := start(t, ctx, &testSrv{})
		for round := range 200 {
			victim := start(t, ctx, &testSrv{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the Run body's context may be used from other goroutines
				defer wg.Done()
				for range round % 20 {
					noex.Call(ctx, other, op{kind: "get"})
				}
				noex.Kill(ctx, victim, nil)
			}()
			for {
				_, verr := noex.Call(ctx, victim, op{kind: "add", n: 1})
				if _, err := noex.Call(ctx, other, op{kind: "add", n: 1}); err != nil {
					t.Fatalf("round %d: call to the server nobody killed: %v", round, err)
				}
				if verr != nil {
					if !errors.Is(verr, noex.ErrKilled) && !errors.Is(verr, noex.ErrNotRunning) {
						t.Fatalf("round %d: call to the killed server: %v; want ErrKilled or ErrNotRunning", round, verr)
					}
					break
				}
			}
			wg.Wait()
		}
		return nil
	})
}

// deferSrv defers the calls 1 and 2 and answers them, with ten times the
// call, from timers it sets; for call 2 it first answers call 1's Deferred
// again. Call 3 reports how many of those second Replies reported success.
type deferSrv struct{}

type deferState struct {
	waiting, answered []*noex.Deferred
	again             int // second Replies that reported success
}

func (deferSrv) Init(ctx context.Context) (*deferState, error) { return &deferState{}, nil }

func (deferSrv) HandleCall(ctx context.Context, n int, s *deferState) (int, *deferState, error) {
	if n == 3 {
		return s.again, s, nil
	}
	d, err := noex.DeferReply(ctx)
	if err != nil {
		return 0, s, err
	}
	s.waiting = append(s.waiting, d)
	self := noex.Self(ctx)
	if n == 2 {
		if _, err := noex.SendAfter(ctx, self, "again", time.Millisecond); err != nil {
			return 0, s, err
		}
	}
	_, err = noex.SendAfter(ctx, self, n*10, 2*time.Millisecond)
	return 0, s, err
}

func (deferSrv) HandleCast(ctx context.Context, n int, s *deferState) (*deferState, error) {
	return s, nil
}

func (deferSrv) HandleInfo(ctx context.Context, msg any, s *deferState) (*deferState, error) {
	switch m := msg.(type) {
	case string: // "again"
		for _, d := range s.answered {
			if d.Reply(99, nil) {
				s.again++
			}
		}
	case int:
		d := s.waiting[0]
		s.waiting = s.waiting[1:]
		d.Reply(m, nil)
		s.answered = append(s.answered, d)
	}
	return s, nil
}

// A deferred call's envelope is never reused: answering its Deferred again
// cannot reach the caller's next call.
func TestDeferredReplyGivenTwiceDoesNotReachTheNextCall(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			d, err := noex.Start(ctx, deferSrv{})
			if err != nil {
				return err
			}
			for n := 1; n <= 2; n++ {
				if v, err := noex.Call(ctx, d, n); err != nil || v != n*10 {
					t.Errorf("call %d = %d, %v; want %d", n, v, err, n*10)
				}
			}
			if again, err := noex.Call(ctx, d, 3); err != nil || again != 0 {
				t.Errorf("second Replies that reported success: %d, %v; want 0", again, err)
			}
			return nil
		})
	})
}

// A receiver that takes the last message while other senders push must
// still see every push: with several callers at once (and nothing else to
// wake the server), a missed wake-up leaves a call queued until it times out.
func TestConcurrentCallersNeverStall(t *testing.T) {
	rt := newRT(t)
	run(t, rt, func(ctx context.Context) error {
		c := start(t, ctx, &testSrv{})
		const callers, each = 4, 5000
		errs := make(chan error, callers)
		for range callers {
			go func() { // the Run body's context may be used from other goroutines
				for range each {
					if _, err := noex.Call(ctx, c, op{kind: "add", n: 1}, noex.WithTimeout(5*time.Second)); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range callers {
			if err := <-errs; err != nil {
				t.Errorf("a caller: %v", err)
			}
		}
		if n, err := noex.Call(ctx, c, op{kind: "get"}); err != nil || n != callers*each {
			t.Errorf("handled %d, %v; want %d", n, err, callers*each)
		}
		return nil
	})
}

// pauseSends holds the first send of one process, once armed, until it is
// released: a window in which the test acts.
type pauseSends struct {
	from           atomic.Pointer[noex.PID]
	armed          atomic.Bool
	paused, resume chan struct{}
}

func (f *pauseSends) Send(from, to noex.PID, kind noex.MsgKind, msg any) (bool, time.Duration) {
	if p := f.from.Load(); p != nil && from == *p && f.armed.CompareAndSwap(true, false) {
		f.paused <- struct{}{}
		<-f.resume
	}
	return false, 0
}
func (f *pauseSends) Handle(noex.PID, int, noex.MsgKind, any) any { return nil }
func (f *pauseSends) Init(string, int) error                      { return nil }

// A call that reuses its envelope and is not delivered (its target ended)
// leaves nothing behind for a later Kill to fire: the process's next wait,
// killed while it sends, ends with ErrKilled instead of hanging.
func TestKillAfterAnUndeliveredCall(t *testing.T) {
	f := &pauseSends{paused: make(chan struct{}), resume: make(chan struct{})}
	rt := newRT(t, noex.WithFaults(f))
	run(t, rt, func(ctx context.Context) error {
		other := start(t, ctx, &testSrv{})
		gone := start(t, ctx, &testSrv{})
		must(t, noex.Stop(ctx, gone, nil))
		done := make(chan error, 1)
		victim := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, st srvState) (srvState, error) {
			if _, err := noex.Call(ctx, other, op{kind: "get"}); err != nil { // leaves an envelope to reuse
				t.Errorf("first call: %v", err)
			}
			if _, err := noex.Call(ctx, gone, op{kind: "get"}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("call to the stopped server: %v; want ErrNotRunning", err)
			}
			f.armed.Store(true)
			_, err := noex.Call(ctx, other, op{kind: "get"}) // killed while it sends
			done <- err
			return st, nil
		}})
		pid := victim.PID()
		f.from.Store(&pid)
		must(t, noex.Send(ctx, victim, "go"))
		<-f.paused
		must(t, noex.Kill(ctx, victim, nil))
		close(f.resume)
		select {
		case err := <-done:
			if !errors.Is(err, noex.ErrKilled) {
				t.Errorf("the killed process's call: %v; want ErrKilled", err)
			}
		case <-time.After(10 * time.Second): // a guard, not a wait: it fails a hang
			t.Fatal("the killed process's call never returned")
		}
		return nil
	})
}

// A process that monitors itself ends cleanly, in both modes.
func TestSelfMonitorThenStop(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			s := start(t, ctx, &testSrv{})
			must(t, noex.Send(ctx, s, monitorReq{s.PID()}))
			if _, err := noex.Call(ctx, s, op{kind: "get"}); err != nil { // the monitor is set
				return err
			}
			return noex.Stop(ctx, s, nil)
		})
	})
}
