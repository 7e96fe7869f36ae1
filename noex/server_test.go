package noex_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

func TestCastsThenCallSeeEveryCast(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			for i := 1; i <= 3; i++ {
				must(t, noex.Cast(ctx, c, op{kind: "add", n: 1}))
			}
			v, err := noex.Call(ctx, c, op{kind: "get"})
			if err != nil || v != 3 {
				t.Errorf("get = %d, %v; want 3, nil", v, err)
			}
			return nil
		})
	})
}

func TestCallTimeoutNamesServerAndKeepsItRunning(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		timeout := 20 * time.Millisecond
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{}, noex.WithName("slow"))
			before := noex.Now(ctx)
			_, err := noex.Call(ctx, c, op{kind: "sleep", d: 10 * timeout}, noex.WithTimeout(timeout))
			var ce *noex.CallError
			if !errors.Is(err, noex.ErrTimeout) || !errors.As(err, &ce) {
				t.Fatalf("err = %v; want a *CallError wrapping ErrTimeout", err)
			}
			if !strings.Contains(err.Error(), "slow") || !strings.Contains(err.Error(), timeout.String()) {
				t.Errorf("error %q does not name the server and the timeout", err)
			}
			if rt.Deterministic() {
				if got := noex.Now(ctx).Sub(before); got != timeout {
					t.Errorf("virtual time passed = %v; want exactly %v", got, timeout)
				}
			}
			// The server lives on and handles the next call after the slow one.
			v, err := noex.Call(ctx, c, op{kind: "add", n: 2}, noex.WithTimeout(time.Minute))
			if err != nil || v != 2 {
				t.Errorf("after timeout: %d, %v; want 2, nil", v, err)
			}
			return nil
		})
		if len(rec.kinds(noex.CallFailed)) != 1 {
			t.Errorf("CallFailed events = %d; want 1", len(rec.kinds(noex.CallFailed)))
		}
	})
}

func TestCallTimedOutWhileQueuedIsNeverHandled(t *testing.T) {
	rt := newRT(t, noex.WithSeed(7))
	rec := record(rt)
	run(t, rt, func(ctx context.Context) error {
		c := start(t, ctx, &testSrv{})
		must(t, noex.Cast(ctx, c, op{kind: "sleep", d: time.Second}))
		_, err := noex.Call(ctx, c, op{kind: "add", n: 5}, noex.WithTimeout(100*time.Millisecond))
		if !errors.Is(err, noex.ErrTimeout) {
			t.Errorf("err = %v; want timeout", err)
		}
		v, err := noex.Call(ctx, c, op{kind: "get"})
		if err != nil || v != 0 {
			t.Errorf("get = %d, %v; want 0: the timed-out add must never run", v, err)
		}
		return nil
	})
	dropped := rec.kinds(noex.MessageDropped)
	if len(dropped) != 1 || !errors.Is(dropped[0].Err, noex.ErrTimeout) {
		t.Errorf("dropped = %v; want one drop for the timed-out call", dropped)
	}
}

func TestHandlerErrorGoesToCallerAndServerLives(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			must(t, noex.Cast(ctx, c, op{kind: "add", n: 4}))
			if _, err := noex.Call(ctx, c, op{kind: "fail"}); err != errHandler {
				t.Errorf("call err = %v; want the handler's own error, unwrapped", err)
			}
			must(t, noex.Cast(ctx, c, op{kind: "fail"}))
			v, err := noex.Call(ctx, c, op{kind: "get"})
			if err != nil || v != 4 {
				t.Errorf("get = %d, %v; want 4: failed handlers keep the old state", v, err)
			}
			return nil
		})
		var castErrs int
		for _, e := range rec.kinds(noex.MessageHandled) {
			if e.MsgKind == noex.KindCast && errors.Is(e.Err, errHandler) {
				castErrs++
			}
		}
		if castErrs != 1 {
			t.Errorf("cast errors recorded = %d; want 1", castErrs)
		}
	})
}

