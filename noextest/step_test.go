package noextest_test

import (
	"testing"

	"github.com/noex-go/noex/noextest"
)

// StepThrough refuses the options that do not apply to a session, and a
// nil scenario.
func TestStepThroughRefuses(t *testing.T) {
	for _, opt := range []noextest.Option{noextest.Real(), noextest.AllowLive(), noextest.WithStrategy("pct")} {
		f := runFake("TestX", func(ft *fakeT) { noextest.StepThrough(ft, twoAdders, "c\n", opt) })
		wantContains(t, "the failure", f.errText(), "[noex] StepThrough takes only WithSeed and WithRuntimeOptions")
	}
	f := runFake("TestX", func(ft *fakeT) { noextest.StepThrough(ft, nil, "c\n") })
	wantContains(t, "the failure", f.errText(), "[noex] StepThrough: step: no scenario to step through")
}

// A test that fails after a session logs the seed and the schedule that
// replay its run.
func TestStepThroughReproLine(t *testing.T) {
	f := runFake("TestX", func(ft *fakeT) {
		s := noextest.StepThrough(ft, twoAdders, "1\nc\n", noextest.WithSeed(4))
		if s.Schedule != "0:1" || s.Err != nil {
			t.Errorf("schedule %q, error %v; want 0:1 and none", s.Schedule, s.Err)
		}
		ft.Errorf("the test's own failure")
	})
	wantContains(t, "the log", f.logText(), `[noex] seed=4 schedule="0:1" (choices from a Chooser). To replay the run: noex.WithSeed(4), noex.WithSchedule("0:1")`)
	f = runFake("TestY", func(ft *fakeT) { noextest.StepThrough(ft, twoAdders, "c\n") })
	if f.logText() != "" || f.errText() != "" {
		t.Errorf("a passing test logged %q and failed with %q", f.logText(), f.errText())
	}
}
