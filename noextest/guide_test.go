package noextest_test

// The tests of this file are the listings of docs/testing.md.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// listing: first
func TestCounterAddsCasts(t *testing.T) {
	rt := noextest.New(t) // deterministic; seed from -noex.seed, NOEX_SEED or random
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		c.Cast(ctx, Add{N: 2})
		c.Cast(ctx, Add{N: 3})
		n, err := c.Call(ctx, Get{})
		if err != nil {
			return err
		}
		if n != 5 {
			t.Errorf("count = %d, want 5", n)
		}
		return noex.Stop(ctx, c, nil)
	})
	rt.ExpectHandled("counter",
		noextest.Message{Kind: noex.KindCast, Msg: Add{N: 2}},
		noextest.Message{Kind: noex.KindCast, Msg: Add{N: 3}},
		noextest.Message{Kind: noex.KindCall, Msg: Get{}})
}

// end listing

// listing: handler-error
func TestNegativeAddIsAnError(t *testing.T) {
	rt := noextest.New(t, noextest.AllowErrors()) // the error is the point of the test
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		c.Cast(ctx, Add{N: -1})
		return noex.Stop(ctx, c, nil)
	})
	rt.ExpectSubsequence(noextest.Event{
		Kind: noex.MessageHandled, Proc: "counter", MsgKind: noex.KindCast, Err: "cannot add -1",
	})
}

// end listing

// listing: slow
// Slow answers a call after sleeping for the duration it is asked.
type Slow struct{}

func (Slow) Init(ctx context.Context) (int, error) { return 0, nil }
func (Slow) HandleCall(ctx context.Context, d time.Duration, n int) (string, int, error) {
	if err := noex.Sleep(ctx, d); err != nil {
		return "", n, err
	}
	return "done", n + 1, nil
}
func (Slow) HandleCast(ctx context.Context, _ noex.None, n int) (int, error) { return n, nil }

// end listing

// listing: timeout
func TestCallTimesOutOnVirtualTime(t *testing.T) {
	rt := noextest.New(t)
	var slow noex.Ref[time.Duration, noex.None, string]
	rt.Run(func(ctx context.Context) (err error) {
		slow, err = noex.Start(ctx, Slow{})
		if err != nil {
			return err
		}
		_, err = slow.Call(ctx, time.Minute, noex.WithTimeout(5*time.Second))
		if !errors.Is(err, noex.ErrTimeout) {
			t.Errorf("Call = %v, want a timeout", err)
		}
		// Five virtual seconds have passed, and no wall time.
		if got, want := noex.Now(ctx), noex.Epoch.Add(5*time.Second); !got.Equal(want) {
			t.Errorf("the call failed at %v, want %v", got, want)
		}
		return nil
	})
	// Stopping the server waits for the handler it is in: the clock moves on
	// to the end of the minute.
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, slow, nil) })
	if got, want := rt.Now(), noex.Epoch.Add(time.Minute); !got.Equal(want) {
		t.Errorf("now = %v, want %v", got, want)
	}
}

// end listing

// listing: ticker
// Ticker counts ticks it sends itself every second. It cancels its timer
// when it stops: timers are not tied to the process that set them.
type Ticker struct{}

type tick struct{}

type tickState struct {
	n     int
	timer *noex.Timer
}

func (Ticker) Init(ctx context.Context) (*tickState, error) {
	t, err := noex.SendAfter(ctx, noex.Self(ctx), tick{}, time.Second)
	return &tickState{timer: t}, err
}
func (Ticker) HandleCall(ctx context.Context, _ Get, s *tickState) (int, *tickState, error) {
	return s.n, s, nil
}
func (Ticker) HandleCast(ctx context.Context, _ noex.None, s *tickState) (*tickState, error) {
	return s, nil
}
func (Ticker) HandleInfo(ctx context.Context, _ any, s *tickState) (*tickState, error) {
	s.n++
	var err error
	s.timer, err = noex.SendAfter(ctx, noex.Self(ctx), tick{}, time.Second)
	return s, err
}
func (Ticker) Terminate(ctx context.Context, _ error, s *tickState) { s.timer.Cancel() }

// end listing

