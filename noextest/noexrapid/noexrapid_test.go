package noexrapid_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
	"github.com/noex-go/noex/noextest/noexrapid"
)

// listing: servers
// The lost update: two clients each add to a counter by reading it with a
// call and writing it back with a cast. Nothing stops the other client's
// read from coming between a read and its write.

type (
	get struct{}
	set struct{ N int }
	hop struct{}
)

type counter struct{}

func (counter) Init(context.Context) (int, error) { return 0, nil }
func (counter) HandleCall(_ context.Context, _ get, n int) (int, int, error) {
	return n, n, nil
}
func (counter) HandleCast(_ context.Context, m set, _ int) (int, error) { return m.N, nil }

// echo answers every call; a client that calls it first starts its
// read-modify-write one round trip later than the other.
type echo struct{}

func (echo) Init(context.Context) (int, error) { return 0, nil }
func (echo) HandleCall(_ context.Context, _ hop, n int) (hop, int, error) {
	return hop{}, n, nil
}
func (echo) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// add is a client's work, run by noextest.Go: after hops round trips to
// the echo server, it reads the counter with a call and writes it back with
// a cast.
func add(cnt noex.Ref[get, set, int], ech noex.Ref[hop, noex.None, hop], by, hops int) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		for range hops {
			if _, err := ech.Call(ctx, hop{}); err != nil {
				return 0, err
			}
		}
		n, err := cnt.Call(ctx, get{}) // read
		if err != nil {
			return 0, err
		}
		if err := cnt.Cast(ctx, set{N: n + by}); err != nil { // write
			return 0, err
		}
		// Messages from one process to another are handled in order: once
		// this call returns, the write has been applied.
		return cnt.Call(ctx, get{})
	}
}

// end listing

