package noextest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// listing: counter
// Counter is the server the examples test: casts add, a call reads.
type Counter struct{}

type (
	Add struct{ N int }
	Get struct{}
)

func (Counter) Init(ctx context.Context) (int, error) { return 0, nil }
func (Counter) HandleCall(ctx context.Context, _ Get, n int) (int, int, error) {
	return n, n, nil
}
func (Counter) HandleCast(ctx context.Context, m Add, n int) (int, error) {
	if m.N < 0 {
		return n, fmt.Errorf("cannot add %d", m.N)
	}
	return n + m.N, nil
}

// end listing

// exampleT stands in for the *testing.T of a test: it prints what the kit
// reports, and done runs the cleanups that the testing package would run
// at the end of the test.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()                           {}
func (t *exampleT) Name() string                      { return "TestExample" }
func (t *exampleT) Logf(format string, args ...any)   {}
func (t *exampleT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (t *exampleT) Fatalf(format string, args ...any) { fmt.Printf("FATAL: "+format+"\n", args...) }
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// A test runtime records everything; with a fixed seed the log is the same
// on every run. When the test ends, the runtime is shut down and checked.
func Example() {
	t := &exampleT{}
	defer t.done()

	rt := noextest.New(t, noextest.WithSeed(1))
	rt.Run(func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		c.Cast(ctx, Add{N: 2})
		n, err := c.Call(ctx, Get{})
		fmt.Println("count:", n, err)
		return noex.Stop(ctx, c, nil)
	})
	rt.ExpectHandled("counter",
		noextest.Message{Kind: noex.KindCast, Msg: Add{N: 2}},
		noextest.Message{Kind: noex.KindCall, Msg: Get{}})
	fmt.Print(rt.Recorder().Text())
	// Output:
	// count: 2 <nil>
	// 1 00:00:00.000000 counter registered "counter"
	// 2 00:00:00.000000 counter started by main
	// 3 00:00:00.000000 main sent cast to counter #2 Add{N:2}
	// 4 00:00:00.000000 main sent call to counter #3 Get{}
	// 5 00:00:00.000000 counter received cast from main #2 Add{N:2} <- 3
	// 6 00:00:00.000000 counter handled cast #2 <- 5
	// 7 00:00:00.000000 counter received call from main #3 Get{} <- 4
	// 8 00:00:00.000000 counter reply to main #3 2 <- 7
	// 9 00:00:00.000000 counter handled call #3 <- 7
	// 10 00:00:00.000000 main stop to counter reason=normal
	// 11 00:00:00.000000 counter unregistered "counter"
	// 12 00:00:00.000000 counter stopped reason=normal
}

// listing: leak
// What a test that leaves a server running sees when it ends: the leak,
// the event that started it, the seed and the command that replays the run.
func Example_leak() {
	t := &exampleT{}
	rt := noextest.New(t, noextest.WithSeed(1))
	rt.Run(func(ctx context.Context) error {
		_, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		return err
	})
	t.done() // the end of the test
	// Output:
	// FAIL: [noex] end-of-test checks failed:
	// noextest: left running: process counter (p2, running, 0 queued, names ["counter"]) is still running
	//     started: 2 00:00:00.000000 counter started by main
	// [noex] seed=1 To reproduce, specify: go test ./noextest -run '^TestExample$' -noex.seed=1
	// [noex] sequence diagram:
	//   processes: main, counter
	//     main ──start──▶ counter
	//     main ──stop: shutdown──▶ counter
	//     counter: ■ stopped: shutdown
	// [noex] log (5 events):
	//     1 00:00:00.000000 counter registered "counter"
	//     2 00:00:00.000000 counter started by main
	//     3 00:00:00.000000 main stop to counter reason=shutdown
	//     4 00:00:00.000000 counter unregistered "counter"
	//     5 00:00:00.000000 counter stopped reason=shutdown
}

// end listing

// Advance moves the virtual clock; a probe receives what the timers send.
func ExampleRuntime_Advance() {
	t := &exampleT{}
	defer t.done()

	rt := noextest.New(t, noextest.WithSeed(1))
	p := rt.NewProbe()
	rt.Run(func(ctx context.Context) error {
		_, err := noex.SendAfter(ctx, p.PID(), "tick", time.Hour)
		return err
	})
	rt.Advance(59 * time.Minute)
	p.ExpectNoMsg(0)
	d, _ := rt.AdvanceNext()
	p.ExpectMsg(0, "tick")
	fmt.Println("advanced", d, "to", rt.Now().Format(time.TimeOnly))
	// Output:
	// advanced 1m0s to 01:00:00
}