// listing: advance
func TestTickerTicksEverySecond(t *testing.T) {
	rt := noextest.New(t)
	var ticker noex.Ref[Get, noex.None, int]
	rt.Run(func(ctx context.Context) (err error) {
		ticker, err = noex.Start(ctx, Ticker{}, noex.WithName("ticker"))
		return err
	})
	rt.Advance(time.Hour) // an hour of ticks, in a few milliseconds
	var n int
	rt.Run(func(ctx context.Context) (err error) {
		n, err = ticker.Call(ctx, Get{})
		return err
	})
	if n != 3600 {
		t.Errorf("ticks = %d, want 3600", n)
	}
	if d, ok := rt.AdvanceNext(); !ok || d != time.Second {
		t.Errorf("the next tick is %v away (%v), want 1s", d, ok)
	}
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, ticker, nil) })
}

// end listing

// listing: log
func TestTheLogIsPlainData(t *testing.T) {
	rt := noextest.New(t)
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		c.Cast(ctx, Add{N: 1})
		return noex.Stop(ctx, c, nil)
	})
	want := []noextest.Event{
		{Kind: noex.Registered, Proc: "counter", Name: "counter"},
		{Kind: noex.ProcessStarted, Proc: "counter", Peer: "main"},
		{Kind: noex.MessageSent, Proc: "main", Peer: "counter", MsgKind: noex.KindCast, Msg: Add{N: 1}},
		{Kind: noex.StopRequested, Proc: "main", Peer: "counter", Reason: "normal"},
		{Kind: noex.MessageReceived, Proc: "counter", Peer: "main", MsgKind: noex.KindCast, Msg: Add{N: 1}},
		{Kind: noex.MessageHandled, Proc: "counter", MsgKind: noex.KindCast},
		{Kind: noex.Unregistered, Proc: "counter", Name: "counter"},
		{Kind: noex.ProcessStopped, Proc: "counter", Reason: "normal"},
	}
	if diff := cmp.Diff(want, rt.Events(), noextest.IgnoreTimes(), noextest.IgnoreIDs()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
}

// end listing

// listing: causal
func TestRepliesCauseTheCallersNextStep(t *testing.T) {
	rt := noextest.New(t)
	rt.Run(func(ctx context.Context) error {
		a, _ := noex.Start(ctx, Counter{}, noex.WithName("a"))
		b, _ := noex.Start(ctx, Counter{}, noex.WithName("b"))
		b.Cast(ctx, Add{N: 1})
		a.Call(ctx, Get{})     // main waits for a's reply ...
		b.Cast(ctx, Add{N: 2}) // ... before it sends this
		noex.Stop(ctx, a, nil)
		return noex.Stop(ctx, b, nil)
	})
	reply := noextest.Event{Kind: noex.ReplySent, Proc: "a"}
	first := noextest.Event{Kind: noex.MessageReceived, Proc: "b", Msg: Add{N: 1}}
	second := noextest.Event{Kind: noex.MessageReceived, Proc: "b", Msg: Add{N: 2}}
	rt.ExpectHappensBefore(reply, second)
	// b may handle its first cast before or after a replies: under some
	// seeds it comes later in the log, but it never depends on the reply.
	if err := noextest.CheckHappensBefore(rt.Events(), reply, first); err == nil {
		t.Errorf("the first cast depends on a's reply")
	}
	rt.ExpectSubsequence(first, second) // one sender, one receiver: FIFO
	rt.ExpectFIFO()
}

// end listing

// listing: probe
// Cache stores values and tells the process registered as "evictions"
// about every key it drops.
type Cache struct{}

type Put struct {
	Key string
	Val int
}
type Evicted struct{ Key string }

var Evictions = noex.Name[noex.None, Evicted, noex.None]("evictions")

func (Cache) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }
func (Cache) HandleCall(ctx context.Context, key string, m map[string]int) (int, map[string]int, error) {
	return m[key], m, nil
}
func (Cache) HandleCast(ctx context.Context, p Put, m map[string]int) (map[string]int, error) {
	if len(m) == 2 { // full: drop the smallest key
		var old string
		for k := range m {
			if old == "" || k < old {
				old = k
			}
		}
		delete(m, old)
		Evictions.Cast(ctx, Evicted{Key: old})
	}
	m[p.Key] = p.Val
	return m, nil
}