// listing: scenario
// addTwice starts the counter and two clients that add by1 and by2, lets
// them run, and returns the counter's final value. Everything is stopped
// again.
func addTwice(ctx context.Context, by1, by2 int) (int, error) {
	cnt, err := noex.Start(ctx, counter{}, noex.WithName("counter"))
	if err != nil {
		return 0, err
	}
	ech, err := noex.Start(ctx, echo{}, noex.WithName("echo"))
	if err != nil {
		return 0, err
	}
	var clients []*noextest.Client[int]
	for i, by := range []int{by1, by2} {
		c, err := noextest.Go(ctx, add(cnt, ech, by, i), noex.WithName(fmt.Sprintf("client%d", i+1)))
		if err != nil {
			return 0, err
		}
		clients = append(clients, c)
	}
	for _, c := range clients {
		if _, err := c.Wait(ctx); err != nil {
			return 0, err
		}
	}
	n, err := cnt.Call(ctx, get{})
	if err != nil {
		return 0, err
	}
	for _, pid := range []noex.PID{cnt.PID(), ech.PID()} {
		if err := noex.Stop(ctx, pid, nil); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// end listing

// listing: property
// lostUpdate is the property: the counter ends at by1+by2.
func lostUpdate(last *result) func(*rapid.T, *noextest.Runtime) {
	return func(t *rapid.T, rt *noextest.Runtime) {
		by1 := rapid.IntRange(1, 5).Draw(t, "by1")
		by2 := rapid.IntRange(1, 5).Draw(t, "by2")
		var got int
		rt.Run(func(ctx context.Context) (err error) {
			got, err = addTwice(ctx, by1, by2)
			return err
		})
		*last = result{seed: rt.Seed(), schedule: rt.Schedule(), by1: by1, by2: by2, got: got}
		if got != by1+by2 {
			t.Fatalf("lost update: the counter is %d, want %d+%d; schedule %q", got, by1, by2, rt.Schedule())
		}
	}
}

type result struct {
	seed          uint64
	schedule      string
	by1, by2, got int
}

// end listing

// listing: test
func TestRapidFindsAndShrinksTheLostUpdate(t *testing.T) {
	setFlag(t, "rapid.nofailfile", "true") // no testdata/rapid files from this test
	var last result
	// The uniform strategy draws each choice itself, so its runs shrink to
	// the fewest deviations from the natural order.
	ft := runRapidT(t.Name(), func(ft *fakeRapidT) {
		noexrapid.Check(ft, lostUpdate(&last), noextest.WithStrategy("random"))
	})
	out := ft.output()
	if !ft.Failed() {
		t.Fatalf("rapid did not find the lost update:\n%s", out)
	}
	// rapid shrank the failing case: the smallest inputs, and a schedule of
	// few deviations from the natural order.
	if last.by1 != 1 || last.by2 != 1 || last.got != 1 {
		t.Errorf("shrunk to by1=%d by2=%d got=%d, want 1, 1 and the lost update 1", last.by1, last.by2, last.got)
	}
	// (A random schedule deviates at most of the run's scheduling
	// decisions, and no schedule with fewer than three deviations loses the
	// update, so three is the minimum.)
	t.Logf("rapid shrank the lost update to schedule %q", last.schedule)
	if n := len(strings.Split(last.schedule, ",")); last.schedule == "" || n > 3 {
		t.Errorf("shrunk to schedule %q, want at most three deviations", last.schedule)
	}
	wantContains(t, "rapid's report", out, "[rapid] failed after", "-rapid.seed=",
		fmt.Sprintf("lost update: the counter is 1, want 1+1; schedule %q", last.schedule),
		fmt.Sprintf("[noex] seed=%d schedule=%q (choices from a Chooser). To replay the run: noex.WithSeed(%d), noex.WithSchedule(%q)",
			last.seed, last.schedule, last.seed, last.schedule))

	// The schedule replays the lost update exactly, without rapid ...
	replay := func(schedule string) int {
		rt := noex.NewRuntime(noex.WithSeed(last.seed), noex.WithSchedule(schedule))
		defer rt.Shutdown(context.Background())
		var got int
		if err := rt.Run(context.Background(), func(ctx context.Context) (err error) {
			got, err = addTwice(ctx, 1, 1)
			return err
		}); err != nil {
			t.Fatalf("replay %q: %v", schedule, err)
		}
		if s := rt.Schedule(); s != schedule {
			t.Errorf("the replay made the choices %q, want %q", s, schedule)
		}
		return got
	}
	if got := replay(last.schedule); got != 1 {
		t.Errorf("replaying %q gave %d, want the lost update (1)", last.schedule, got)
	}
	// ... and without the deviation, in the natural order, nothing is lost.
	if got := replay(""); got != 2 {
		t.Errorf("the natural order gave %d, want 2", got)
	}
}

// end listing

// By default rapid draws the strategy from the portfolio; whichever finds
// the lost update, the shrunk case is printed with a schedule that replays
// it exactly.
func TestPortfolioFindsTheLostUpdate(t *testing.T) {
	setFlag(t, "rapid.nofailfile", "true")
	setFlag(t, "rapid.checks", "300")
	for range 5 {
		var last result
		ft := runRapidT(t.Name(), func(ft *fakeRapidT) { noexrapid.Check(ft, lostUpdate(&last)) })
		if !ft.Failed() {
			t.Fatalf("rapid did not find the lost update:\n%s", ft.output())
		}
		rt := noex.NewRuntime(noex.WithSeed(last.seed), noex.WithSchedule(last.schedule))
		var got int
		if err := rt.Run(context.Background(), func(ctx context.Context) (err error) {
			got, err = addTwice(ctx, last.by1, last.by2)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		must(t, rt.Shutdown(context.Background()))
		if got != last.got || got == last.by1+last.by2 {
			t.Errorf("replaying %q gave %d; the shrunk case lost the update with %d", last.schedule, got, last.got)
		}
	}
}

func TestCheckPasses(t *testing.T) {
	// With the clients serialized (the second starts once the first is
	// done), no schedule loses an update.
	noexrapid.Check(t, func(t *rapid.T, rt *noextest.Runtime) {
		by := rapid.IntRange(1, 5).Draw(t, "by")
		var got int
		rt.Run(func(ctx context.Context) error {
			cnt, err := noex.Start(ctx, counter{})
			if err != nil {
				return err
			}
			for range 2 { // one client after the other
				c, err := noextest.Go(ctx, add(cnt, noex.Ref[hop, noex.None, hop]{}, by, 0))
				if err != nil {
					return err
				}
				if _, err := c.Wait(ctx); err != nil {
					return err
				}
			}
			got, err = cnt.Call(ctx, get{})
			if err != nil {
				return err
			}
			return noex.Stop(ctx, cnt, nil)
		})
		rt.ExpectFIFO()
		if got != 2*by {
			t.Fatalf("got %d, want %d", got, 2*by)
		}
	})
}

func TestEndOfRunChecksFailTheProperty(t *testing.T) {
	setFlag(t, "rapid.nofailfile", "true")
	ft := runRapidT(t.Name(), func(ft *fakeRapidT) {
		noexrapid.Check(ft, func(t *rapid.T, rt *noextest.Runtime) {
			rt.Run(func(ctx context.Context) error {
				_, err := noex.Start(ctx, counter{}, noex.WithName("left-behind"))
				return err
			})
		})
	})
	if !ft.Failed() {
		t.Fatalf("a leaked process did not fail the property")
	}
	wantContains(t, "rapid's report", ft.output(), "[rapid] failed after 0 tests",
		"process left-behind", "is still running", "(choices from a Chooser)")
}

func TestChooserOutsideTheKit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rt := noex.NewRuntime(noex.WithSeed(1), noex.WithChooser(noexrapid.NewChooser(t)))
		defer rt.Shutdown(context.Background())
		var got int
		if err := rt.Run(context.Background(), func(ctx context.Context) (err error) {
			got, err = addTwice(ctx, 1, 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got != 1 && got != 2 || rt.Decisions() == 0 {
			t.Fatalf("the counter is %d after %d decisions", got, rt.Decisions())
		}
	})
}

// setFlag sets a flag for the duration of the test.
func setFlag(t *testing.T, name, value string) {
	old := flag.Lookup(name).Value.String()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set(name, old) })
}

// fakeRapidT is a rapid.TB that records instead of failing, so that a test
// can run a failing rapid.Check and look at what it reports.
type fakeRapidT struct {
	name   string
	mu     sync.Mutex
	lines  []string
	failed bool
}

var _ rapid.TB = (*fakeRapidT)(nil)

func (f *fakeRapidT) record(failed bool, s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, s)
	f.failed = f.failed || failed
}
func (f *fakeRapidT) Helper()                         {}
func (f *fakeRapidT) Name() string                    { return f.name }
func (f *fakeRapidT) Logf(format string, args ...any) { f.record(false, fmt.Sprintf(format, args...)) }
func (f *fakeRapidT) Log(args ...any)                 { f.record(false, fmt.Sprint(args...)) }
func (f *fakeRapidT) Skipf(format string, args ...any) {
	f.record(false, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (f *fakeRapidT) Skip(args ...any)                  { f.record(false, fmt.Sprint(args...)); runtime.Goexit() }
func (f *fakeRapidT) SkipNow()                          { runtime.Goexit() }
func (f *fakeRapidT) Errorf(format string, args ...any) { f.record(true, fmt.Sprintf(format, args...)) }
func (f *fakeRapidT) Error(args ...any)                 { f.record(true, fmt.Sprint(args...)) }
func (f *fakeRapidT) Fatalf(format string, args ...any) {
	f.record(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (f *fakeRapidT) Fatal(args ...any) { f.record(true, fmt.Sprint(args...)); runtime.Goexit() }
func (f *fakeRapidT) FailNow()          { f.record(true, ""); runtime.Goexit() }
func (f *fakeRapidT) Fail()             { f.record(true, "") }
func (f *fakeRapidT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
func (f *fakeRapidT) output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.lines, "\n")
}

// runRapidT runs body on a fresh fakeRapidT in its own goroutine, as the
// testing package runs a test (FailNow ends it).
func runRapidT(name string, body func(*fakeRapidT)) *fakeRapidT {
	f := &fakeRapidT{name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(f)
	}()
	<-done
	return f
}

func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not contain %q; it is:\n%s", what, s, text)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
