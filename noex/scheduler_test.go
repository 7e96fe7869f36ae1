package noex_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"pgregory.net/rapid"
)

// scenario is a multi-process system: nested calls, casts from several
// senders, timers, sleeps and a crash.
type scenario struct {
	servers, clients, msgs int
	crashAt                int
}

func (sc scenario) run(ctx context.Context) error {
	var servers []ref
	for i := 0; i < sc.servers; i++ {
		r, err := noex.Start(ctx, &testSrv{}, noex.WithName(fmt.Sprintf("s%d", i)))
		if err != nil {
			return err
		}
		servers = append(servers, r)
	}
	for c := 0; c < sc.clients; c++ {
		if _, err := noex.Start(ctx, &burst{servers: servers, n: sc.msgs, id: c}); err != nil {
			return err
		}
	}
	for i, s := range servers {
		if _, err := noex.SendAfter(ctx, s, "tick", time.Duration(i+1)*time.Millisecond); err != nil {
			return err
		}
		if _, err := noex.Call(ctx, s, op{kind: "call", to: servers[(i+1)%len(servers)].PID()}); err != nil {
			return err
		}
	}
	noex.Sleep(ctx, 50*time.Millisecond)
	if sc.crashAt < len(servers) {
		noex.Cast(ctx, servers[sc.crashAt], op{kind: "panic"})
	}
	return nil
}

// burst casts n messages to every server, with sleeps in between.
type burst struct {
	servers []ref
	n, id   int
}

func (b *burst) Init(ctx context.Context) (int, error) {
	return 0, noex.Cast(ctx, noex.RefOf[noex.None, string, noex.None](noex.Self(ctx)), "go")
}
func (b *burst) HandleCall(ctx context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (b *burst) HandleCast(ctx context.Context, _ string, s int) (int, error) {
	for i := 0; i < b.n; i++ {
		for _, srv := range b.servers {
			noex.Cast(ctx, srv, op{kind: "add", n: b.id*1000 + i})
		}
		if noex.Rand(ctx).IntN(3) == 0 {
			noex.Sleep(ctx, time.Duration(noex.Rand(ctx).IntN(5))*time.Millisecond)
		}
	}
	return s, nil
}

func eventLog(_ any, opts []noex.Option, body func(ctx context.Context) error) (string, error) {
	rt := noex.NewRuntime(opts...)
	var b strings.Builder
	rt.Observe(func(e noex.Event) { b.WriteString(e.String()); b.WriteByte('\n') })
	ctx := context.Background()
	err := rt.Run(ctx, body)
	if serr := rt.Shutdown(ctx); serr != nil && err == nil {
		err = serr
	}
	return b.String(), err
}

// The contract: the same seed gives the same event log, byte for byte.
func TestSameSeedSameLog(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		sc := scenario{
			servers: rapid.IntRange(2, 4).Draw(t, "servers"),
			clients: rapid.IntRange(1, 3).Draw(t, "clients"),
			msgs:    rapid.IntRange(1, 5).Draw(t, "msgs"),
			crashAt: rapid.IntRange(0, 5).Draw(t, "crashAt"),
		}
		a, errA := eventLog(t, []noex.Option{noex.WithSeed(seed)}, sc.run)
		b, errB := eventLog(t, []noex.Option{noex.WithSeed(seed)}, sc.run)
		if errA != nil || errB != nil {
			t.Fatalf("runs failed: %v / %v", errA, errB)
		}
		if a != b {
			t.Fatalf("seed %d: logs differ at %s", seed, firstDiff(a, b))
		}
	})
}

func TestSameSeedSameLogAcrossGOMAXPROCS(t *testing.T) {
	sc := scenario{servers: 3, clients: 3, msgs: 4, crashAt: 1}
	want, err := eventLog(t, []noex.Option{noex.WithSeed(77)}, sc.run)
	must(t, err)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4, 8} {
		runtime.GOMAXPROCS(procs)
		got, err := eventLog(t, []noex.Option{noex.WithSeed(77)}, sc.run)
		must(t, err)
		if got != want {
			t.Errorf("GOMAXPROCS=%d: log differs at %s", procs, firstDiff(want, got))
		}
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("length %d vs %d lines", len(la), len(lb))
}

