package noextest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/noex-go/noex/noex"
)

// shutdownTimeout bounds the end-of-test shutdown in real mode; a stuck
// shutdown then fails the test with every live process and its mailbox.
const shutdownTimeout = 10 * time.Second

// Runtime is a [noex.Runtime] owned by one test: deterministic by default,
// recording every event, with a fault injector attached, and checked and
// shut down by t.Cleanup. The embedded runtime's methods (Registry,
// Processes, PendingTimers, Now, Seed, Schedule, …) are available directly;
// Run is replaced by a version that fails the test, and the original stays
// reachable as rt.Runtime.Run.
//
// A Runtime is used from the test's goroutine, one call at a time, like the
// deterministic runtime it wraps.
type Runtime struct {
	*noex.Runtime
	t      TB
	cfg    config
	rec    *Recorder
	faults *Faults
	probes []*Probe
	broken bool // a Run failed with a scheduler error: the runtime is unusable
	closed bool
	told   bool // the reproduction line was printed already

	failure         string          // the first failure the kit reported, for the run report
	decisions       []noex.Decision // the scheduler's decisions, kept when a report or an explanation may need them
	invalidSchedule bool            // a replayed schedule did not fit the run
}

// New returns a runtime for the test t, configured by opts. By default it is
// deterministic, with its seed taken from the -noex.seed flag, else from the
// NOEX_SEED environment variable, else chosen at random; every failure the
// kit reports, and every failed test that used the runtime, prints the seed
// and the command that reproduces the run.
//
// When the test ends, t.Cleanup stops the kit's probes, checks that no
// process, registered name, pending timer or bus subscription is left (see
// [CheckNoLeaks]; [AllowLive] skips this), shuts the runtime down, and checks
// the whole log for crashes ([CheckNoCrashes]; [ExpectCrashes] skips this)
// and handler errors ([CheckNoHandlerErrors]; [AllowErrors] skips this). It
// reports every violation at once, each with the event that caused it.
// Leak checks are skipped when the test has failed already.
func New(t TB, opts ...Option) *Runtime {
	t.Helper()
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.real && (cfg.hasSeed || cfg.chooser != nil) {
		t.Fatalf("[noex] New: Real() runs in real mode; it cannot be combined with WithSeed or WithChooser")
		return nil
	}
	pinned := cfg.hasSeed && !cfg.swept && cfg.chooser == nil
	if !cfg.real && !cfg.hasSeed {
		seed, _, err := defaultSeed()
		if err != nil {
			t.Fatalf("%v", err)
			return nil
		}
		cfg.seed = seed
	}
	var strategy string
	if !cfg.real {
		var err error
		if strategy, err = resolveStrategy(cfg, pinned); err != nil {
			t.Fatalf("%v", err)
			return nil
		}
	}
	rt := &Runtime{t: t, cfg: cfg, rec: NewRecorder(), faults: NewFaults()}
	rt.faults.report = func(err error) { t.Helper(); rt.fail(false, "[noex] "+err.Error()) }
	nopts := make([]noex.Option, 0, 4+len(cfg.rtOpts))
	nopts = append(nopts, noex.WithObserver(rt.rec.Observe), noex.WithFaults(rt.faults))
	if !cfg.real {
		nopts = append(nopts, noex.WithSeed(cfg.seed))
	}
	if cfg.chooser != nil {
		nopts = append(nopts, noex.WithChooser(cfg.chooser))
	}
	if _, custom := cfg.chooser.(noex.StepChooser); strategy != "" && !custom {
		nopts = append(nopts, noex.WithStrategy(strategy))
	}
	if !cfg.real && *scheduleFlag != "" {
		nopts = append(nopts, noex.WithSchedule(scheduleValue(*scheduleFlag)))
	}
	nopts = append(nopts, cfg.rtOpts...)
	rt.Runtime = noex.NewRuntime(nopts...)
	if rt.reportDir() != "" || cfg.keepDecisions || explainChild() {
		rt.ObserveDecisions(func(d noex.Decision) { rt.decisions = append(rt.decisions, d) })
	}
	t.Cleanup(rt.finish)
	return rt
}

