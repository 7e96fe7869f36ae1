package noextest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// scenario starts a counter, casts to it, calls it and stops it.
func scenario(ctx context.Context) error {
	c, err := startCounter(ctx, "counter")
	if err != nil {
		return err
	}
	for i := range 3 {
		if err := noex.Cast(ctx, c, any(inc{By: i})); err != nil {
			return err
		}
	}
	if _, err := noex.Call(ctx, c, get{}); err != nil {
		return err
	}
	return noex.Stop(ctx, c, nil)
}

func TestSameSeedSameLog(t *testing.T) {
	logOf := func(seed uint64) string {
		var text string
		f := runFake("TestX", func(t *fakeT) {
			rt := noextest.New(t, noextest.WithSeed(seed))
			rt.Run(scenario)
			text = rt.Recorder().Text()
		})
		if f.Failed() {
			t.Fatalf("the run failed: %s", f.errText())
		}
		return text
	}
	a, b := logOf(7), logOf(7)
	if a != b {
		t.Errorf("seed 7 gave two different logs:\n%s\n---\n%s", a, b)
	}
	wantContains(t, "the log", a, "counter started by main", "counter received call from main")
}

func TestRunFailureShowsSeedReproAndLog(t *testing.T) {
	f := runFake("TestX/sub", func(t *fakeT) {
		rt := noextest.New(t, noextest.WithSeed(7))
		rt.Run(func(ctx context.Context) error {
			if _, err := startCounter(ctx, "counter"); err != nil {
				return err
			}
			return errors.New("the body failed")
		})
		t.Errorf("Run returned after Fatalf")
	})
	if !f.fatal {
		t.Fatalf("Run did not call Fatalf; reported: %s", f.errText())
	}
	wantContains(t, "the failure", f.errText(),
		"[noex] Run: the body failed",
		"[noex] seed=7 To reproduce, specify: go test ./noextest -run '^TestX$/^sub$' -noex.seed=7",
		"[noex] log (", "counter started by main")
}

func TestCleanupReportsLeaksWithTheirEvents(t *testing.T) {
	f := runFake("TestLeak", func(t *fakeT) {
		rt := noextest.New(t, noextest.WithSeed(1))
		rt.Run(func(ctx context.Context) error {
			if _, err := startCounter(ctx, "cache"); err != nil {
				return err
			}
			_, err := noex.SendAfter(ctx, noex.Name[get, any, value]("cache"), "tick", time.Minute)
			return err
		})
	})
	wantContains(t, "the failure", f.errText(),
		"[noex] end-of-test checks failed:",
		`noextest: left running: process cache (p2, running, 0 queued, names ["cache"]) is still running`,
		"started: 2 00:00:00.000000 cache started by main",
		"noextest: left running: timer #",
		`set: 3 00:00:00.000000 main timer-set #2 "send-after" +1m0s`,
		"[noex] seed=1 To reproduce, specify: go test ./noextest -run '^TestLeak$' -noex.seed=1")
}

func TestAllowLiveSkipsLeakChecks(t *testing.T) {
	f := runFake("TestLive", func(t *fakeT) {
		rt := noextest.New(t, noextest.AllowLive())
		rt.Run(func(ctx context.Context) error {
			_, err := startCounter(ctx, "cache")
			return err
		})
	})
	if f.Failed() {
		t.Errorf("AllowLive still failed the test: %s", f.errText())
	}
}

func TestCleanupReportsCrashesUnlessExpected(t *testing.T) {
	body := func(t *fakeT, opts ...noextest.Option) {
		rt := noextest.New(t, append(opts, noextest.WithSeed(3))...)
		rt.Run(func(ctx context.Context) error {
			c, err := startCounter(ctx, "c")
			if err != nil {
				return err
			}
			return noex.Cast(ctx, c, any(boom{}))
		})
	}
	f := runFake("TestCrash", func(t *fakeT) { body(t) })
	wantContains(t, "the failure", f.errText(),
		"noextest: unexpected crash (declare it with ExpectCrashes):",
		`c crashed reason="noex: c crashed: boom"`,
		"handling: ", "c received cast from main", "boom{}")
	if f := runFake("TestCrash", func(t *fakeT) { body(t, noextest.ExpectCrashes()) }); f.Failed() {
		t.Errorf("ExpectCrashes still failed the test: %s", f.errText())
	}
}

// panicTerm panics in Terminate, so the runtime's Shutdown sees a crash.
type panicTerm struct{}

func (panicTerm) Init(context.Context) (int, error) { return 0, nil }
func (panicTerm) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (panicTerm) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (panicTerm) Terminate(context.Context, error, int)                         { panic("terminate boom") }

