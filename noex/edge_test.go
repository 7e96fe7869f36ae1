package noex_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

func TestCallHonoursContextDeadlineInRealMode(t *testing.T) {
	rt := newRT(t)
	run(t, rt, func(ctx context.Context) error {
		c := start(t, ctx, &testSrv{})
		cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		_, err := noex.Call(cctx, c, op{kind: "sleep", d: time.Second})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v; want the context's deadline", err)
		}
		return nil
	})
}

// A process killed while it is itself blocked in a call ends at once; its
// pending call is abandoned and the server it called carries on.
func TestKillWhileBlockedInACall(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			slow := start(t, ctx, &testSrv{})
			caller := start(t, ctx, &testSrv{})
			must(t, noex.Cast(ctx, slow, op{kind: "sleep", d: time.Second}))
			// caller blocks in a call to slow (queued behind the sleep).
			noex.Send(ctx, caller, callReq{to: slow})
			noex.Sleep(ctx, time.Millisecond)
			must(t, noex.Kill(ctx, caller, nil))
			if r, err := noex.Wait(ctx, caller); err != nil || !errors.Is(r, noex.ErrKilled) {
				t.Errorf("Wait(caller) = %v, %v; want ErrKilled", r, err)
			}
			v, err := noex.Call(ctx, slow, op{kind: "add", n: 1})
			if err != nil || v != 1 {
				t.Errorf("the called server after its caller died: %d, %v", v, err)
			}
			return nil
		})
		if n := len(rec.kinds(noex.ProcessCrashed)); n != 1 {
			t.Errorf("crashes = %d; want 1 (the killed caller)", n)
		}
	})
}

type callReq struct{ to ref }

func TestTimerToADeadProcessIsDroppedWithAnEvent(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		dropped := make(chan struct{}, 1)
		rt.Observe(func(e noex.Event) {
			if e.Kind == noex.MessageDropped && e.Msg == "late" {
				dropped <- struct{}{}
			}
		})
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			_, err := noex.SendAfter(ctx, c, "late", 5*time.Millisecond)
			must(t, err)
			must(t, noex.Stop(ctx, c, nil))
			if rt.Deterministic() {
				return noex.Sleep(ctx, 20*time.Millisecond) // virtual: the timer fires first
			}
			return nil
		})
		if !rt.Deterministic() {
			// Real mode: wait for the timer's drop, however loaded the machine.
			select {
			case <-dropped:
			case <-time.After(30 * time.Second):
				t.Fatal("the timer to the stopped process never fired")
			}
		}
		var drops int
		for _, e := range rec.kinds(noex.MessageDropped) {
			if e.Msg == "late" {
				drops++
			}
		}
		if drops != 1 {
			t.Errorf("drops of the late timer message = %d; want 1", drops)
		}
		if rt.PendingTimers() != 0 {
			t.Errorf("PendingTimers = %d", rt.PendingTimers())
		}
	})
}

func TestInitTimeoutInRealMode(t *testing.T) {
	rt := newRT(t)
	run(t, rt, func(ctx context.Context) error {
		_, err := noex.Start(ctx, &testSrv{initSleep: time.Second}, noex.WithName("slow-init"),
			noex.WithInitTimeout(10*time.Millisecond))
		if !errors.Is(err, noex.ErrInitTimeout) {
			t.Errorf("err = %v; want ErrInitTimeout", err)
		}
		if rt.Registry().IsRegistered("slow-init") {
			t.Error("name left registered after an init timeout")
		}
		return nil
	})
}

// A goroutine that borrows a server's context and waits in a call is not
// ended when the server is killed: its call fails with ErrKilled.
func TestKillDoesNotEndABorrowingGoroutine(t *testing.T) {
	rt := newRT(t)
	got := make(chan error, 1)
	run(t, rt, func(ctx context.Context) error {
		slow := start(t, ctx, &testSrv{})
		borrowed := make(chan context.Context, 1)
		owner := start(t, ctx, &testSrv{initHook: func(ctx context.Context) error { borrowed <- ctx; return nil }})
		must(t, noex.Cast(ctx, slow, op{kind: "sleep", d: time.Hour}))
		bctx := <-borrowed
		started := make(chan struct{})
		go func() {
			close(started)
			_, err := noex.Call(bctx, slow, op{kind: "get"}, noex.WithTimeout(time.Hour))
			got <- err
		}()
		<-started
		// Kill once the borrowed call is waiting (or before: both must end the call).
		must(t, noex.Kill(ctx, owner, nil))
		return noex.Kill(ctx, slow, nil)
	})
	if err := <-got; err == nil {
		t.Error("the borrowed call returned no error")
	}
}

