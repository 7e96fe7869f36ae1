package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	payloads = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	workers  = []string{"worker-a", "worker-b", "worker-c"}
)

// What is guaranteed: tasks go round-robin, each worker does its tasks in
// the order it got them, every task is reported exactly once, and the
// report lists them all. What is not: the order in which workers finish.
func check(t testing.TB, res run.Result) []string {
	lines := res.Lines()
	var assigned, done, report []string
	for i, p := range payloads {
		assigned = append(assigned, fmt.Sprintf("task %d -> %s", i+1, workers[i%3]))
		done = append(done, fmt.Sprintf("[%s] task %d done: %s", workers[i%3], i+1, strings.ToUpper(p)))
		report = append(report, fmt.Sprintf("  task %d by %s: %s", i+1, workers[i%3], strings.ToUpper(p)))
	}
	if len(lines) != 19 {
		t.Fatalf("%d lines of output, want 19:\n%s", len(lines), res.Output)
	}
	if diff := cmp.Diff(assigned, lines[:6]); diff != "" {
		t.Errorf("assignments (-want +got):\n%s", diff)
	}
	finished := lines[6:12]
	if diff := cmp.Diff(done, finished, sortedByTask); diff != "" {
		t.Errorf("completions (-want +got):\n%s", diff)
	}
	for _, w := range workers {
		mine := chaptertest.Filter(finished, "["+w+"]")
		if diff := cmp.Diff(chaptertest.Filter(done, "["+w+"]"), mine); diff != "" {
			t.Errorf("%s's completions out of order (-want +got):\n%s", w, diff)
		}
	}
	if diff := cmp.Diff(append([]string{"6 results:"}, report...), lines[12:]); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	return finished
}

// sortedByTask compares completion lines by their task number.
var sortedByTask = cmp.Transformer("byTask", func(ls []string) []string {
	return slices.SortedFunc(slices.Values(ls), func(a, b string) int {
		return strings.Compare(a[strings.Index(a, "task"):], b[strings.Index(b, "task"):])
	})
})

func TestRoundRobin(t *testing.T) {
	orders := map[string]bool{}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		orders[strings.Join(check(t, res), "|")] = true
	}, demo)
	if len(orders) < 2 {
		t.Errorf("every seed finished the tasks in the same order: the test explores nothing")
	}
	chaptertest.Real(t, 5, func(t testing.TB, res run.Result) { check(t, res) }, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}

// Every distinct schedule of the example (seed 1) runs and passes; the
// count is the number of different transcripts the example can print.
func TestExploreEverySchedule(t *testing.T) {
	chaptertest.Explore(t, 1, demo)
}
