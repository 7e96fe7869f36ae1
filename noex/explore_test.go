package noex_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// collector keeps what it is cast; on "relay" it casts its payload on.
type collector struct{}

type relayTo struct {
	To  noex.Ref[noex.None, any, []any]
	Msg any
}

func (collector) Init(context.Context) ([]any, error) { return nil, nil }
func (collector) HandleCall(_ context.Context, _ noex.None, s []any) ([]any, []any, error) {
	return s, s, nil
}
func (collector) HandleInfo(_ context.Context, m any, s []any) ([]any, error) {
	return append(s, m), nil
}
func (collector) HandleCast(ctx context.Context, m any, s []any) ([]any, error) {
	if r, ok := m.(relayTo); ok {
		return s, noex.Cast(ctx, r.To, r.Msg)
	}
	return append(s, m), nil
}

type colRef = noex.Ref[noex.None, any, []any]

func startCollectors(ctx context.Context, n int) ([]colRef, error) {
	var refs []colRef
	for range n {
		r, err := noex.Start(ctx, collector{})
		if err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, nil
}

// explore runs scenario under Explore, each run in a fresh runtime (seed 1)
// that is shut down afterwards; scenario returns its verdict.
func explore(t *testing.T, scenario func(ctx context.Context, rt *noex.Runtime) error, opts ...noex.ExploreOption) noex.ExploreResult {
	t.Helper()
	return noex.Explore(func(xopts ...noex.Option) error {
		rt := noex.NewRuntime(append([]noex.Option{noex.WithSeed(1)}, xopts...)...)
		err := scenario(context.Background(), rt)
		if serr := rt.Shutdown(context.Background()); serr != nil && err == nil {
			err = serr
		}
		return err
	}, opts...)
}

// Three messages to three processes commute: one schedule with the
// reduction, 3! = 6 without.
func TestExploreIndependentDeliveries(t *testing.T) {
	scenario := func(ctx context.Context, rt *noex.Runtime) error {
		return rt.Run(ctx, func(ctx context.Context) error {
			refs, err := startCollectors(ctx, 3)
			if err != nil {
				return err
			}
			for i, r := range refs {
				noex.Cast(ctx, r, any(i))
			}
			return nil
		})
	}
	if got := explore(t, scenario); !got.Complete || got.Schedules != 1 || got.Pruned != 0 {
		t.Errorf("with reduction: %v (pruned %d); want 1 schedule, complete", got, got.Pruned)
	}
	if got := explore(t, scenario, noex.WithoutReduction()); !got.Complete || got.Schedules != 6 {
		t.Errorf("without reduction: %v; want 6 schedules, complete", got)
	}
}

// Two processes each relay a message to one sink when main tells them to.
// The events are: a and b each handle main's "go" (ga, gb), the sink
// handles a's and b's messages (sa, sb), with ga before sa and gb before
// sb: 4!/(2·2) = 6 interleavings, of which only the sink's order matters:
// two schedules.
func TestExploreTwoSendersOneReceiver(t *testing.T) {
	var orders sortedSet // runs go on in parallel
	scenario := func(ctx context.Context, rt *noex.Runtime) error {
		var sink colRef
		err := rt.Run(ctx, func(ctx context.Context) error {
			refs, err := startCollectors(ctx, 3)
			if err != nil {
				return err
			}
			sink = refs[0]
			noex.Cast(ctx, refs[1], any(relayTo{To: sink, Msg: "a"}))
			noex.Cast(ctx, refs[2], any(relayTo{To: sink, Msg: "b"}))
			return nil
		})
		if err != nil {
			return err
		}
		return readSink(ctx, rt, sink, &orders)
	}
	if got := explore(t, scenario); !got.Complete || got.Schedules != 2 {
		t.Errorf("with reduction: %v; want 2 schedules, complete", got)
	}
	if got := orders.String(); got != "[a b] [b a]" {
		t.Errorf("the sink saw %v; want both orders, once each", got)
	}
	if got := explore(t, scenario, noex.WithoutReduction()); !got.Complete || got.Schedules != 6 {
		t.Errorf("without reduction: %v; want 6 schedules, complete", got)
	}
}

// Explore finds an order-dependent failure and its schedule replays it.
func TestExploreFindsAndReplays(t *testing.T) {
	scenario := func(ctx context.Context, rt *noex.Runtime) error {
		var sink colRef
		if err := rt.Run(ctx, func(ctx context.Context) error {
			refs, err := startCollectors(ctx, 3)
			sink = refs[0]
			noex.Cast(ctx, refs[1], any(relayTo{To: sink, Msg: "a"}))
			noex.Cast(ctx, refs[2], any(relayTo{To: sink, Msg: "b"}))
			return err
		}); err != nil {
			return err
		}
		return rt.Run(ctx, func(ctx context.Context) error {
			got, err := noex.Call(ctx, sink, noex.None{})
			if err == nil && got[0] == "b" {
				err = errors.New("b came first")
			}
			return err
		})
	}
	res := explore(t, scenario)
	if res.Err == nil || res.Err.Error() != "b came first" || res.Schedule == "" {
		t.Fatalf("Explore = %v; want the failure with its schedule", res)
	}
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithSchedule(res.Schedule))
	if err := scenario(context.Background(), rt); err == nil || err.Error() != "b came first" {
		t.Errorf("replaying %q: %v; want the same failure", res.Schedule, err)
	}
	must(t, rt.Shutdown(context.Background()))
	again := explore(t, scenario)
	if again.Schedule != res.Schedule || again.Schedules != res.Schedules {
		t.Errorf("a second exploration gave %v; the first %v", again, res)
	}
}

