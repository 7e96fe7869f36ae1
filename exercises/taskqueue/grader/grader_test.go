package grader_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/exercises/taskqueue/grader/internal/mutant"
)

// Requirement names, as the grader reports them.
const (
	rEnqueue   = "enqueue is a call that returns the task id"
	rIDs       = "task ids are unique and deterministic"
	rCasts     = "the producer assigns tasks with casts"
	rPublish   = "workers publish completions on the event bus"
	rSubscribe = "the monitor subscribes to all completions"
	rRecords   = "the monitor records every completion"
	rOnce      = "each task is processed exactly once"
	rAll       = "all three workers take part"
	rCleanup   = "everything is cleaned up after shutdown"
	rReplay    = "the same seed gives the same run"

	rMonitors = "the producer monitors each worker before giving it a task"
	rRequeue  = "the producer requeues the task of a crashed worker"
	rRestart  = "the supervisor restarts the crashed worker under its name"
	rLost     = "no task is lost when a worker crashes"
	rTwice    = "no task runs twice when a worker crashes"
)

// want is what the grader must report for one part.
type want struct {
	unsolved string            // the part is not graded, and Unsolved contains this
	fail     map[string]string // requirements that must fail, with a piece of the observation
	may      []string          // requirements that may fail too (consequences of the mistake)
}

func TestGradeMistakes(t *testing.T) {
	tests := []struct {
		name   string
		m      mutant.Mistakes
		p1, p2 want
	}{
		{name: "no mistake"},
		{name: "TODO in Enqueue", m: mutant.Mistakes{TODO: "enqueue"},
			p1: want{unsolved: `a TODO still runs: Enqueue returned "mutant: not implemented"`},
			p2: want{unsolved: "finish part 1 first"}},
		{name: "TODO in the Down handler", m: mutant.Mistakes{TODO: "down"},
			p2: want{unsolved: "producer's HandleInfo for a noex.Down"}},
		{name: "enqueue by cast", m: mutant.Mistakes{EnqueueCast: true},
			p1: want{fail: map[string]string{rEnqueue: "Enqueue sent the producer a cast, not a call"}}},
		{name: "ids from math/rand", m: mutant.Mistakes{RandomIDs: true},
			p1: want{fail: map[string]string{rIDs: "two runs with seed 1 gave different task ids", rReplay: "differ at event"}},
			p2: want{fail: map[string]string{rReplay: "differ at event"}}},
		{name: "one id for all", m: mutant.Mistakes{SameID: true},
			p1: want{fail: map[string]string{rIDs: `the same id "task"`}, may: []string{rOnce, rRecords}},
			p2: want{may: []string{rTwice, rRequeue, rRestart, rRecords}}},
		{name: "assign by call", m: mutant.Mistakes{AssignCall: true},
			p1: want{fail: map[string]string{rCasts: "with a call (noex.Call)"}},
			p2: want{may: []string{rRequeue, rRestart}}},
		{name: "wrong topic", m: mutant.Mistakes{Topic: "task.done"},
			p1: want{fail: map[string]string{rPublish: `published on "task.done", not on "task.completed"`}, may: []string{rOnce, rAll}},
			p2: want{may: []string{rLost, rRequeue}}},
		{name: "completions sent to the monitor", m: mutant.Mistakes{DirectToMonitor: true},
			p1: want{fail: map[string]string{rPublish: "straight to the monitor"}, may: []string{rOnce, rAll}},
			p2: want{may: []string{rLost, rRequeue, rRestart}}},
		{name: "the chapter's monitor", m: mutant.Mistakes{HandlerOnly: true},
			p1: want{fail: map[string]string{rRecords: "(the chapter's bug)"}},
			p2: want{fail: map[string]string{rRecords: "(the chapter's bug)"}}},
		{name: "pattern that misses completions", m: mutant.Mistakes{Pattern: "job.*"},
			p1: want{fail: map[string]string{rSubscribe: `subscribed to "job.*", which does not match`}, may: []string{rRecords}},
			p2: want{may: []string{rRecords}}},
		{name: "every task given twice", m: mutant.Mistakes{AssignTwice: true},
			p1: want{fail: map[string]string{rOnce: "was completed 2 times"}, may: []string{rRecords}},
			p2: want{may: []string{rTwice, rRecords, rRequeue}}},
		{name: "one worker does everything", m: mutant.Mistakes{OneWorker: true},
			p1: want{fail: map[string]string{rAll: "worker-1 and worker-2 completed no task"}},
			p2: want{may: []string{rRequeue, rRestart}}},
		{name: "the bus outlives Shutdown", m: mutant.Mistakes{LeakBus: true},
			p1: want{fail: map[string]string{rCleanup: `still registered: "event-bus"`}},
			p2: want{fail: map[string]string{rCleanup: `still registered: "event-bus"`}}},
		{name: "part 2 not begun", m: mutant.Mistakes{NoMonitor: true},
			p2: want{unsolved: "the producer monitors no worker yet"}},
		{name: "monitor after the first task", m: mutant.Mistakes{MonitorLate: true},
			p2: want{fail: map[string]string{rMonitors: "without monitoring that process first"}}},
		{name: "Down ignored", m: mutant.Mistakes{NoRequeue: true},
			p2: want{fail: map[string]string{rRequeue: "got its noex.Down but never gave the task to a worker again",
				rLost: "1 of 12 tasks were never completed"}}},
		{name: "finished task requeued", m: mutant.Mistakes{RequeueDone: true},
			p1: want{fail: map[string]string{rOnce: "was completed 2 times"}},
			p2: want{fail: map[string]string{rTwice: "was completed 2 times"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			impl := grader.Impl{Start: mutant.Start(tt.m), ErrNotImplemented: mutant.ErrNotImplemented}
			rep := grader.Run(impl, grader.Config{Seeds: 8, BaseSeed: 1, RealRuns: -1})
			for i, w := range []want{tt.p1, tt.p2} {
				checkPart(t, rep.Parts[i], w)
			}
		})
	}
}

func checkPart(t *testing.T, p grader.PartReport, w want) {
	t.Helper()
	if w.unsolved != "" {
		if p.Graded || !strings.Contains(p.Unsolved, w.unsolved) {
			t.Errorf("part %d: Graded = %v, Unsolved = %q; want not graded, Unsolved containing %q", p.Part, p.Graded, p.Unsolved, w.unsolved)
		}
		return
	}
	if !p.Graded || p.Unsolved != "" {
		t.Errorf("part %d: Graded = %v, Unsolved = %q; want graded", p.Part, p.Graded, p.Unsolved)
	}
	if len(p.Results) == 0 {
		t.Fatalf("part %d has no results", p.Part)
	}
	for _, r := range p.Results {
		piece, mustFail := w.fail[r.Requirement]
		switch {
		case mustFail && r.Passed():
			t.Errorf("part %d: %q passed; want it to fail with %q", p.Part, r.Requirement, piece)
		case mustFail && !strings.Contains(r.First.Observation, piece):
			t.Errorf("part %d: %q failed with\n\t%s\nwant a message containing %q", p.Part, r.Requirement, r.First.Observation, piece)
		case !mustFail && !r.Passed() && !slices.Contains(w.may, r.Requirement):
			t.Errorf("part %d: %q failed unexpectedly (%d of %d runs), first under seed %d:\n\t%s",
				p.Part, r.Requirement, r.Failures, r.Runs, r.First.Seed, r.First.Observation)
		}
		if r.Runs == 0 {
			t.Errorf("part %d: %q was checked on no run", p.Part, r.Requirement)
		}
	}
}

// TestStrict checks that strict grading grades a part with a TODO left, and
// that the report of a part not solved yet names the failing requirements.
func TestStrict(t *testing.T) {
	impl := grader.Impl{Start: mutant.Start(mutant.Mistakes{TODO: "enqueue"}), ErrNotImplemented: mutant.ErrNotImplemented}
	cfg := grader.Config{Seeds: 2, BaseSeed: 5, RealRuns: -1}
	lax := grader.Run(impl, cfg)
	text := lax.Parts[0].NotSolvedText(cfg)
	for _, want := range []string{
		`part 1 is not solved yet: a TODO still runs: Enqueue returned "mutant: not implemented".`,
		"FAIL  " + rEnqueue + `: Enqueue("job-01") returned an error: mutant: not implemented`,
		"ok    " + rCleanup,
		"-grade.strict",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("NotSolvedText lacks %q; it is:\n%s", want, text)
		}
	}
	impl.Strict = true
	strict := grader.Run(impl, cfg)
	p1 := strict.Parts[0]
	if !p1.Graded || p1.Passed() {
		t.Errorf("strict part 1: Graded = %v, Passed = %v; want graded and failing", p1.Graded, p1.Passed())
	}
	if p2 := strict.Parts[1]; !p2.Graded || p2.Seeds != 2 {
		t.Errorf("strict part 2: Graded = %v, Seeds = %d; want graded under 2 seeds", p2.Graded, p2.Seeds)
	}
}

