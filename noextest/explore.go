package noextest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/noex-go/noex/noex"
)

// Explore runs scenario under every distinct schedule of the deterministic
// runtime, once each ([noex.Explore]: schedules that differ only in the
// order of steps that commute count once), and proves it correct when none
// fails. Each run gets a fresh kit runtime (configured by opts; its seed,
// for [noex.Rand], is the same in every run: -noex.seed's, else NOEX_SEED's,
// else 1) and a TB of its own: the scenario fails a run with Errorf or
// Fatalf, and the run's end-of-test checks (leaks, crashes, handler errors)
// fail it too.
//
// Explore ends with exactly one of:
//
//	[noex] explored: 12 schedules, all passed (complete)
//	[noex] explored: bound reached after 99000 schedules and 1000 pruned runs (100000 runs); not every schedule was run (see Bounds)
//	[noex] explored: schedule 7 failed: …
//
// logged on t (the first two) or reported as t's failure (the last), with
// what the failing run reported, the command that replays it, and why it
// fails: the schedule shrunk to its fewest departures from the natural
// order, the departure that decides the failure, and the causal slice of
// the failure. With -noex.schedule set, Explore runs that one schedule
// instead, as the replay command does. Bounds: [Bounds]. Under -v a
// progress line is logged every 1000 runs.
func Explore(t *testing.T, scenario func(t TB, rt *Runtime), opts ...Option) {
	t.Helper()
	if scenario == nil {
		t.Fatalf("[noex] Explore: the scenario is nil")
		return
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	seed := uint64(1)
	if cfg.hasSeed {
		seed = cfg.seed
	} else if s, src, err := defaultSeed(); err != nil {
		t.Fatalf("%v", err)
		return
	} else if src != seedRandom {
		seed = s
	}
	if *scheduleFlag != "" {
		// The replay command: the one schedule, as an ordinary kit test.
		rt := New(t, append(opts[:len(opts):len(opts)], WithSeed(seed),
			WithRuntimeOptions(noex.WithSchedule(scheduleValue(*scheduleFlag))))...)
		scenario(t, rt)
		return
	}
	run := func(xopts []noex.Option) *xrunT {
		xt := newXT(t.Name())
		xt.run(func() {
			rt := New(xt, append(opts[:len(opts):len(opts)], WithSeed(seed), WithRuntimeOptions(xopts...), keepDecisions())...)
			xt.rt = rt
			scenario(xt, rt)
		})
		return xt
	}
	xopts := append([]noex.ExploreOption{}, cfg.bounds...)
	if testing.Verbose() {
		xopts = append(xopts, noex.ExploreProgress(func(r noex.ExploreResult) {
			t.Logf("[noex] explored %d schedules so far (and %d pruned runs), none failed", r.Schedules, r.Pruned)
		}))
	}
	res := noex.Explore(func(o ...noex.Option) error {
		if xt := run(o); xt.failed() {
			return &failedRun{xt}
		}
		return nil
	}, xopts...)
	if res.Err == nil {
		if res.Complete {
			t.Logf("[noex] explored: %v", res)
		} else {
			t.Logf("[noex] explored: %v; not every schedule was run (see Bounds)", res)
		}
		return
	}
	var fr *failedRun
	if !errors.As(res.Err, &fr) {
		t.Fatalf("[noex] explored: %v", res)
		return
	}
	first := fr.xt
	replay := fmt.Sprintf("go test %s -run '%s' -noex.seed=%d -noex.schedule=%%s", pkgArg(), runPattern(t.Name()), seed)
	x := explain(res.Schedule, first.log(), func(schedule string) outcome {
		xt := run([]noex.Option{noex.WithSchedule(schedule)})
		return xt.outcome()
	}, explainRunsInProcess)
	t.Errorf("[noex] explored: schedule %d failed (after %d that passed):\n%s\n[noex] replay: %s\n%s",
		res.Schedules, res.Schedules-1, indent(first.report()), fmt.Sprintf(replay, orNatural(res.Schedule)),
		x.render(replay))
}

// failedRun is the failure of one run of Explore (runs may go on in
// parallel; Explore picks the first in its order).
type failedRun struct{ xt *xrunT }

func (f *failedRun) Error() string { return f.xt.report() }

// Bounds bounds the search of [Explore]: [noex.MaxSchedules],
// [noex.MaxSteps], [noex.MaxDelays]. [New] and [Seeds] ignore it.
func Bounds(opts ...noex.ExploreOption) Option {
	return option(func(c *config) { c.bounds = append(c.bounds, opts...) })
}

// xrunT is the TB of one run of Explore: it records instead of failing the
// test, and Fatalf ends the run's goroutine, as testing does.
type xrunT struct {
	name     string
	mu       sync.Mutex
	lines    []string
	fail     bool
	cleanups []func()
	rt       *Runtime
}

var _ TB = (*xrunT)(nil)

func newXT(name string) *xrunT { return &xrunT{name: name} }

func (x *xrunT) Helper()      {}
func (x *xrunT) Name() string { return x.name }
func (x *xrunT) Logf(format string, args ...any) {
	x.record(false, fmt.Sprintf(format, args...))
}
func (x *xrunT) Errorf(format string, args ...any) { x.record(true, fmt.Sprintf(format, args...)) }
func (x *xrunT) Fatalf(format string, args ...any) {
	x.record(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (x *xrunT) Cleanup(f func()) { x.cleanups = append(x.cleanups, f) }
func (x *xrunT) Failed() bool     { return x.failed() }

func (x *xrunT) record(fail bool, s string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.lines = append(x.lines, s)
	x.fail = x.fail || fail
}

func (x *xrunT) failed() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.fail
}

// run runs f in a goroutine of its own (so that Fatalf can end it), then
// the cleanups, last registered first.
func (x *xrunT) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	for i := len(x.cleanups) - 1; i >= 0; i-- {
		done := make(chan struct{})
		go func() {
			defer close(done)
			x.cleanups[i]()
		}()
		<-done
	}
}

// report is what the run reported, the kit's footers left out (the
// explanation replaces them).
func (x *xrunT) report() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	for _, l := range x.lines {
		if i := strings.Index(l, "[noex] seed="); i >= 0 {
			l = strings.TrimSuffix(l[:i], "\n")
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func (x *xrunT) log() []noex.Event {
	if x.rt == nil {
		return nil
	}
	return x.rt.rec.Raw()
}

func (x *xrunT) outcome() outcome {
	o := outcome{failed: x.failed()}
	if x.rt != nil {
		o.events = x.rt.rec.Raw()
		o.decisions = x.rt.decisions
		o.invalid = x.rt.invalidSchedule
	}
	return o
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