func TestPanicCrashesRunsTerminateReleasesNamesFailsCallers(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		term := make(chan error, 1)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{term: term}, noex.WithName("fragile"))
			must(t, rt.Registry().Register("fragile-2", c.PID()))
			_, err := noex.Call(ctx, c, op{kind: "panic"})
			var crash *noex.CrashError
			if !errors.Is(err, noex.ErrCrashed) || !errors.As(err, &crash) {
				t.Fatalf("err = %v; want a crash error", err)
			}
			if !strings.Contains(crash.Stack, "HandleCall") {
				t.Errorf("crash stack does not show the handler:\n%s", crash.Stack)
			}
			if names := rt.Registry().Names(); len(names) != 0 {
				t.Errorf("names after crash = %v; want none", names)
			}
			if _, err := noex.Call(ctx, c, op{kind: "get"}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("call after crash: %v; want ErrNotRunning", err)
			}
			reason, err := noex.Wait(ctx, c)
			if err != nil || !errors.Is(reason, noex.ErrCrashed) {
				t.Errorf("Wait = %v, %v; want the crash reason", reason, err)
			}
			return nil
		})
		if r := <-term; !errors.Is(r, noex.ErrCrashed) {
			t.Errorf("Terminate reason = %v; want the crash", r)
		}
		if n := len(rec.kinds(noex.ProcessCrashed)); n != 1 {
			t.Errorf("ProcessCrashed events = %d; want 1", n)
		}
	})
}

func TestQueuedCallersOfACrashedServerGetTheCrash(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6, 7, 8} {
		rt := newRT(t, noex.WithSeed(seed))
		rec := record(rt)
		errs := make(chan error, 3)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			// The server is busy for a second and then panics; the clients'
			// calls queue up behind the crashing handler.
			must(t, noex.Cast(ctx, c, op{kind: "sleep-panic", d: time.Second}))
			// Virtual time moves only when nothing else can run: by the time
			// this sleep ends, the server is inside its slow handler.
			noex.Sleep(ctx, time.Millisecond)
			for i := 0; i < 3; i++ {
				_, err := noex.Start(ctx, &clientSrv{target: c, errs: errs})
				must(t, err)
			}
			_, err := noex.Wait(ctx, c)
			return err
		})
		// Run returned quiescent: every client has reported.
		for i := 0; i < 3; i++ {
			if err := <-errs; !errors.Is(err, noex.ErrCrashed) {
				t.Errorf("seed %d: queued caller got %v; want ErrCrashed (never a timeout)", seed, err)
			}
		}
		if n := len(rec.kinds(noex.ProcessCrashed)); n != 1 {
			t.Errorf("seed %d: crashes = %d", seed, n)
		}
	}
}

// clientSrv calls target once from Init's first message and reports the error.
type clientSrv struct {
	target ref
	errs   chan<- error
}

func (c *clientSrv) Init(ctx context.Context) (int, error) {
	return 0, noex.Cast(ctx, noex.RefOf[noex.None, string, noex.None](noex.Self(ctx)), "go")
}
func (c *clientSrv) HandleCall(ctx context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (c *clientSrv) HandleCast(ctx context.Context, _ string, s int) (int, error) {
	_, err := noex.Call(ctx, c.target, op{kind: "get"}, noex.WithTimeout(time.Hour))
	c.errs <- err
	return s, nil
}

func TestStopHandlesQueuedThenTerminatesThenReleasesNames(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		term := make(chan error, 1)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{term: term}, noex.WithName("svc"))
			var last int
			for i := 1; i <= 5; i++ {
				must(t, noex.Cast(ctx, c, op{kind: "add", n: i}))
				last += i
			}
			reason := errors.New("done here")
			if err := noex.Stop(ctx, c, reason); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if r := <-term; r != reason {
				t.Errorf("Terminate reason = %v; want %v", r, reason)
			}
			if rt.Registry().IsRegistered("svc") {
				t.Error("name still registered after Stop returned")
			}
			if err := noex.Stop(ctx, c, nil); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("second Stop = %v; want ErrNotRunning", err)
			}
			if err := noex.Cast(ctx, c, op{kind: "add"}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Cast after stop = %v; want ErrNotRunning", err)
			}
			return nil
		})
	})
}