// A probe stands in for a process the code under test talks to; waiting
// for its messages takes virtual time only.
func ExampleProbe() {
	t := &exampleT{}
	defer t.done()

	rt := noextest.New(t, noextest.WithSeed(1))
	p := rt.NewProbe(noextest.ProbeName("audit"),
		noextest.ProbeReplies(func(msg any) (any, error) { return "ok", nil }))
	rt.Run(func(ctx context.Context) error {
		// The code under test knows the audit log by name only.
		audit := noex.Name[string, string, string]("audit")
		audit.Cast(ctx, "login alice")
		reply, err := audit.Call(ctx, "flush")
		fmt.Println("reply:", reply, err)
		return nil
	})
	p.ExpectMsg(time.Second, "login alice")
	m := p.ExpectMsg(time.Second, "flush")
	fmt.Println(m)
	p.ExpectNoMsg(time.Minute)
	fmt.Println("now", rt.Now().Format(time.TimeOnly))
	// Output:
	// reply: ok <nil>
	// call "flush"
	// now 00:01:00
}

// CheckHappensBefore follows causality, not the order of the log: two
// servers that each handle a cast from main are concurrent.
func ExampleCheckHappensBefore() {
	t := &exampleT{}
	defer t.done()

	rt := noextest.New(t, noextest.WithSeed(1))
	rt.Run(func(ctx context.Context) error {
		a, _ := noex.Start(ctx, Counter{}, noex.WithName("a"))
		b, _ := noex.Start(ctx, Counter{}, noex.WithName("b"))
		a.Cast(ctx, Add{N: 1})
		b.Cast(ctx, Add{N: 1})
		noex.Stop(ctx, a, nil)
		return noex.Stop(ctx, b, nil)
	})
	log := rt.Events()
	sent := noextest.Event{Kind: noex.MessageSent, Peer: "a"}
	atA := noextest.Event{Kind: noex.MessageReceived, Proc: "a"}
	atB := noextest.Event{Kind: noex.MessageReceived, Proc: "b"}
	fmt.Println(noextest.CheckHappensBefore(log, sent, atA))
	err := noextest.CheckHappensBefore(log, atA, atB)
	fmt.Println(strings.SplitN(err.Error(), "\n", 2)[0])
	// Output:
	// <nil>
	// noextest: events not as expected: {Kind:received Proc:"a"} does not happen before {Kind:received Proc:"b"}: they are concurrent (neither caused the other)
}

// Faults are rules the runtime consults; each injected fault is an event.
func ExampleFaults() {
	t := &exampleT{}
	defer t.done()

	rt := noextest.New(t, noextest.WithSeed(1))
	rt.Faults().PanicOn("counter", 2) // its second message panics
	rt.Run(func(ctx context.Context) error {
		c, _ := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		c.Cast(ctx, Add{N: 1})
		_, err := c.Call(ctx, Get{})
		fmt.Println("call:", err)
		return nil
	})
	for _, e := range rt.Recorder().Raw() {
		if e.Kind == noex.FaultInjected || e.Kind == noex.ProcessCrashed {
			fmt.Println(e)
		}
	}
	// Output:
	// call: noex: call to counter: counter crashed: noextest: injected panic in counter at message 2
	// 8 00:00:00.000000 counter fault call #3 "panic" Get{} <- 7
	// 11 00:00:00.000000 counter crashed reason="noex: counter crashed: noextest: injected panic in counter at message 2"
}

// listing: determinism
// CheckDeterminism runs a scenario twice per seed and names the first
// event at which the runs differ: here a message carrying the wall clock.
func ExampleCheckDeterminism() {
	type stamp struct{ At time.Time }
	scenario := func(rt *noex.Runtime) error {
		return rt.Run(context.Background(), func(ctx context.Context) error {
			p, err := noextest.StartProbe(ctx)
			if err != nil {
				return err
			}
			noex.Send(ctx, p.PID(), stamp{At: time.Now()}) //noexvet:ignore escapes the virtual clock, for CheckDeterminism to catch
			return noex.Stop(ctx, p.PID(), nil)
		})
	}
	err := noextest.CheckDeterminism([]uint64{1, 2, 3}, scenario)
	var d *noextest.DivergenceError
	if errors.As(err, &d) {
		fmt.Println("seed", d.Seed, "diverges at event", d.Index+1, "of kind", strings.Fields(d.First)[3])
	}
	// Output:
	// seed 1 diverges at event 2 of kind sent
}

// end listing
