package grader_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/exercises/taskqueue/grader/internal/mutant"
)

// Requirement names, as the grader reports them.
const (
	rRun       = "every run starts and comes to rest"
	rRuntime   = "handlers wait and work only through the runtime"
	rEnqueue   = "enqueue is a call that returns the task id"
	rIDs       = "task ids are unique and deterministic"
	rCasts     = "the producer assigns tasks with casts"
	rWork      = "workers work in their own process, on the runtime's clock"
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
	rRehired  = "a restarted worker gets tasks again"
	rLost     = "no task is lost when a worker crashes"
	rTwice    = "no task runs twice when a worker crashes"
)

// want is what the grader must report for one part: exactly these
// failures, and nothing else.
type want struct {
	unsolved string            // the part is not graded, and Unsolved contains this
	roots    map[string]string // mistakes of their own, each with a piece of its observation
	follow   map[string]string // consequences, each with the requirement it follows from
}

// part1 is what part 2 reports when part 1 has a mistake: every failure
// of part 2 follows from it.
func part1(req string) string { return "part 1: " + req }

// mistakes are the one-mistake variants of the task queue and what the
// grader must report for each, in default and in strict mode (a variant
// with a TODO left, or part 2 not begun, is graded in strict mode only by
// strictTests).
var mistakes = []struct {
	name   string
	m      mutant.Mistakes
	p1, p2 want
}{
	{name: "no mistake"},
	{name: "enqueue by cast", m: mutant.Mistakes{EnqueueCast: true},
		p1: want{roots: map[string]string{rEnqueue: `the client Enqueue("job-01") cast Ready{Worker:"client:job-01"`}},
		p2: want{follow: map[string]string{}}},
	{name: "enqueue by a cast, the id by a second call", m: mutant.Mistakes{CastThenCall: true},
		p1: want{roots: map[string]string{rEnqueue: `cast Ready{Worker:"client:job-01" PID:p0 Done:""} to the producer, then called it with Enqueue{Payload:""}: enqueue must be one call that carries the task and returns its id`}}},
	{name: "ids from math/rand", m: mutant.Mistakes{RandomIDs: true},
		p1: want{roots: map[string]string{rIDs: "two runs with seed 1 gave different task ids"},
			follow: map[string]string{rReplay: rIDs}},
		p2: want{follow: map[string]string{rReplay: part1(rIDs)}}},
	{name: "one id for all", m: mutant.Mistakes{SameID: true},
		p1: want{roots: map[string]string{rIDs: `the same id "task"`}, follow: map[string]string{rOnce: rIDs}},
		p2: want{follow: map[string]string{rTwice: part1(rIDs)}}},
	{name: "assign by call", m: mutant.Mistakes{AssignCall: true},
		p1: want{roots: map[string]string{rCasts: "with a call (noex.Call)"}}},
	{name: "wrong topic", m: mutant.Mistakes{Topic: "task.done"},
		p1: want{roots: map[string]string{rPublish: `published on "task.done", not on "task.completed" (and 11 more like it)`},
			follow: map[string]string{rOnce: rPublish}},
		p2: want{follow: map[string]string{rLost: part1(rPublish)}}},
	{name: "completions sent to the monitor", m: mutant.Mistakes{DirectToMonitor: true},
		p1: want{roots: map[string]string{rPublish: "straight to the monitor"}, follow: map[string]string{rOnce: rPublish}},
		p2: want{follow: map[string]string{rLost: part1(rPublish)}}},
	{name: "the chapter's monitor", m: mutant.Mistakes{HandlerOnly: true},
		p1: want{roots: map[string]string{rRecords: "(the chapter's bug)"}},
		p2: want{follow: map[string]string{rRecords: part1(rRecords)}}},
	{name: "pattern that misses completions", m: mutant.Mistakes{Pattern: "job.*"},
		p1: want{roots: map[string]string{rSubscribe: `subscribed to "job.*", which does not match`},
			follow: map[string]string{rRecords: rSubscribe}},
		p2: want{follow: map[string]string{rRecords: part1(rSubscribe)}}},
	{name: "every task given twice", m: mutant.Mistakes{AssignTwice: true},
		p1: want{roots: map[string]string{rOnce: "was completed 2 times"}},
		p2: want{follow: map[string]string{rTwice: part1(rOnce)}}},
	{name: "one worker does everything", m: mutant.Mistakes{OneWorker: true},
		p1: want{roots: map[string]string{rAll: "the producer gave no task to worker-1 and worker-2"}}},
	{name: "the bus outlives Shutdown", m: mutant.Mistakes{LeakBus: true},
		p1: want{roots: map[string]string{rCleanup: `still registered: "event-bus"`}},
		p2: want{follow: map[string]string{rCleanup: part1(rCleanup)}}},
	{name: "monitor after the first task", m: mutant.Mistakes{MonitorLate: true},
		p2: want{roots: map[string]string{rMonitors: "without monitoring that process first"}}},
	{name: "Down ignored", m: mutant.Mistakes{NoRequeue: true},
		p2: want{roots: map[string]string{rRequeue: "got its noex.Down but never gave the task to a worker again"},
			follow: map[string]string{rLost: rRequeue}}},
	{name: "finished task requeued", m: mutant.Mistakes{RequeueDone: true},
		p1: want{roots: map[string]string{rOnce: " times (by worker-"}},
		p2: want{follow: map[string]string{rTwice: part1(rOnce)}}},
	{name: "completions that name another worker", m: mutant.Mistakes{WrongWorker: true},
		p1: want{roots: map[string]string{rPublish: `published the completion of task task-2-9137 as done by "worker-0"`}}},
	{name: "two subscriptions", m: mutant.Mistakes{TwoPatterns: true},
		p1: want{roots: map[string]string{rSubscribe: `held 2 subscriptions matching "task.completed" at once ("*", "task.*")`}},
		p2: want{follow: map[string]string{}}},
	{name: "no dispatch when a worker is ready", m: mutant.Mistakes{LazyDispatch: true},
		p1: want{roots: map[string]string{rOnce: "was never given to a worker"}},
		p2: want{follow: map[string]string{rLost: part1(rOnce)}}},
	{name: "first reference kept for each worker", m: mutant.Mistakes{FirstRef: true},
		p2: want{roots: map[string]string{rRehired: "the producer kept the reference it had to the crashed process"}}},
	{name: "time.Sleep in the worker", m: mutant.Mistakes{TimeSleep: true},
		p1: want{roots: map[string]string{rRuntime: ": time.Sleep blocks outside the runtime (worker-"},
			follow: map[string]string{rWork: rRuntime}},
		p2: want{follow: map[string]string{rRuntime: part1(rRuntime)}}},
	{name: "a queue that never shrinks", m: mutant.Mistakes{NeverDequeue: true},
		p1: want{roots: map[string]string{rRun: "the run never came to rest: the grader stopped it after 10000 events"},
			follow: everyOther(1, rRun, rRun)},
		p2: want{follow: everyOther(2, "", part1(rRun))}},
	{name: "work handed to a goroutine", m: mutant.Mistakes{RefusedGoroutine: true},
		p1: want{roots: map[string]string{rRuntime: "'s HandleCast started a goroutine (in mutant.(*workerB).HandleCast"},
			follow: map[string]string{rWork: rRuntime, rPublish: rRuntime, rOnce: rRuntime}},
		p2: want{follow: map[string]string{rRuntime: part1(rRuntime), rLost: part1(rRuntime)}}},
}