// Timers due at the same instant are a choice: the sink gets both orders.
func TestExploreTimerTie(t *testing.T) {
	var orders sortedSet
	scenario := func(ctx context.Context, rt *noex.Runtime) error {
		var sink colRef
		if err := rt.Run(ctx, func(ctx context.Context) error {
			refs, err := startCollectors(ctx, 1)
			if err != nil {
				return err
			}
			sink = refs[0]
			noex.SendAfter(ctx, sink, "x", time.Second)
			noex.SendAfter(ctx, sink, "y", time.Second)
			return noex.Sleep(ctx, 2*time.Second)
		}); err != nil {
			return err
		}
		return readSink(ctx, rt, sink, &orders)
	}
	if got := explore(t, scenario); !got.Complete || got.Schedules != 2 {
		t.Errorf("%v; want 2 schedules, complete", got)
	}
	if got := orders.String(); got != "[x y] [y x]" {
		t.Errorf("the sink saw %v; want both orders of the tie", got)
	}
}

func TestExploreBounds(t *testing.T) {
	scenario := func(ctx context.Context, rt *noex.Runtime) error {
		return rt.Run(ctx, func(ctx context.Context) error {
			refs, err := startCollectors(ctx, 4)
			for _, r := range refs[1:] {
				noex.Cast(ctx, r, any(relayTo{To: refs[0], Msg: 1}))
			}
			return err
		})
	}
	full := explore(t, scenario)
	if !full.Complete || full.Schedules != 6 {
		t.Fatalf("%v; want the 3! orders of the sink's three messages", full)
	}
	for _, c := range []struct {
		opt   noex.ExploreOption
		want  string
		count int
	}{
		{noex.MaxSchedules(4), "bound reached after 4 schedules (4 runs)", 4},
		{noex.MaxDelays(0), "bound reached after 1 schedule (0 delays)", 1},
		{noex.MaxSteps(3), "bound reached after 1 schedule (3 steps in a run)", 1},
	} {
		got := explore(t, scenario, c.opt)
		if got.String() != c.want || got.Complete {
			t.Errorf("got %q; want %q", got, c.want)
		}
	}
}