// resolveStrategy returns the strategy of a deterministic kit runtime in
// full (see [WithStrategy]).
func resolveStrategy(cfg config, pinned bool) (string, error) {
	spec := cfg.strategy
	if !cfg.hasStrategy {
		if pinned {
			return "random", nil
		}
		var err error
		if spec, err = loadStrategy(*strategyFlag, os.LookupEnv); err != nil {
			return "", err
		}
	}
	s, err := noex.ResolveStrategy(spec, cfg.seed, cfg.runLength)
	if err != nil {
		return "", fmt.Errorf("[noex] WithStrategy: %w", err)
	}
	return s, nil
}

// Run runs body as [noex.Runtime.Run] does, until body has returned and the
// system is quiescent, and fails the test (Fatalf, with the seed, the
// reproduction line and the tail of the log) if it returns an error. In
// deterministic mode it takes no wall time beyond the work itself; in real
// mode, to bound the wait for quiescence, call rt.Runtime.Run with a
// context that has a deadline.
func (rt *Runtime) Run(body func(ctx context.Context) error) {
	rt.t.Helper()
	if err := rt.RunErr(body); err != nil {
		rt.fail(true, fmt.Sprintf("[noex] Run: %v", err))
	}
}

// RunErr is [Runtime.Run] returning the error instead of failing the test.
// After a scheduler failure (an [*noex.EscapeError], a [*noex.DeadlockError]
// or a schedule that does not fit) the runtime is unusable and the
// end-of-test leak checks are skipped.
func (rt *Runtime) RunErr(body func(ctx context.Context) error) error {
	err := rt.Runtime.Run(context.Background(), body)
	if errors.Is(err, noex.ErrDeadlock) || errors.Is(err, noex.ErrEscape) || errors.Is(err, noex.ErrSchedule) {
		rt.broken = true
	}
	if errors.Is(err, noex.ErrSchedule) {
		rt.invalidSchedule = true
	}
	return err
}

// Advance lets d pass on the runtime's clock and returns when every timer
// due by then has fired and everything it caused has been handled: it runs
// a body that sleeps for d. In deterministic mode this takes no wall time.
func (rt *Runtime) Advance(d time.Duration) {
	rt.t.Helper()
	if d < 0 {
		rt.fail(true, fmt.Sprintf("[noex] Advance(%v): the duration must not be negative", d))
		return
	}
	if err := rt.RunErr(func(ctx context.Context) error { return noex.Sleep(ctx, d) }); err != nil {
		rt.fail(true, fmt.Sprintf("[noex] Advance(%v): %v", d, err))
	}
}

// AdvanceNext advances the clock to the next pending timer set with
// [noex.SendAfter] or [noex.Sleep] (as the log shows them) and handles what
// it causes, as [Runtime.Advance] does. It returns how far the clock moved,
// and false, without running anything, if no such timer is pending.
func (rt *Runtime) AdvanceNext() (time.Duration, bool) {
	rt.t.Helper()
	due, ok := nextTimer(rt.rec.view())
	if !ok {
		return 0, false
	}
	d := max(due.Sub(rt.Now()), 0)
	rt.Advance(d)
	return d, true
}