// everyOther is a want's follow for every requirement of part but one,
// each following from cause.
func everyOther(part int, but, cause string) map[string]string {
	names := map[int][]string{
		1: {rRun, rEnqueue, rIDs, rCasts, rWork, rPublish, rSubscribe, rRecords, rOnce, rAll, rCleanup, rReplay},
		2: {rRun, rMonitors, rRequeue, rRestart, rRehired, rLost, rTwice, rRecords, rCleanup, rReplay},
	}
	// The runtime requirement is checked on a probe run of its own, which
	// does not break the others.
	_ = map[int][]string{}
	m := map[string]string{}
	for _, n := range names[part] {
		if n != but {
			m[n] = cause
		}
	}
	return m
}

func TestGradeMistakes(t *testing.T) {
	for _, tt := range mistakes {
		for _, strict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/strict=%v", tt.name, strict), func(t *testing.T) {
				t.Parallel()
				impl := grader.Impl{Start: mutant.Start(tt.m), ErrNotImplemented: mutant.ErrNotImplemented, Strict: strict}
				rep := grader.Run(impl, grader.Config{Seeds: 8, BaseSeed: 1, RealRuns: -1})
				for i, w := range []want{tt.p1, tt.p2} {
					checkPart(t, rep.Parts[i], w)
				}
			})
		}
	}
}