func TestCacheReportsEvictions(t *testing.T) {
	rt := noextest.New(t)
	evictions := rt.NewProbe(noextest.ProbeName("evictions"))
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Cache{})
		if err != nil {
			return err
		}
		for _, k := range []string{"b", "a", "c"} {
			c.Cast(ctx, Put{Key: k, Val: 1})
		}
		return noex.Stop(ctx, c, nil)
	})
	evictions.ExpectMsg(time.Second, Evicted{Key: "a"})
	evictions.ExpectNoMsg(time.Minute) // one minute of virtual time
}

// end listing

// listing: bus
func TestSignupsArePublished(t *testing.T) {
	rt := noextest.New(t)
	var bus noex.Bus
	rt.Run(func(ctx context.Context) (err error) {
		bus, err = noex.StartBus(ctx, noex.WithName("event-bus"))
		return err
	})
	users := rt.NewProbe(noextest.ProbeSubscribe(bus, "user.*"))
	rt.ExpectSubscriptions(bus, "user.*")
	rt.Run(func(ctx context.Context) error {
		noex.Publish(ctx, bus, "user.created", "alice")
		noex.Publish(ctx, bus, "user.profile.updated", "alice") // "*" is one segment
		return noex.Publish(ctx, bus, "user.deleted", "bob")
	})
	users.ExpectMsg(time.Second, noex.Publication{Topic: "user.created", Msg: "alice"})
	users.ExpectMsg(time.Second, noex.Publication{Topic: "user.deleted", Msg: "bob"})
	users.ExpectNoMsg(time.Second)

	// A subscription ends with its subscriber.
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, users.PID(), nil) })
	rt.ExpectEnded(users.PID())
	rt.ExpectSubscriptions(bus)
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, bus, nil) })
}

// end listing

// listing: faults
func TestALostCallTimesOut(t *testing.T) {
	rt := noextest.New(t)
	rt.Faults().Drop(noextest.Match{To: "counter", Kind: noex.KindCall, Nth: 1})
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		if _, err := c.Call(ctx, Get{}, noex.WithTimeout(time.Second)); !errors.Is(err, noex.ErrTimeout) {
			t.Errorf("the dropped call returned %v, want a timeout", err)
		}
		if _, err := c.Call(ctx, Get{}); err != nil { // only the first is dropped
			t.Errorf("the second call: %v", err)
		}
		return noex.Stop(ctx, c, nil)
	})
	rt.ExpectSubsequence(
		noextest.Event{Kind: noex.FaultInjected, Proc: "counter", Name: "drop"},
		noextest.Event{Kind: noex.CallFailed, Proc: "main", Peer: "counter"})
}

func TestACrashReachesTheCaller(t *testing.T) {
	rt := noextest.New(t)
	rt.Faults().PanicOn("counter", 2) // no ExpectCrashes: injected crashes are expected
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		c.Cast(ctx, Add{N: 1})
		if _, err := c.Call(ctx, Get{}); !errors.Is(err, noex.ErrCrashed) {
			t.Errorf("Call = %v, want ErrCrashed", err)
		}
		return nil
	})
	rt.ExpectNotRegistered("counter") // names go with the process
}

// end listing

// listing: seeds
func TestCastsAreHandledInOrderUnderEverySeed(t *testing.T) {
	noextest.Seeds(t, 100, func(t *testing.T, rt *noextest.Runtime) {
		rt.Run(func(ctx context.Context) error {
			c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
			if err != nil {
				return err
			}
			for _, n := range []int{1, 2, 3} {
				c.Cast(ctx, Add{N: n})
			}
			return noex.Stop(ctx, c, nil)
		})
		rt.ExpectHandled("counter",
			noextest.Message{Kind: noex.KindCast, Msg: Add{N: 1}},
			noextest.Message{Kind: noex.KindCast, Msg: Add{N: 2}},
			noextest.Message{Kind: noex.KindCast, Msg: Add{N: 3}})
	})
}

// end listing