// TestFailureText checks the message of a failing requirement: the
// observation, how often, and the line that replays the run.
func TestFailureText(t *testing.T) {
	impl := grader.Impl{Start: mutant.Start(mutant.Mistakes{HandlerOnly: true})}
	cfg := grader.Config{Seeds: 3, BaseSeed: 40, RealRuns: -1, TestName: "TestGrade"}
	rep := grader.Run(impl, cfg)
	res := rep.Parts[0].Results[slices.IndexFunc(rep.Parts[0].Results, func(r grader.Result) bool { return r.Requirement == rRecords })]
	text := res.FailureText(cfg)
	for _, want := range []string{
		"the monitor's Completions returned nothing although 12 completions were published",
		"Seen in 3 of 3 runs; first in seed 40.",
		"To reproduce, specify -run='^TestGrade$' -noex.seed=40 -v",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("FailureText lacks %q; it is:\n%s", want, text)
		}
	}
	if !strings.Contains(rep.Summary(), "part 1 under 3 seeds (40 to 42)") {
		t.Errorf("Summary = %q", rep.Summary())
	}
	only := grader.Run(impl, grader.Config{BaseSeed: 41, Only: true, TestName: "TestGrade"})
	f := only.Parts[0].Results[slices.IndexFunc(only.Parts[0].Results, func(r grader.Result) bool { return r.Requirement == rRecords })].First
	if f == nil || f.Seed != 41 || !strings.Contains(f.Log, `monitor sent call to event-bus`) {
		t.Errorf("with Only, the failure keeps the run's log; got %+v", f)
	}
}

// TestRealMode grades the correct implementation in real mode only.
func TestRealMode(t *testing.T) {
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{}), Strict: true},
		grader.Config{Seeds: 1, RealRuns: 2})
	for _, p := range rep.Parts {
		if p.RealRuns != 2 || !p.Passed() {
			t.Errorf("part %d: %d real-mode runs, passed = %v; want 2 runs, passed", p.Part, p.RealRuns, p.Passed())
			for _, r := range p.Results {
				if !r.Passed() {
					t.Log(r.FailureText(grader.Config{}))
				}
			}
		}
	}
}
