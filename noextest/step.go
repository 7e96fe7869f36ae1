package noextest

import (
	"context"
	"errors"
	"strings"

	"github.com/noex-go/noex/trace/step"
)

// StepSession is what [StepThrough] returns: the session's result (the
// choices, the schedule, the last run's events and output), the run's
// error, and the transcript.
type StepSession struct {
	step.Result
	// Err is the run's error, as [step.Run] returns it: what the scenario
	// returned, joined with the shutdown's error (nil if the session quit).
	Err error
	// Transcript is everything the session printed, each answer echoed
	// after its prompt as a terminal shows it.
	Transcript string
}

// StepThrough runs scenario as a step-through session (package trace/step)
// answered by script: one answer a line, as a person types them at the
// prompt (a step's number, n, r, u, d, c, q; an empty line is n). When the
// script runs out, the session quits, as at the end of a person's input.
// The runtimes are deterministic with the kit's seed, which seeds
// [noex.Rand] and the answer r; pin it with [WithSeed] when the script
// depends on either. [WithRuntimeOptions] passes options to every runtime
// of the session; no other option applies, and StepThrough fails the test
// if one is given.
//
// StepThrough returns the session for the test to check (its Err is the
// run's error, which a test may expect); it fails the test only if the
// session cannot run. If the test fails, the cleanup logs the seed and the
// schedule that replay the session's last run.
//
// Use it to test what a session shows (a challenge's goal, the steps a
// decision offers, a transcript for the docs) and to replay a person's
// choices in a test. A session steps through runs the scenario builds
// itself, on fresh runtimes (one per undo), so the scenario is a function
// of a runtime, not the body of a kit [Runtime].
func StepThrough(t TB, scenario step.Scenario, script string, opts ...Option) StepSession {
	t.Helper()
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.real || cfg.allowLive || cfg.expectCrashes || cfg.allowErrors || cfg.chooser != nil || cfg.hasStrategy || cfg.hasReport {
		t.Fatalf("[noex] StepThrough takes only WithSeed and WithRuntimeOptions: the session is the runtimes' chooser, and it checks nothing itself")
		return StepSession{}
	}
	if !cfg.hasSeed {
		seed, _, err := defaultSeed()
		if err != nil {
			t.Fatalf("%v", err)
			return StepSession{}
		}
		cfg.seed = seed
	}
	var out strings.Builder
	res, err := step.Run(context.Background(), scenario,
		step.WithInput(strings.NewReader(script)), step.WithOutput(&out), step.WithEcho(),
		step.WithSeed(cfg.seed), step.WithRuntimeOptions(cfg.rtOpts...))
	if errors.Is(err, step.ErrNoScenario) {
		t.Fatalf("[noex] StepThrough: %v", err)
		return StepSession{}
	}
	t.Cleanup(func() {
		if f, ok := t.(interface{ Failed() bool }); ok && f.Failed() {
			t.Logf("%s", reproLine(t.Name(), testPackage(), true, true, cfg.seed, "", res.Schedule))
		}
	})
	return StepSession{Result: res, Err: err, Transcript: out.String()}
}