// listing: determinism
func TestCounterScenarioIsDeterministic(t *testing.T) {
	noextest.VerifyDeterminism(t, []uint64{1, 2, 3, 4, 5}, func(rt *noex.Runtime) error {
		return rt.Run(context.Background(), func(ctx context.Context) error {
			c, err := noex.Start(ctx, Counter{})
			if err != nil {
				return err
			}
			for i := range 10 {
				c.Cast(ctx, Add{N: noex.Rand(ctx).IntN(10) + i}) // runtime randomness replays
			}
			_, err = c.Call(ctx, Get{})
			return err
		})
	})
}

// end listing

// listing: real
func TestCounterInRealMode(t *testing.T) {
	rt := noextest.New(t, noextest.Real()) // goroutines and the wall clock; same checks
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		for range 100 {
			c.Cast(ctx, Add{N: 1})
		}
		if n, err := c.Call(ctx, Get{}); err != nil || n != 100 {
			t.Errorf("count = %d, %v; want 100", n, err)
		}
		return noex.Stop(ctx, c, nil)
	})
	rt.ExpectFIFO()
}

// end listing

// listing: core
// The checks work outside tests too: attach a Recorder to any runtime.
func TestChecksOutsideTheKit(t *testing.T) {
	rec := noextest.NewRecorder()
	rt := noex.NewRuntime(noex.WithSeed(7), noex.WithObserver(rec.Observe))
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		c.Cast(ctx, Add{N: 1})
		return nil // leaves the counter running
	})
	if err != nil {
		t.Fatal(err)
	}
	leaks := noextest.CheckNoLeaks(rt, rec.Raw())
	if !errors.Is(leaks, noextest.ErrLeak) {
		t.Errorf("CheckNoLeaks = %v, want the running counter", leaks)
	}
	if err := noextest.CheckFIFO(rec.Events()); err != nil {
		t.Error(err)
	}
	rt.Shutdown(context.Background())
}

// end listing

// listing: step
// Adder casts Add{N} to the counter as it starts.
type Adder struct {
	Counter noex.Ref[Get, Add, int]
	N       int
}

func (a Adder) Init(ctx context.Context) (int, error) {
	return 0, noex.Cast(ctx, a.Counter, Add{N: a.N})
}
func (a Adder) HandleCall(ctx context.Context, _ noex.None, s int) (int, int, error) {
	return s, s, nil
}
func (a Adder) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) { return s, nil }

// startAdders starts two adders that cast to one counter: the scheduler
// (here the script) decides whose Add the counter handles first.
func startAdders(ctx context.Context) error {
	c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
	if err != nil {
		return err
	}
	for _, n := range []int{1, 10} {
		if _, err := noex.Start(ctx, Adder{Counter: c, N: n}, noex.WithName(fmt.Sprintf("adder-%d", n))); err != nil {
			return err
		}
	}
	return nil
}

// twoAdders is the scenario a session steps through: one Run of
// startAdders on the session's runtime.
func twoAdders(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
	return rt.Run(ctx, startAdders)
}

func TestStepThroughTwoAdders(t *testing.T) {
	// Let main and adder-10 run first, then deliver adder-10's Add.
	s := noextest.StepThrough(t, twoAdders, "1\n1\n1\nc\n", noextest.WithSeed(1))
	if s.Err != nil || s.Quit {
		t.Fatalf("the session did not end the run: %v\n%s", s.Err, s.Transcript)
	}
	var offered []string
	for _, st := range s.Decisions[2].Steps {
		offered = append(offered, st.String())
	}
	want := []string{"adder-1 → counter: cast Add{N:1}", "adder-10 → counter: cast Add{N:10}", "resume main (start)"}
	if diff := cmp.Diff(want, offered); diff != "" {
		t.Errorf("decision 2 offered (-want +got):\n%s", diff)
	}
	// The schedule replays the run in a test runtime.
	rt := noextest.New(t, noextest.WithSeed(1), noextest.AllowLive(), noextest.WithRuntimeOptions(noex.WithSchedule(s.Schedule)))
	rt.Run(startAdders)
	rt.ExpectHandled("counter",
		noextest.Message{Kind: noex.KindCast, Msg: Add{N: 10}},
		noextest.Message{Kind: noex.KindCast, Msg: Add{N: 1}})
}

// end listing