// TestCleanupReportsACrashInShutdownOnceUnlessExpected: a crash during the
// shutdown is a crash like any other: reported once by the crash check
// (not again as a shutdown failure), and allowed by ExpectCrashes.
func TestCleanupReportsACrashInShutdownOnceUnlessExpected(t *testing.T) {
	body := func(t *fakeT, opts ...noextest.Option) {
		rt := noextest.New(t, append(opts, noextest.WithSeed(3), noextest.AllowLive())...)
		rt.Run(func(ctx context.Context) error {
			_, err := noex.Start(ctx, panicTerm{}, noex.WithName("pt"))
			return err
		})
	}
	f := runFake("TestTermCrash", func(t *fakeT) { body(t) })
	text := f.errText()
	wantContains(t, "the failure", text, "noextest: unexpected crash in Terminate (declare it with ExpectCrashes):", "terminate boom")
	if n := strings.Count(text, "unexpected crash"); n != 1 || strings.Contains(text, "shutdown:") {
		t.Errorf("the crash is reported %d times, or as a shutdown failure:\n%s", n, text)
	}
	if f := runFake("TestTermCrash", func(t *fakeT) { body(t, noextest.ExpectCrashes()) }); f.Failed() {
		t.Errorf("ExpectCrashes still failed the test: %s", f.errText())
	}
}

func TestCleanupReportsHandlerErrorsUnlessAllowed(t *testing.T) {
	body := func(t *fakeT, opts ...noextest.Option) {
		rt := noextest.New(t, opts...)
		rt.Run(func(ctx context.Context) error {
			c, err := startCounter(ctx, "c")
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, c, any(fail{})); err != nil {
				return err
			}
			return noex.Stop(ctx, c, nil)
		})
	}
	f := runFake("TestErr", func(t *fakeT) { body(t) })
	wantContains(t, "the failure", f.errText(),
		"noextest: unexpected handler error (declare it with AllowErrors):",
		`c handled cast #`, `err="cannot"`, "handling: ", "fail{}")
	if f := runFake("TestErr", func(t *fakeT) { body(t, noextest.AllowErrors()) }); f.Failed() {
		t.Errorf("AllowErrors still failed the test: %s", f.errText())
	}
}

func TestCallErrorsGoToTheCallerNotTheTest(t *testing.T) {
	f := runFake("TestCallErr", func(t *fakeT) {
		rt := noextest.New(t)
		p := rt.NewProbe(noextest.ProbeReplies(func(any) (any, error) { return nil, errors.New("no") }))
		rt.Run(func(ctx context.Context) error {
			_, err := noex.Call(ctx, noex.RefOf[string, any, any](p.PID()), "hi")
			if err == nil || err.Error() != "no" {
				t.Errorf("Call returned %v, want the handler's error", err)
			}
			return nil
		})
	})
	if f.Failed() {
		t.Errorf("a call error failed the test: %s", f.errText())
	}
}

func TestFailedTestLogsReproduction(t *testing.T) {
	f := runFake("TestMine", func(t *fakeT) {
		rt := noextest.New(t, noextest.WithSeed(99))
		rt.Run(scenario)
		t.Errorf("my own assertion failed")
	})
	wantContains(t, "the log", f.logText(), "[noex] seed=99 To reproduce, specify: go test ./noextest -run '^TestMine$' -noex.seed=99",
		"counter stopped reason=normal")
}

func TestRealMode(t *testing.T) {
	f := runFake("TestReal", func(t *fakeT) {
		rt := noextest.New(t, noextest.Real())
		if rt.Deterministic() {
			t.Errorf("Real() gave a deterministic runtime")
		}
		rt.Run(scenario)
		rt.ExpectHandled("counter",
			noextest.Message{Kind: noex.KindCast, Msg: inc{By: 0}},
			noextest.Message{Kind: noex.KindCast, Msg: inc{By: 1}},
			noextest.Message{Kind: noex.KindCast, Msg: inc{By: 2}},
			noextest.Message{Kind: noex.KindCall, Msg: get{}})
	})
	if f.Failed() {
		t.Errorf("real mode failed: %s", f.errText())
	}
	f = runFake("TestReal", func(t *fakeT) {
		rt := noextest.New(t, noextest.Real())
		rt.Run(func(ctx context.Context) error {
			_, err := startCounter(ctx, "cache")
			return err
		})
	})
	wantContains(t, "the real-mode failure", f.errText(), "process cache", "is still running",
		"[noex] real mode (no seed). To rerun, specify: go test ./noextest -run '^TestReal$'")
}