func TestMessagesAfterStopBeganFailFast(t *testing.T) {
	rt := newRT(t, noex.WithSeed(3))
	rec := record(rt)
	run(t, rt, func(ctx context.Context) error {
		c := start(t, ctx, &testSrv{})
		must(t, noex.Cast(ctx, c, op{kind: "sleep", d: time.Second}))
		helper := start(t, ctx, &testSrv{})
		// helper stops c (blocking) while c is busy; meanwhile we try to talk to c.
		_, err := noex.Start(ctx, &stopper{target: c})
		must(t, err)
		noex.Sleep(ctx, 10*time.Millisecond)
		if err := noex.Cast(ctx, c, op{kind: "add", n: 1}); !errors.Is(err, noex.ErrNotRunning) {
			t.Errorf("cast during stop = %v; want ErrNotRunning", err)
		}
		if _, err := noex.Call(ctx, c, op{kind: "get"}); !errors.Is(err, noex.ErrNotRunning) {
			t.Errorf("call during stop = %v; want ErrNotRunning (fast, not a timeout)", err)
		}
		_ = helper
		_, err = noex.Wait(ctx, c)
		return err
	})
	if n := len(rec.kinds(noex.ProcessStopped)); n != 1 {
		t.Errorf("stop events = %d; want 1", n)
	}
}

type stopper struct{ target ref }

func (s *stopper) Init(ctx context.Context) (int, error) {
	return 0, noex.Cast(ctx, noex.RefOf[noex.None, string, noex.None](noex.Self(ctx)), "stop")
}
func (s *stopper) HandleCall(ctx context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (s *stopper) HandleCast(ctx context.Context, _ string, n int) (int, error) {
	return n, noex.Stop(ctx, s.target, nil)
}

func TestConcurrentStoppersAllReturnOneStopEvent(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			must(t, noex.Cast(ctx, c, op{kind: "sleep", d: 5 * time.Millisecond}))
			var stoppers []ref
			for i := 0; i < 3; i++ {
				s, err := noex.Start(ctx, &stopper{target: c})
				must(t, err)
				_ = s
			}
			_ = stoppers
			if _, err := noex.Wait(ctx, c); err != nil {
				t.Errorf("Wait: %v", err)
			}
			return nil
		})
		if n := len(rec.kinds(noex.ProcessStopped)); n != 1 {
			t.Errorf("ProcessStopped for the target: %d events; want exactly 1", n)
		}
		for _, e := range rec.kinds(noex.MessageHandled) {
			if e.Err != nil && !errors.Is(e.Err, noex.ErrNotRunning) {
				t.Errorf("a stopper failed: %v", e.Err)
			}
		}
	})
}

func TestSelfStopDoesNotDeadlock(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{}, noex.WithName("quitter"))
			if _, err := noex.Call(ctx, c, op{kind: "stopself"}); err != nil {
				t.Errorf("self-stop call: %v", err)
			}
			reason, err := noex.Wait(ctx, c)
			if err != nil || reason != nil {
				t.Errorf("Wait = %v, %v; want a normal exit", reason, err)
			}
			if rt.Registry().IsRegistered("quitter") {
				t.Error("name kept after self-stop")
			}
			return nil
		})
	})
}

func TestCallToSelfFailsAtOnce(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{})
			before := noex.Now(ctx)
			_, err := noex.Call(ctx, c, op{kind: "self"})
			if !errors.Is(err, noex.ErrCallSelf) {
				t.Errorf("err = %v; want ErrCallSelf", err)
			}
			if rt.Deterministic() && noex.Now(ctx) != before {
				t.Errorf("self-call took virtual time; want an immediate error")
			}
			return nil
		})
	})
}

func TestCallInsideHandler(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			a := start(t, ctx, &testSrv{})
			b := start(t, ctx, &testSrv{})
			must(t, noex.Cast(ctx, b, op{kind: "add", n: 9}))
			v, err := noex.Call(ctx, a, op{kind: "call", to: b.PID()})
			if err != nil || v != 9 {
				t.Errorf("nested call = %d, %v; want 9", v, err)
			}
			return nil
		})
	})
}

func TestKillSkipsTerminateAndFailsPendingCaller(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		term := make(chan error, 1)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{term: term}, noex.WithName("victim"))
			reason := errors.New("injected")
			must(t, noex.Kill(ctx, c, reason))
			if rt.Registry().IsRegistered("victim") {
				t.Error("name still registered after Kill returned")
			}
			if r, err := noex.Wait(ctx, c); err != nil || r != reason {
				t.Errorf("Wait = %v, %v; want %v", r, err, reason)
			}
			if err := noex.Kill(ctx, c, nil); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("second Kill = %v; want ErrNotRunning", err)
			}
			return nil
		})
		select {
		case r := <-term:
			t.Errorf("Terminate ran after Kill (reason %v)", r)
		default:
		}
		if n := len(rec.kinds(noex.ProcessCrashed)); n != 1 {
			t.Errorf("ProcessCrashed = %d; want 1", n)
		}
	})
}