// Two senders into one receiver: across seeds at least two interleavings
// occur, and every seed keeps each sender's messages in order.
func TestInterleavingsVaryPerPairFIFOHolds(t *testing.T) {
	orders := map[string]bool{}
	for seed := uint64(1); seed <= 50; seed++ {
		rt := newRT(t, noex.WithSeed(seed))
		var seen []int
		run(t, rt, func(ctx context.Context) error {
			sinkRef, err := noex.Start(ctx, sink{})
			if err != nil {
				return err
			}
			sink := noex.RefOf[op, op, int](sinkRef.PID()) // burst only casts op values
			for c := 1; c <= 2; c++ {
				if _, err := noex.Start(ctx, &burst{servers: []ref{sink}, n: 4, id: c}); err != nil {
					return err
				}
			}
			noex.Sleep(ctx, time.Second)
			seen, err = noex.Call(ctx, sinkRef, seenReq{})
			return err
		})
		last := map[int]int{1: -1, 2: -1}
		for _, v := range seen {
			sender, i := v/1000, v%1000
			if i != last[sender]+1 {
				t.Fatalf("seed %d: sender %d's messages out of order: %v", seed, sender, seen)
			}
			last[sender] = i
		}
		orders[fmt.Sprint(seen)] = true
	}
	if len(orders) < 2 {
		t.Errorf("50 seeds gave %d interleaving(s); want at least 2", len(orders))
	}
}

// sink records the values of the casts it handles, in order.
type sink struct{}
type seenReq struct{}

func (sink) Init(ctx context.Context) ([]int, error) { return nil, nil }
func (sink) HandleCall(ctx context.Context, _ seenReq, s []int) ([]int, []int, error) {
	return s, s, nil
}
func (sink) HandleCast(ctx context.Context, o op, s []int) ([]int, error) { return append(s, o.n), nil }

func TestVirtualClockTiesAreOrderedBySeed(t *testing.T) {
	orders := map[string]bool{}
	for seed := uint64(1); seed <= 30; seed++ {
		rt := newRT(t, noex.WithSeed(seed))
		got := make(chan string, 3)
		run(t, rt, func(ctx context.Context) error {
			c := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
				got <- msg.(string)
				return s, nil
			}})
			for _, m := range []string{"a", "b", "c"} {
				if _, err := noex.SendAfter(ctx, c, m, time.Second); err != nil {
					return err
				}
			}
			return noex.Sleep(ctx, 2*time.Second)
		})
		orders[<-got+<-got+<-got] = true
	}
	if len(orders) < 2 {
		t.Errorf("timers due at the same instant fired in %d order(s) over 30 seeds; want several", len(orders))
	}
}

func TestEscapeIsReportedWithProcessAndStack(t *testing.T) {
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithWatchdog(40*time.Millisecond))
	release := make(chan struct{})
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		c, err := noex.Start(ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
			<-release // blocks outside the runtime
			return s, nil
		}}, noex.WithName("escaper"))
		if err != nil {
			return err
		}
		noex.Send(ctx, c, "block")
		return noex.Sleep(ctx, time.Second)
	})
	close(release)
	var esc *noex.EscapeError
	if !errors.As(err, &esc) || !errors.Is(err, noex.ErrEscape) {
		t.Fatalf("err = %v; want an *EscapeError", err)
	}
	if esc.Process != "escaper" || !strings.Contains(esc.Stack, "TestEscapeIsReported") || !strings.Contains(err.Error(), "hint") {
		t.Errorf("escape report lacks process name, stack or hint: %v", err)
	}
	if err := rt.Run(context.Background(), func(ctx context.Context) error { return nil }); err == nil {
		t.Error("a failed runtime accepted another Run")
	}
	rt.Shutdown(context.Background())
}