// A scenario that does something else each time it runs cannot be
// explored; Explore says so instead of counting nonsense.
func TestExploreNondeterministicScenario(t *testing.T) {
	var runs atomic.Int32
	res := explore(t, func(ctx context.Context, rt *noex.Runtime) error {
		n := runs.Add(1)
		return rt.Run(ctx, func(ctx context.Context) error {
			refs, err := startCollectors(ctx, 1+int(n)%2)
			for _, r := range refs {
				noex.Cast(ctx, r, any(relayTo{To: refs[0], Msg: 1}))
			}
			return err
		})
	})
	if !errors.Is(res.Err, noex.ErrNotDeterministic) || !strings.HasPrefix(res.String(), "stopped after ") {
		t.Errorf("%v; want an error saying the scenario must be deterministic", res)
	}
}

// Runs are made in parallel batches; the result does not depend on the
// number of cores.
func TestExploreSameResultOnAnyNumberOfCores(t *testing.T) {
	sc := scenario{servers: 2, clients: 2, msgs: 1, crashAt: 5}
	explorer := func() noex.ExploreResult {
		return explore(t, func(ctx context.Context, rt *noex.Runtime) error { return rt.Run(ctx, sc.run) },
			noex.MaxSchedules(300))
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	want := explorer()
	if want.Schedules < 50 {
		t.Fatalf("%v; want a search of some size", want)
	}
	for _, procs := range []int{2, 4} {
		runtime.GOMAXPROCS(procs)
		if got := explorer(); got != want {
			t.Errorf("GOMAXPROCS=%d: %+v; with 1: %+v", procs, got, want)
		}
	}
}

// sortedSet collects strings from parallel runs.
// readSink asks the sink what it collected, in a Run of its own, and adds
// the order to orders.
func readSink(ctx context.Context, rt *noex.Runtime, sink colRef, orders *sortedSet) error {
	return rt.Run(ctx, func(ctx context.Context) error {
		got, err := noex.Call(ctx, sink, noex.None{})
		orders.add(fmt.Sprint(got))
		return err
	})
}

type sortedSet struct {
	mu sync.Mutex
	s  []string
}

func (s *sortedSet) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s = append(s.s, v)
}

func (s *sortedSet) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.s)
	slices.Sort(out)
	return strings.Join(out, " ")
}

// nester handles a call by first calling the process named "inner" (a
// nested call), then recording the caller's message.
type nester struct{}

func (nester) Init(context.Context) ([]string, error) { return nil, nil }
func (nester) HandleCall(ctx context.Context, who string, log []string) ([]string, []string, error) {
	if who == "?" {
		return log, log, nil
	}
	if _, err := noex.Call(ctx, noex.Name[noex.None, any, []any]("inner"), noex.None{}); err != nil {
		return log, log, err
	}
	log = append(log, who)
	return log, log, nil
}
func (nester) HandleCast(_ context.Context, _ noex.None, log []string) ([]string, error) {
	return log, nil
}

// callerOf calls the nester with its name when kicked.
type callerOf struct{ name string }

func (c callerOf) Init(context.Context) (int, error) { return 0, nil }
func (c callerOf) HandleCall(_ context.Context, _ noex.None, s int) (int, int, error) {
	return s, s, nil
}
func (c callerOf) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) {
	_, err := noex.Call(ctx, noex.Name[string, noex.None, []string]("s"), c.name)
	return s, err
}

// Two clients call a server whose handler makes a nested call: the
// server's steps between the two deliveries (its resumption after the
// nested call) must not hide that the deliveries race. Two schedules: a's
// call first, or b's.
func TestExploreRaceBehindANestedCall(t *testing.T) {
	var orders sortedSet
	res := explore(t, func(ctx context.Context, rt *noex.Runtime) error {
		var s noex.Ref[string, noex.None, []string]
		if err := rt.Run(ctx, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, collector{}, noex.WithName("inner")); err != nil {
				return err
			}
			var err error
			if s, err = noex.Start(ctx, nester{}, noex.WithName("s")); err != nil {
				return err
			}
			for _, name := range []string{"a", "b"} {
				c, err := noex.Start(ctx, callerOf{name: name})
				if err != nil {
					return err
				}
				noex.Cast(ctx, c, noex.None{})
			}
			return nil
		}); err != nil {
			return err
		}
		return rt.Run(ctx, func(ctx context.Context) error {
			got, err := noex.Call(ctx, s, "?")
			orders.add(fmt.Sprint(got))
			return err
		})
	})
	if !res.Complete || res.Schedules != 2 {
		t.Errorf("%v; want 2 schedules, complete", res)
	}
	if got := orders.String(); got != "[a b] [b a]" {
		t.Errorf("the server saw %v; want both orders", got)
	}
}