// TestGradeNotSolvedYet checks the parts that are not solved yet: a TODO
// still runs, or part 2 is not begun (the producer monitors no worker).
// Without strict grading they are not graded, and the report says which
// function still runs a TODO; with strict grading they are.
func TestGradeNotSolvedYet(t *testing.T) {
	tests := []struct {
		name             string
		m                mutant.Mistakes
		p1, p2           want
		strict1, strict2 want
	}{
		{name: "TODO in Enqueue", m: mutant.Mistakes{TODO: "enqueue"},
			p1: want{unsolved: `a TODO still runs: System.Enqueue returned "mutant: not implemented"`},
			p2: want{unsolved: "finish part 1 first"},
			strict1: want{roots: map[string]string{rEnqueue: `Enqueue("job-01") returned an error without asking the producer: mutant: not implemented`},
				follow: map[string]string{rIDs: rEnqueue, rCasts: rEnqueue, rWork: rEnqueue, rPublish: rEnqueue,
					rRecords: rEnqueue, rOnce: rEnqueue, rAll: rEnqueue}},
			strict2: want{follow: map[string]string{rMonitors: part1(rEnqueue), rLost: part1(rEnqueue),
				rTwice: part1(rEnqueue), rRecords: part1(rEnqueue), rRequeue: part1(rEnqueue), rRestart: part1(rEnqueue),
				rRehired: part1(rEnqueue)}}},
		{name: "TODO in the producer's HandleCall", m: mutant.Mistakes{TODO: "handlecall"},
			p1: want{unsolved: `a TODO still runs: the producer's HandleCall returned "mutant: not implemented"`},
			p2: want{unsolved: "finish part 1 first"},
			strict1: want{roots: map[string]string{rEnqueue: `the producer's HandleCall answered it with "mutant: not implemented"`},
				follow: map[string]string{rIDs: rEnqueue, rCasts: rEnqueue, rWork: rEnqueue, rPublish: rEnqueue,
					rRecords: rEnqueue, rOnce: rEnqueue, rAll: rEnqueue}},
			strict2: want{follow: map[string]string{rMonitors: part1(rEnqueue), rLost: part1(rEnqueue),
				rTwice: part1(rEnqueue), rRecords: part1(rEnqueue), rRequeue: part1(rEnqueue), rRestart: part1(rEnqueue),
				rRehired: part1(rEnqueue)}}},
		{name: "TODO in the Down handler", m: mutant.Mistakes{TODO: "down"},
			p2:      want{unsolved: "the producer's HandleInfo for a noex.Down"},
			strict2: want{roots: map[string]string{rRequeue: "got its noex.Down but never gave the task to a worker again"}, follow: map[string]string{rLost: rRequeue}}},
		{name: "workers that never say they are ready", m: mutant.Mistakes{SilentWorkers: true},
			p1:      want{roots: map[string]string{rAll: "no worker ever sent the producer a message"}, follow: map[string]string{rOnce: rAll}},
			p2:      want{unsolved: "the producer monitors no worker yet"},
			strict1: want{roots: map[string]string{rAll: "no worker ever sent the producer a message"}, follow: map[string]string{rOnce: rAll}},
			strict2: want{follow: map[string]string{rMonitors: part1(rAll), rLost: part1(rAll), rRequeue: part1(rAll),
				rRestart: part1(rAll), rRehired: part1(rAll)}}},
		{name: "part 2 not begun", m: mutant.Mistakes{NoMonitor: true},
			p2: want{unsolved: "the producer monitors no worker yet"},
			strict2: want{roots: map[string]string{rMonitors: "the producer monitors no worker"},
				follow: map[string]string{rRequeue: rMonitors, rLost: rMonitors}}},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/strict=%v", tt.name, strict), func(t *testing.T) {
				t.Parallel()
				impl := grader.Impl{Start: mutant.Start(tt.m), ErrNotImplemented: mutant.ErrNotImplemented, Strict: strict}
				rep := grader.Run(impl, grader.Config{Seeds: 8, BaseSeed: 1, RealRuns: -1})
				w1, w2 := tt.p1, tt.p2
				if strict {
					w1, w2 = tt.strict1, tt.strict2
				}
				checkPart(t, rep.Parts[0], w1)
				checkPart(t, rep.Parts[1], w2)
			})
		}
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
	if !p.Graded || p.Unsolved != "" && p.Unsolved != "the producer monitors no worker yet" && !strings.HasPrefix(p.Unsolved, "a TODO") {
		t.Errorf("part %d: Graded = %v, Unsolved = %q; want graded", p.Part, p.Graded, p.Unsolved)
	}
	if len(p.Results) == 0 {
		t.Fatalf("part %d has no results", p.Part)
	}
	for _, r := range p.Results {
		piece, root := w.roots[r.Requirement]
		cause, follows := w.follow[r.Requirement]
		switch {
		case (root || follows) && r.Passed():
			t.Errorf("part %d: %q passed; want it to fail", p.Part, r.Requirement)
		case root && r.Cause != "":
			t.Errorf("part %d: %q failed as a consequence of %q; want a mistake of its own:\n\t%s", p.Part, r.Requirement, r.Cause, r.First.Observation)
		case root && !strings.Contains(r.First.Observation, piece):
			t.Errorf("part %d: %q failed with\n\t%s\nwant a message containing %q", p.Part, r.Requirement, r.First.Observation, piece)
		case follows && r.Cause != cause:
			t.Errorf("part %d: %q failed with cause %q; want it to follow from %q:\n\t%s", p.Part, r.Requirement, r.Cause, cause, r.First.Observation)
		case !root && !follows && !r.Passed():
			t.Errorf("part %d: %q failed unexpectedly (%d of %d runs; cause %q), first under seed %d:\n\t%s",
				p.Part, r.Requirement, r.Failures, r.Runs, r.Cause, r.First.Seed, r.First.Observation)
		}
	}
	if got, want := p.Verdict(), verdictFor(p, w); got != want {
		t.Errorf("part %d: verdict %q, want %q", p.Part, got, want)
	}
}