func TestInitFailures(t *testing.T) {
	cause := errors.New("no config")
	cases := []struct {
		name   string
		srv    *testSrv
		opts   []noex.StartOption
		wantIs error
		reason string
	}{
		{"error", &testSrv{initErr: cause}, nil, cause, "the typed error wraps Init's own error"},
		{"panic", &testSrv{initPanic: true}, nil, noex.ErrCrashed, "a panic in Init is a failed start"},
		{"timeout", &testSrv{initSleep: time.Hour}, []noex.StartOption{noex.WithInitTimeout(50 * time.Millisecond)},
			noex.ErrInitTimeout, "Init outliving its timeout fails the start"},
		{"bad timeout option", &testSrv{}, []noex.StartOption{noex.WithInitTimeout(0)}, noex.ErrBadOption, "invalid option"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRT(t, noex.WithSeed(1))
			run(t, rt, func(ctx context.Context) error {
				opts := append([]noex.StartOption{noex.WithName("svc")}, tc.opts...)
				_, err := noex.Start(ctx, tc.srv, opts...)
				var ie *noex.InitError
				if !errors.As(err, &ie) || !errors.Is(err, noex.ErrInit) || !errors.Is(err, tc.wantIs) {
					t.Errorf("%s: err = %v; want an *InitError wrapping %v", tc.reason, err, tc.wantIs)
				}
				if rt.Registry().IsRegistered("svc") {
					t.Errorf("%s: name left registered", tc.reason)
				}
				if ps := rt.Processes(); len(ps) != 0 {
					t.Errorf("%s: processes left: %v", tc.reason, ps)
				}
				return nil
			})
		})
	}
}

func TestNameIsRegisteredBeforeFirstMessage(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			// Init casts to its own name: the name must resolve already.
			s := &testSrv{initHook: func(ctx context.Context) error {
				return noex.Cast(ctx, noex.Name[op, op, int]("early"), op{kind: "add", n: 7})
			}}
			c := start(t, ctx, s, noex.WithName("early"))
			if v, err := noex.Call(ctx, c, op{kind: "get"}); err != nil || v != 7 {
				t.Errorf("get = %d, %v; want 7", v, err)
			}
			return nil
		})
	})
}