func TestRealExcludesSeed(t *testing.T) {
	f := runFake("TestX", func(t *fakeT) { noextest.New(t, noextest.Real(), noextest.WithSeed(1)) })
	wantContains(t, "the failure", f.errText(), "Real() runs in real mode; it cannot be combined with WithSeed or WithChooser")
}

func TestAdvanceAndAdvanceNext(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe()
	rt.Run(func(ctx context.Context) error {
		for _, d := range []time.Duration{3 * time.Second, 7 * time.Second} {
			if _, err := noex.SendAfter(ctx, p.PID(), d, d); err != nil {
				return err
			}
		}
		return nil
	})
	rt.Advance(2 * time.Second)
	if got, want := rt.Now(), noex.Epoch.Add(2*time.Second); !got.Equal(want) {
		t.Errorf("after Advance(2s) Now = %v, want %v", got, want)
	}
	p.ExpectNoMsg(0)
	if d, ok := rt.AdvanceNext(); !ok || d != time.Second {
		t.Errorf("AdvanceNext = %v, %v; want 1s, true", d, ok)
	}
	p.ExpectMsg(0, 3*time.Second)
	if d, ok := rt.AdvanceNext(); !ok || d != 4*time.Second {
		t.Errorf("AdvanceNext = %v, %v; want 4s, true", d, ok)
	}
	p.ExpectMsg(0, 7*time.Second)
	if d, ok := rt.AdvanceNext(); ok {
		t.Errorf("AdvanceNext with no timer = %v, true", d)
	}
	if got, want := rt.Now(), noex.Epoch.Add(7*time.Second); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
}

func TestAdvanceRejectsNegative(t *testing.T) {
	f := runFake("TestX", func(t *fakeT) { noextest.New(t).Advance(-time.Second) })
	wantContains(t, "the failure", f.errText(), "[noex] Advance(-1s): the duration must not be negative")
}

func TestCloseChecksNow(t *testing.T) {
	f := runFake("TestClose", func(t *fakeT) {
		rt := noextest.New(t, noextest.WithSeed(5))
		rt.Run(func(ctx context.Context) error {
			_, err := startCounter(ctx, "cache")
			return err
		})
		rt.Close()
		if !t.Failed() {
			t.Errorf("Close did not report the live process")
		}
		if !rt.ShuttingDown() {
			t.Errorf("Close did not shut the runtime down")
		}
		rt.Close()
	})
	if n := len(f.errs); n != 1 {
		t.Errorf("got %d reports, want the leak reported once: %s", n, f.errText())
	}
}

// waiter waits, on a cast, for the end of the process registered as the
// cast's string: a waiter waiting for a server that never ends, while main
// waits for the waiter, is a deadlock.
type waiter struct{}

func (waiter) Init(ctx context.Context) (int, error) { return 0, nil }
func (waiter) HandleCall(ctx context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (waiter) HandleCast(ctx context.Context, peer string, n int) (int, error) {
	_, err := noex.Wait(ctx, noex.Name[noex.None, string, int](peer))
	return n, err
}

func TestDeadlockFailsRunAndSkipsLeakChecks(t *testing.T) {
	f := runFake("TestDeadlock", func(t *fakeT) {
		rt := noextest.New(t, noextest.WithSeed(1))
		err := rt.RunErr(func(ctx context.Context) error {
			a, err := noex.Start(ctx, waiter{}, noex.WithName("a"))
			if err != nil {
				return err
			}
			if _, err := noex.Start(ctx, waiter{}, noex.WithName("b")); err != nil {
				return err
			}
			noex.Cast(ctx, a, "b") // b never ends
			_, err = noex.Wait(ctx, a)
			return err
		})
		if !errors.Is(err, noex.ErrDeadlock) {
			t.Errorf("RunErr = %v, want a deadlock", err)
		}
	})
	if f.Failed() {
		t.Errorf("the leak checks ran on a failed runtime: %s", f.errText())
	}
}

func TestShutdownByTheTestIsFine(t *testing.T) {
	f := runFake("TestShut", func(ft *fakeT) {
		rt := noextest.New(ft)
		rt.NewProbe()
		rt.Run(func(ctx context.Context) error {
			_, err := startCounter(ctx, "c")
			return err
		})
		if err := rt.Shutdown(context.Background()); err != nil {
			ft.Errorf("Shutdown: %v", err)
		}
	})
	if f.Failed() {
		t.Errorf("a test that shuts its runtime down failed: %s", f.errText())
	}
}