// appender appends its name to a slice the processes share outside the
// runtime, declaring it with Touch when touch is set.
type appender struct {
	name  string
	touch bool
	mu    *sync.Mutex
	log   *[]string
}

func (a appender) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (a appender) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return noex.None{}, s, nil
}

func (a appender) HandleCast(ctx context.Context, _ noex.None, s noex.None) (noex.None, error) {
	if a.touch {
		noex.RuntimeOf(ctx).Touch("log")
	}
	a.mu.Lock()
	*a.log = append(*a.log, a.name)
	a.mu.Unlock()
	return s, nil
}

// State shared outside the runtime is invisible to the reduction unless it
// is declared: three appends to one slice are one schedule, or 3! = 6 with
// Touch, and only then are the other orders of the appends run.
func TestExploreTouch(t *testing.T) {
	for _, touch := range []bool{false, true} {
		var orders []string
		var mu sync.Mutex // guards orders: runs are made in parallel
		scenario := func(ctx context.Context, rt *noex.Runtime) error {
			var lmu sync.Mutex
			var log []string
			err := rt.Run(ctx, func(ctx context.Context) error {
				for _, name := range []string{"a", "b", "c"} {
					ref, err := noex.Start(ctx, appender{name: name, touch: touch, mu: &lmu, log: &log})
					if err != nil {
						return err
					}
					if err := noex.Cast(ctx, ref, noex.None{}); err != nil {
						return err
					}
				}
				return nil
			})
			mu.Lock()
			orders = append(orders, strings.Join(log, ""))
			mu.Unlock()
			return err
		}
		res := explore(t, scenario)
		want := 1
		if touch {
			want = 6
		}
		if !res.Complete || res.Schedules != want {
			t.Errorf("touch=%v: %v; want %d schedules, complete", touch, res, want)
		}
		slices.Sort(orders)
		if got := len(slices.Compact(orders)); got != want {
			t.Errorf("touch=%v: %d distinct orders of the appends (%q), want %d", touch, got, orders, want)
		}
	}
}

// Touch does nothing outside an exploration, in either mode.
func TestTouchOutsideExplore(t *testing.T) {
	for _, rt := range []*noex.Runtime{noex.NewRuntime(), noex.NewRuntime(noex.WithSeed(1))} {
		err := rt.Run(context.Background(), func(ctx context.Context) error {
			rt.Touch("anything")
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		rt.Touch("after the run")
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}
}

// A user's mistake in the scenario itself fails the search, never the
// program: a nil scenario, a panic or a Goexit outside the runtime.
func TestExploreScenarioMistakes(t *testing.T) {
	res := noex.Explore(nil)
	if !errors.Is(res.Err, noex.ErrBadOption) || !strings.HasPrefix(res.String(), "not run: ") {
		t.Errorf("Explore(nil) = %v, want ErrBadOption", res)
	}
	for _, c := range []struct {
		name string
		end  func()
		want string
	}{
		{"panic", func() { panic("setup went wrong") }, "the explored scenario panicked: setup went wrong"},
		{"Goexit", runtime.Goexit, "the explored scenario called runtime.Goexit"},
	} {
		res := noex.Explore(func(opts ...noex.Option) error {
			rt := noex.NewRuntime(append([]noex.Option{noex.WithSeed(1)}, opts...)...)
			defer rt.Shutdown(context.Background())
			c.end()
			return nil
		})
		if res.Err == nil || !strings.Contains(res.Err.Error(), c.want) || res.Schedules != 1 {
			t.Errorf("%s: %v, want the first schedule failing with %q", c.name, res, c.want)
		}
	}
}