func verdictFor(p grader.PartReport, w want) string {
	if len(w.roots)+len(w.follow) == 0 {
		return fmt.Sprintf("part %d: solved", p.Part)
	}
	return fmt.Sprintf("part %d: %d of %d requirements met", p.Part, len(p.Results)-len(w.roots)-len(w.follow), len(p.Results))
}

// TestStrict checks that strict grading grades a part with a TODO left, and
// that the report of a part not solved yet names the failing requirements.
func TestStrict(t *testing.T) {
	impl := grader.Impl{Start: mutant.Start(mutant.Mistakes{TODO: "enqueue"}), ErrNotImplemented: mutant.ErrNotImplemented}
	cfg := grader.Config{Seeds: 2, BaseSeed: 5, RealRuns: -1}
	lax := grader.Run(impl, cfg)
	text := lax.Parts[0].NotSolvedText(cfg)
	for _, want := range []string{
		`part 1 is not solved yet: a TODO still runs: System.Enqueue returned "mutant: not implemented".`,
		"FAIL  " + rEnqueue + `: Enqueue("job-01") returned an error without asking the producer: mutant: not implemented`,
		"FAIL  " + rOnce + `: follows from "` + rEnqueue + `"`,
		"ok    " + rCleanup,
		"-grade.strict",
		"part 1: 5 of 13 requirements met",
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
		"Seen in 3 of 3 seeds (deterministic mode); first in seed 40.",
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