// Run returns only when no handler is in the middle of a message: in both
// modes a handler asleep inside a cast has finished when Run returns.
func TestRunWaitsForHandlersInTheMiddleOfAMessage(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		done := make(chan bool, 1)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
				noex.Sleep(ctx, 10*time.Millisecond)
				done <- true
				return s, nil
			}})
			return noex.Send(ctx, c, "work")
		})
		select {
		case <-done:
		default:
			t.Error("Run returned while a handler was still sleeping in the middle of a message")
		}
	})
}

// A server that stops itself is not quiescent until its Terminate has run.
func TestRunWaitsForASelfStoppedServersTerminate(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		terminated := make(chan bool, 1)
		run(t, rt, func(ctx context.Context) error {
			c, err := noex.Start(ctx, &slowTerm{done: terminated})
			if err != nil {
				return err
			}
			return noex.Send(ctx, c, "quit")
		})
		select {
		case <-terminated:
		default:
			t.Error("Run returned before the self-stopped server's Terminate finished")
		}
	})
}

type slowTerm struct{ done chan<- bool }

func (s *slowTerm) Init(ctx context.Context) (int, error) { return 0, nil }
func (s *slowTerm) HandleCall(ctx context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (s *slowTerm) HandleCast(ctx context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (s *slowTerm) HandleInfo(ctx context.Context, _ any, n int) (int, error) {
	return n, noex.Stop(ctx, noex.Self(ctx), nil)
}
func (s *slowTerm) Terminate(ctx context.Context, reason error, n int) {
	noex.Sleep(ctx, 10*time.Millisecond)
	s.done <- true
}

// Stop reports the reason a server really ended with when it is not ours.
func TestStopReportsADifferentAbnormalEnd(t *testing.T) {
	rt := newRT(t, noex.WithSeed(2))
	run(t, rt, func(ctx context.Context) error {
		c := start(t, ctx, &testSrv{})
		must(t, noex.Cast(ctx, c, op{kind: "sleep-panic", d: time.Second}))
		noex.Sleep(ctx, time.Millisecond) // c is inside the handler that will panic
		err := noex.Stop(ctx, c, nil)
		if !errors.Is(err, noex.ErrCrashed) {
			t.Errorf("Stop = %v; want the crash it ended with", err)
		}
		return nil
	})
}

// Shutdown waits for every process goroutine and reports one that is stuck
// outside the runtime: here an Init that outlived its timeout, blocked on a
// raw channel.
func TestShutdownReportsAStuckProcessGoroutine(t *testing.T) {
	rt := noex.NewRuntime()
	release := make(chan struct{})
	run(t, rt, func(ctx context.Context) error {
		_, err := noex.Start(ctx, &testSrv{initHook: func(ctx context.Context) error { <-release; return nil }},
			noex.WithInitTimeout(5*time.Millisecond))
		if !errors.Is(err, noex.ErrInitTimeout) {
			t.Errorf("Start = %v; want an init timeout", err)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := rt.Shutdown(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 process goroutine(s) still running") {
		t.Errorf("Shutdown = %v; want the stuck goroutine reported", err)
	}
	close(release)
}

// A cast or send that no process takes is refused, and recorded: the log
// has a MessageDropped naming the addressee, the sender and why.
func TestRefusedCastIsRecorded(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			must(t, noex.Stop(ctx, c, nil))
			if err := noex.Cast(ctx, c, op{kind: "add", n: 1}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("cast to a stopped server: %v; want ErrNotRunning", err)
			}
			if err := noex.Send(ctx, noex.Name[op, op, int]("nobody"), "hello"); !errors.Is(err, noex.ErrNotRegistered) {
				t.Errorf("send to an unregistered name: %v; want ErrNotRegistered", err)
			}
			return nil
		})
		drops := rec.kinds(noex.MessageDropped)
		if len(drops) != 2 {
			t.Fatalf("dropped events: %v; want 2", drops)
		}
		if d := drops[0]; !errors.Is(d.Err, noex.ErrNotRunning) || d.PeerLbl != "main" || d.MsgKind != noex.KindCast {
			t.Errorf("the refused cast: %v", d)
		}
		if d := drops[1]; !errors.Is(d.Err, noex.ErrNotRegistered) || d.Name != "nobody" || !strings.Contains(d.String(), `"hello"`) {
			t.Errorf("the refused send: %v", d)
		}
	})
}
