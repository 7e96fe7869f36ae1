package noextest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

func TestFaultDrop(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe(noextest.ProbeName("sink"))
	if err := rt.Faults().Drop(noextest.Match{To: "sink", Nth: 2}); err != nil {
		t.Fatal(err)
	}
	rt.Run(func(ctx context.Context) error {
		for i := 1; i <= 3; i++ {
			if err := noex.Send(ctx, p.PID(), ping{i}); err != nil {
				return err
			}
		}
		return nil
	})
	p.ExpectMsg(time.Second, ping{1})
	p.ExpectMsg(time.Second, ping{3})
	rt.ExpectSubsequence(
		noextest.Event{Kind: noex.FaultInjected, Proc: "sink", Name: "drop", Msg: ping{2}},
		noextest.Event{Kind: noex.MessageDropped, Proc: "sink", Msg: ping{2}, Err: "noex: dropped by fault injection"})
}

func TestFaultDelayOvertakes(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe(noextest.ProbeName("sink"))
	err := rt.Faults().Delay(noextest.Match{To: "sink", Msg: func(m any) bool { return m == (ping{1}) }}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rt.Run(func(ctx context.Context) error {
		noex.Send(ctx, p.PID(), ping{1})
		return noex.Send(ctx, p.PID(), ping{2})
	})
	p.ExpectMsg(time.Second, ping{2})
	p.ExpectMsg(2*time.Minute, ping{1})
	if got, want := rt.Now(), noex.Epoch.Add(time.Minute); !got.Equal(want) {
		t.Errorf("Now = %v, want %v (the delayed message came after a minute)", got, want)
	}
	rt.ExpectSubsequence(noextest.Event{Kind: noex.FaultInjected, Name: "delay", Delay: time.Minute, Msg: ping{1}})
	rt.ExpectFIFO() // a delayed message is exempt from the FIFO check
}

func TestFaultPanicOnNthMessage(t *testing.T) {
	rt := noextest.New(t)
	if err := rt.Faults().PanicOn("c", 2); err != nil {
		t.Fatal(err)
	}
	var callErr error
	rt.Run(func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		noex.Cast(ctx, c, any(inc{By: 1}))
		_, callErr = noex.Call(ctx, c, get{}) // the second message: it panics
		return nil
	})
	var crash *noex.CrashError
	if !errors.As(callErr, &crash) {
		t.Fatalf("the call got %v, want a crash", callErr)
	}
	var inj *noextest.InjectedPanic
	if !errors.As(crash, &inj) || inj.Proc != "c" || inj.N != 2 || !errors.Is(callErr, noextest.ErrInjected) {
		t.Errorf("crash value = %#v, want the injected panic of c at message 2", crash.Value)
	}
	rt.ExpectSubsequence(
		noextest.Event{Kind: noex.FaultInjected, Proc: "c", Name: "panic", Msg: get{}},
		noextest.Event{Kind: noex.ProcessCrashed, Proc: "c"})
	// No ExpectCrashes: an injected panic is expected by definition.
}

func TestFaultFailInit(t *testing.T) {
	rt := noextest.New(t)
	if err := rt.Faults().FailInit("c", 2, nil); err != nil {
		t.Fatal(err)
	}
	rt.Run(func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		if err := noex.Stop(ctx, c, nil); err != nil {
			return err
		}
		_, err = startCounter(ctx, "c")
		if !errors.Is(err, noex.ErrInit) || !errors.Is(err, noextest.ErrInjected) {
			t.Errorf("the second start returned %v, want an injected init failure", err)
		}
		c, err = startCounter(ctx, "c") // the third start is not affected
		if err != nil {
			return err
		}
		return noex.Stop(ctx, c, nil)
	})
	rt.ExpectSubsequence(noextest.Event{Kind: noex.FaultInjected, Proc: "c", Name: "init"},
		noextest.Event{Kind: noex.InitFailed, Proc: "c"})
	rt.ExpectNotRegistered("c")
}

// watcher monitors a process from its Init and forwards the Down to a probe.
type watcher struct{ target, to noex.PID }

func (w watcher) Init(ctx context.Context) (noex.PID, error) {
	_, err := noex.Monitor(ctx, w.target)
	return w.to, err
}
func (watcher) HandleCall(ctx context.Context, _ noex.None, to noex.PID) (noex.None, noex.PID, error) {
	return noex.None{}, to, nil
}
func (watcher) HandleCast(ctx context.Context, _ noex.None, to noex.PID) (noex.PID, error) {
	return to, nil
}
func (watcher) HandleInfo(ctx context.Context, msg any, to noex.PID) (noex.PID, error) {
	if d, ok := msg.(noex.Down); ok {
		return to, noex.Send(ctx, to, d.Reason)
	}
	return to, nil
}

func TestCrash(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe()
	var victim, w noex.PID
	rt.Run(func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		victim = c.PID()
		ref, err := noex.Start(ctx, watcher{target: victim, to: p.PID()})
		w = ref.PID()
		return err
	})
	reason := errors.New("power cut")
	rt.Crash(victim, reason)
	rt.ExpectSubsequence(noextest.Event{Kind: noex.ProcessCrashed, Proc: "c", Reason: "power cut"})
	rt.ExpectEnded(victim)
	p.ExpectMsg(time.Second, reason)
	if r, ok := rt.ExitReason(victim); !ok || r != reason {
		t.Errorf("ExitReason = %v, %v; want the crash reason", r, ok)
	}
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, w, nil) })
	f := runFake("TestCrashGone", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(2))
		rt.Crash(noex.Name[get, any, value]("nobody"), nil)
	})
	wantContains(t, "the failure", f.errText(), `[noex] Crash: noex: kill to "nobody": lookup "nobody": name not registered`)
}

func TestFaultRulesRejectBadArguments(t *testing.T) {
	f := noextest.NewFaults()
	for _, err := range []error{
		f.PanicOn("x", 0),
		f.FailInit("x", -1, nil),
		f.Delay(noextest.Match{}, 0),
		f.Drop(noextest.Match{Nth: -1}),
	} {
		if !errors.Is(err, noextest.ErrBadFault) {
			t.Errorf("got %v, want ErrBadFault", err)
		}
	}
	ft := runFake("TestBad", func(ft *fakeT) {
		rt := noextest.New(ft)
		_ = rt.Faults().PanicOn("x", 0)
	})
	wantContains(t, "the failure", ft.errText(), `PanicOn("x", 0): messages count from 1`, "-noex.seed=")
}

func TestFaultsOutsideTheKit(t *testing.T) {
	f := noextest.NewFaults()
	f.PanicOn("c", 1)
	rec := noextest.NewRecorder()
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithFaults(f), noex.WithObserver(rec.Observe))
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		_, err = noex.Call(ctx, c, get{})
		return err
	})
	if !errors.Is(err, noextest.ErrInjected) {
		t.Errorf("Run = %v, want the injected crash", err)
	}
	if err := noextest.CheckNoCrashes(rec.Raw()); err != nil {
		t.Errorf("an injected crash counted as unexpected: %v", err)
	}
	f.Reset()
	if f.Handle(noex.PID{}, 1, noex.KindCall, nil) != nil {
		t.Errorf("Reset left a rule")
	}
}