func TestBadInputGivesTypedErrors(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1))
	other := newRT(t)
	var foreign noex.PID
	run(t, other, func(ctx context.Context) error {
		r := start(t, ctx, &testSrv{})
		foreign = r.PID()
		return nil
	})
	run(t, rt, func(ctx context.Context) error {
		if _, err := noex.Start[srvState, op, op, int](ctx, nil); !errors.Is(err, noex.ErrNilBehavior) {
			t.Errorf("nil behaviour: %v", err)
		}
		var nilSrv *testSrv
		if _, err := noex.Start(ctx, nilSrv); !errors.Is(err, noex.ErrNilBehavior) {
			t.Errorf("nil pointer behaviour: %v", err)
		}
		if _, err := noex.Start(ctx, &testSrv{}, noex.WithName("")); !errors.Is(err, noex.ErrInvalidName) {
			t.Errorf("empty name: %v", err)
		}
		c := start(t, ctx, &testSrv{}, noex.WithName("taken"))
		_, err := noex.Start(ctx, &testSrv{}, noex.WithName("taken"))
		var nt *noex.NameTakenError
		if !errors.As(err, &nt) || nt.Holder != c.PID() || !errors.Is(err, noex.ErrNameTaken) {
			t.Errorf("duplicate name: %v; want a *NameTakenError naming %v", err, c.PID())
		}
		if _, err := noex.Call(ctx, noex.RefOf[op, op, int](foreign), op{kind: "get"}); !errors.Is(err, noex.ErrForeignRef) {
			t.Errorf("foreign ref: %v", err)
		}
		if _, err := noex.Call(ctx, noex.Name[op, op, int]("nobody"), op{kind: "get"}); !errors.Is(err, noex.ErrNotRegistered) {
			t.Errorf("unknown name: %v", err)
		}
		wrong := noex.RefOf[string, op, int](c.PID())
		if _, err := noex.Call(ctx, wrong, "hello"); !errors.Is(err, noex.ErrBadMessage) {
			t.Errorf("wrong message type: %v", err)
		}
		wrongReply := noex.RefOf[op, op, string](c.PID())
		if _, err := noex.Call(ctx, wrongReply, op{kind: "get"}); !errors.Is(err, noex.ErrBadMessage) {
			t.Errorf("wrong reply type: %v", err)
		}
		if _, err := noex.Call(ctx, c, op{kind: "get"}, noex.WithTimeout(-time.Second)); !errors.Is(err, noex.ErrBadOption) {
			t.Errorf("negative timeout: %v", err)
		}
		if _, err := noex.Call(ctx, noex.Ref[op, op, int]{}, op{kind: "get"}); !errors.Is(err, noex.ErrNotRunning) {
			t.Errorf("zero ref: %v", err)
		}
		return nil
	})
	// A goroutine the deterministic runtime does not own, acting while no
	// process of the runtime runs.
	release, done := make(chan struct{}), make(chan error, 1)
	run(t, rt, func(ctx context.Context) error {
		c := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
			go func() { <-release; done <- noex.Cast(ctx, noex.RefOf[op, op, int](noex.Self(ctx)), op{kind: "add"}) }()
			return s, nil
		}})
		return noex.Send(ctx, c, "spawn a goroutine")
	})
	close(release)
	if err := <-done; !errors.Is(err, noex.ErrNotOwner) {
		t.Errorf("use from a foreign goroutine: %v; want ErrNotOwner", err)
	}
	if _, err := noex.Call(context.Background(), noex.Name[op, op, int]("x"), op{}); !errors.Is(err, noex.ErrNoRuntime) {
		t.Errorf("plain context: %v; want ErrNoRuntime", err)
	}
	must(t, rt.Shutdown(context.Background()))
	if err := rt.Run(context.Background(), func(ctx context.Context) error { return nil }); !errors.Is(err, noex.ErrClosed) {
		t.Errorf("Run after Shutdown: %v; want ErrClosed", err)
	}
}

func TestDeferredReply(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		results := make(chan string, 2)
		run(t, rt, func(ctx context.Context) error {
			g, err := noex.Start(ctx, &gate{})
			must(t, err)
			for i := 0; i < 2; i++ {
				_, err := noex.Start(ctx, &waiterSrv{gate: g, out: results})
				must(t, err)
			}
			noex.Sleep(ctx, time.Millisecond) // let the waiters queue their calls (virtual in det mode)
			if n, err := noex.Call(ctx, g, "open"); err != nil || n != 2 {
				t.Errorf("open = %d, %v; want 2 waiters released", n, err)
			}
			return nil
		})
		for i := 0; i < 2; i++ {
			if r := <-results; r != "opened" {
				t.Errorf("waiter got %q", r)
			}
		}
	})
}

type gate struct{}
type gateState struct {
	waiting []*noex.Deferred
	open    bool
}

func (gate) Init(ctx context.Context) (gateState, error) { return gateState{}, nil }
func (gate) HandleCall(ctx context.Context, msg string, s gateState) (int, gateState, error) {
	if msg == "wait" && s.open {
		return -1, s, nil // opened before this waiter came
	}
	if msg == "wait" {
		d, err := noex.DeferReply(ctx)
		if err != nil {
			return 0, s, err
		}
		s.waiting = append(s.waiting, d)
		return 0, s, nil
	}
	n := len(s.waiting)
	for _, d := range s.waiting {
		d.Reply(-1, nil)
	}
	s.waiting, s.open = nil, true
	return n, s, nil
}
func (gate) HandleCast(ctx context.Context, _ noex.None, s gateState) (gateState, error) {
	return s, nil
}

type waiterSrv struct {
	gate noex.Ref[string, noex.None, int]
	out  chan<- string
}

func (w *waiterSrv) Init(ctx context.Context) (int, error) {
	return 0, noex.Cast(ctx, noex.RefOf[noex.None, string, noex.None](noex.Self(ctx)), "go")
}
func (w *waiterSrv) HandleCall(ctx context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (w *waiterSrv) HandleCast(ctx context.Context, _ string, s int) (int, error) {
	v, err := noex.Call(ctx, w.gate, "wait", noex.WithTimeout(time.Hour))
	if err == nil && v == -1 {
		w.out <- "opened"
	} else {
		w.out <- "failed"
	}
	return s, nil
}