// nextTimer returns when the earliest timer that the log shows as set and
// neither fired nor cancelled is due.
func nextTimer(log []noex.Event) (time.Time, bool) {
	pending := map[uint64]time.Time{}
	for _, e := range log {
		switch e.Kind {
		case noex.TimerSet:
			pending[e.Ref] = e.Time.Add(e.Delay)
		case noex.TimerFired, noex.TimerCancelled:
			delete(pending, e.Ref)
		}
	}
	var first time.Time
	for _, at := range pending {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first, !first.IsZero()
}

// Events returns the log recorded so far as plain data.
func (rt *Runtime) Events() []Event { return rt.rec.Events() }

// Recorder returns the recorder attached to the runtime.
func (rt *Runtime) Recorder() *Recorder { return rt.rec }

// Faults returns the fault injector attached to the runtime.
func (rt *Runtime) Faults() *Faults { return rt.faults }

// Crash ends the process at target at once with reason, as [noex.Kill]
// does: its names are released, its monitors get [noex.Down] with reason
// and the log records a ProcessCrashed event (which does not count as an
// unexpected crash). It fails the test if the process is not running.
func (rt *Runtime) Crash(target noex.Addr, reason error) {
	rt.t.Helper()
	if err := rt.RunErr(func(ctx context.Context) error { return noex.Kill(ctx, target, reason) }); err != nil {
		rt.fail(true, fmt.Sprintf("[noex] Crash: %v", err))
	}
}

// Close stops the probes, runs the end-of-test checks and shuts the runtime
// down now instead of at t.Cleanup (which then does nothing). The rapid
// adapter calls it at the end of each property run, where failures must be
// reported before the run ends.
func (rt *Runtime) Close() {
	rt.t.Helper()
	rt.finish()
}

func (rt *Runtime) finish() {
	rt.t.Helper()
	if rt.closed {
		return
	}
	rt.closed = true
	defer rt.writeReport()
	failed := rt.failed()
	var errs []error
	if !rt.broken && !rt.ShuttingDown() {
		if err := rt.stopProbes(); err != nil {
			errs = append(errs, err)
		}
	}
	if !rt.cfg.allowLive && !failed && !rt.broken {
		errs = append(errs, CheckNoLeaks(rt.Runtime, rt.rec.view()))
	}
	ctx := context.Background()
	if !rt.Deterministic() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, shutdownTimeout)
		defer cancel()
	}
	if err := failuresOf(rt.Shutdown(ctx)); err != nil {
		errs = append(errs, fmt.Errorf("shutdown: %w", err))
	} else if !rt.broken {
		errs = append(errs, checkEmpty(rt.Runtime))
	}
	log := rt.rec.view()
	if !rt.cfg.expectCrashes {
		errs = append(errs, CheckNoCrashes(log))
	}
	if !rt.cfg.allowErrors {
		errs = append(errs, CheckNoHandlerErrors(log))
	}
	if err := errors.Join(errs...); err != nil {
		rt.fail(false, fmt.Sprintf("[noex] end-of-test checks failed:\n%v", err))
		failed = true
	} else if failed && !rt.told {
		rt.t.Logf("%s", rt.footer())
	}
	if explainChild() {
		rt.tellParent(failed || rt.failed())
	} else if failed {
		rt.explainFailure()
	}
}

// failuresOf returns Shutdown's error without the abnormal ends it reports
// (each a *noex.CallError of a stop): those are crashes, which the crash
// check finds in the log (and ExpectCrashes allows).
func failuresOf(err error) error {
	list, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var rest []error
	for _, e := range list.Unwrap() {
		if ce, ok := e.(*noex.CallError); !ok || ce.Op != "stop" {
			rest = append(rest, e)
		}
	}
	return errors.Join(rest...)
}

func (rt *Runtime) stopProbes() error {
	var live []noex.PID
	for _, p := range rt.probes {
		if rt.IsAlive(p.pid) {
			live = append(live, p.pid)
		}
	}
	if len(live) == 0 {
		return nil
	}
	err := rt.RunErr(func(ctx context.Context) error {
		for _, pid := range live {
			if err := noex.Stop(ctx, pid, nil); err != nil && !errors.Is(err, noex.ErrNotRunning) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stopping probes: %w", err)
	}
	return nil
}

// failed reports whether the test has failed, when t can tell.
func (rt *Runtime) failed() bool {
	f, ok := rt.t.(interface{ Failed() bool })
	return ok && f.Failed()
}

// fail reports msg with the reproduction line and the tail of the log.
func (rt *Runtime) fail(fatal bool, msg string) {
	rt.t.Helper()
	text := msg + "\n" + rt.footer()
	rt.told = true
	if rt.failure == "" {
		rt.failure = msg
	}
	if fatal {
		rt.t.Fatalf("%s", text)
		return
	}
	rt.t.Errorf("%s", text)
}

// footer is the reproduction line and the tail of the log.
func (rt *Runtime) footer() string {
	repro := reproLine(rt.t.Name(), testPackage(), rt.Deterministic(), rt.cfg.chooser != nil, rt.Seed(), rt.Strategy(), rt.Schedule())
	log := rt.rec.Raw()
	if *logFlag {
		return repro + "\n" + tail(log, diagramLen, len(log))
	}
	return repro + "\n" + tail(log, diagramLen, tailLen)
}