func TestDeadlockReportsWaitForCycle(t *testing.T) {
	rt := noex.NewRuntime(noex.WithSeed(1))
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		root := noex.Self(ctx)
		a, err := noex.Start(ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
			_, err := noex.Wait(ctx, root) // a waits for main...
			return s, err
		}}, noex.WithName("a"))
		if err != nil {
			return err
		}
		noex.Send(ctx, a, "wait for main")
		_, err = noex.Wait(ctx, a) // ...while main waits for a
		return err
	})
	var dl *noex.DeadlockError
	if !errors.As(err, &dl) {
		t.Fatalf("err = %v; want a *DeadlockError", err)
	}
	cycle := strings.Join(dl.Cycle, "; ")
	if !strings.Contains(cycle, "main waits for a") || !strings.Contains(cycle, "a waits for main") {
		t.Errorf("cycle = %q; want both edges", cycle)
	}
	rt.Shutdown(context.Background())
}

func TestScheduleReplaysExactly(t *testing.T) {
	sc := scenario{servers: 2, clients: 2, msgs: 3, crashAt: 9}
	rt := noex.NewRuntime(noex.WithSeed(123))
	var b strings.Builder
	rt.Observe(func(e noex.Event) { b.WriteString(e.String() + "\n") })
	must(t, rt.Run(context.Background(), sc.run))
	sched := rt.Schedule()
	must(t, rt.Shutdown(context.Background()))
	if sched == "" {
		t.Fatal("a seeded run of a concurrent scenario recorded no deviation from the natural order")
	}
	// Shutdown's own decisions come after the run's; replay covers both.
	replayed, err := eventLog(t, []noex.Option{noex.WithSeed(123), noex.WithSchedule(sched)}, sc.run)
	must(t, err)
	original := b.String()
	if !strings.HasPrefix(replayed, original) {
		t.Errorf("replayed log differs: %s", firstDiff(original, replayed))
	}
	natural, err := eventLog(t, []noex.Option{noex.WithSeed(123), noex.WithSchedule("")}, sc.run)
	must(t, err)
	zero, err := eventLog(t, []noex.Option{noex.WithSeed(123), noex.WithChooser(zeroChooser{})}, sc.run)
	must(t, err)
	if natural != zero {
		t.Errorf("the empty schedule is not the natural order: %s", firstDiff(natural, zero))
	}
	if _, err := eventLog(t, []noex.Option{noex.WithSchedule("x:y")}, sc.run); !errors.Is(err, noex.ErrSchedule) {
		t.Errorf("malformed schedule: %v; want ErrSchedule", err)
	}
	if _, err := eventLog(t, []noex.Option{noex.WithSchedule("0:99")}, sc.run); !errors.Is(err, noex.ErrSchedule) {
		t.Errorf("impossible choice: %v; want ErrSchedule", err)
	}
}

type zeroChooser struct{}

func (zeroChooser) Choose(int) int { return 0 }

// When a run is aborted, every parked goroutine unwinds at once; none of them
// may touch the scheduler's state (this raced before, under -race).
func TestAbortedRunUnwindsCleanly(t *testing.T) {
	rt := noex.NewRuntime(noex.WithSeed(1))
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		waitFor := func(peer string) func(ctx context.Context, msg any, s srvState) (srvState, error) {
			return func(ctx context.Context, msg any, s srvState) (srvState, error) {
				_, err := noex.Wait(ctx, noex.Name[op, op, int](peer))
				return s, err
			}
		}
		a, _ := noex.Start(ctx, &testSrv{info: waitFor("b")}, noex.WithName("a"))
		b, _ := noex.Start(ctx, &testSrv{info: waitFor("a")}, noex.WithName("b"))
		noex.Send(ctx, a, "go")
		noex.Send(ctx, b, "go")
		_, err := noex.Wait(ctx, a)
		return err
	})
	if !errors.Is(err, noex.ErrDeadlock) {
		t.Fatalf("err = %v; want a deadlock", err)
	}
	rt.Shutdown(context.Background())
}
