package grader_test

import (
	"bytes"
	"encoding/json"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/exercises/taskqueue/grader/internal/mutant"
)

func result(t *testing.T, p grader.PartReport, req string) grader.Result {
	t.Helper()
	i := slices.IndexFunc(p.Results, func(r grader.Result) bool { return r.Requirement == req })
	if i < 0 {
		t.Fatalf("part %d has no requirement %q", p.Part, req)
	}
	return p.Results[i]
}

// TestReplayText checks that a failure seen only by replaying seeds says
// so, instead of counting it against every run.
func TestReplayText(t *testing.T) {
	cfg := grader.Config{Seeds: 6, BaseSeed: 1, RealRuns: -1, TestName: "TestGrade"}
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{RandomIDs: true})}, cfg)
	text := result(t, rep.Parts[0], rIDs).FailureText(cfg)
	want := "Seen by running seeds 1 and 2 twice each and comparing the two runs: they differed for 2 of 2; first for seed 1."
	if !strings.Contains(text, want) {
		t.Errorf("FailureText lacks %q; it is:\n%s", want, text)
	}
	if strings.Contains(text, "of 6 seeds") {
		t.Errorf("FailureText counts the replay against every seed:\n%s", text)
	}
}

// TestConsequenceText checks how a failure that follows from another
// reads, and that the report lists the mistake first.
func TestConsequenceText(t *testing.T) {
	cfg := grader.Config{Seeds: 3, BaseSeed: 1, RealRuns: -1, TestName: "TestGrade"}
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{Pattern: "job.*"})}, cfg)
	p1 := rep.Parts[0]
	text := result(t, p1, rRecords).FailureText(cfg)
	for _, want := range []string{
		`This follows from "` + rSubscribe + `", which fails: fix that first. What was seen: the bus never delivered`,
		"Seen in 3 of 3 seeds (deterministic mode); first in seed 1.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("FailureText lacks %q; it is:\n%s", want, text)
		}
	}
	if strings.Contains(text, "To reproduce") {
		t.Errorf("a consequence's text has a reproduction line; its mistake's has it:\n%s", text)
	}
	var order []string
	for _, r := range p1.Ordered()[:3] {
		order = append(order, r.Requirement)
	}
	if diff := cmp.Diff([]string{rSubscribe, rRecords, rRun}, order); diff != "" {
		t.Errorf("Ordered() starts (-want +got):\n%s", diff)
	}
	full := rep.Text()
	if i, j := strings.Index(full, "FAIL  "+rSubscribe), strings.Index(full, "FAIL  "+rRecords); i < 0 || j < i {
		t.Errorf("Text does not name the mistake first:\n%s", full)
	}
	for _, want := range []string{"part 1: 11 of 13 requirements met", "part 2: 10 of 11 requirements met"} {
		if !strings.Contains(full, want) {
			t.Errorf("Text lacks %q:\n%s", want, full)
		}
	}
}

// TestExercism checks the JSON output: Exercism's results.json, version
// 3, one test per requirement in the exercise's order, with its part as
// task id.
func TestExercism(t *testing.T) {
	cfg := grader.Config{Seeds: 2, BaseSeed: 1, RealRuns: -1, TestName: "TestGrade"}
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{OneWorker: true})}, cfg)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version int     `json:"version"`
		Status  string  `json:"status"`
		Message *string `json:"message"`
		Tests   []struct {
			Name     string `json:"name"`
			Status   string `json:"status"`
			Message  string `json:"message"`
			TestCode string `json:"test_code"`
			TaskID   int    `json:"task_id"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("the output is not JSON: %v\n%s", err, buf.String())
	}
	if got.Version != 3 || got.Status != "fail" || got.Message != nil {
		t.Errorf("version %d, status %q, message %v; want 3, fail, none", got.Version, got.Status, got.Message)
	}
	if len(got.Tests) != 24 {
		t.Fatalf("%d tests, want 24 (13 requirements of part 1, 11 of part 2)", len(got.Tests))
	}
	byName := map[string]int{}
	for i, tc := range got.Tests {
		byName[tc.Name] = i
	}
	first, all := got.Tests[0], got.Tests[byName["part 1: "+rAll]]
	if first.Name != "part 1: "+rRun || first.Status != "pass" || first.TaskID != 1 || first.Message != "" || first.TestCode == "" {
		t.Errorf("first test = %+v; want %q passing, task 1, with what is checked", first, "part 1: "+rRun)
	}
	if all.Status != "fail" || !strings.Contains(all.Message, "the producer gave no task to worker-1") {
		t.Errorf("test %q = %+v; want it failing with its message", "part 1: "+rAll, all)
	}
	if last := got.Tests[23]; last.TaskID != 2 || last.Name != "part 2: "+rReplay {
		t.Errorf("last test = %+v; want part 2's %q, task 2", last, rReplay)
	}
	solved := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{}), Strict: true}, cfg).Exercism()
	if solved.Status != "pass" {
		t.Errorf("the solution's status = %q, want pass", solved.Status)
	}
	todo := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{TODO: "enqueue"}),
		ErrNotImplemented: mutant.ErrNotImplemented}, cfg).Exercism()
	if todo.Status != "fail" || todo.Tests[13].Status != "fail" || !strings.Contains(todo.Tests[13].Message, "finish part 1 first") {
		t.Errorf("unsolved: status %q, part 2's first test %+v; want fail, with \"finish part 1 first\"", todo.Status, todo.Tests[13])
	}
}

// TestHintLadder checks -grade.hint: each time one step more of the first
// mistake's ladder, up to the last; -grade.hint=N, N steps.
func TestHintLadder(t *testing.T) {
	cfg := grader.Config{Seeds: 2, BaseSeed: 1, RealRuns: -1}
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{Pattern: "job.*"})}, cfg)
	if got := rep.FirstMistake(); got != rSubscribe {
		t.Fatalf("FirstMistake = %q, want %q", got, rSubscribe)
	}
	cfg.HintFile = filepath.Join(t.TempDir(), "hints.json")
	cfg.Hint = grader.HintNext
	var texts []string
	for range 4 {
		text, err := grader.HintFor(rep, cfg)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, text)
	}
	for i, want := range []string{"Hint 1 of 3", "Hint 2 of 3", "Hint 3 of 3", "Hint 3 of 3"} {
		if !strings.HasPrefix(texts[i], want+` for "`+rSubscribe+`":`) {
			t.Errorf("hint %d starts %q; want %q", i+1, firstLine(texts[i]), want)
		}
	}
	if strings.Contains(texts[0], "  2. ") || !strings.Contains(texts[1], "  2. ") || !strings.Contains(texts[2], "  3. ") {
		t.Errorf("each hint should show one step more:\n%s", strings.Join(texts, "\n---\n"))
	}
	if !strings.Contains(texts[0], "-grade.hint for the next step") || strings.Contains(texts[2], "next step") {
		t.Errorf("only the hints before the last say there is more:\n%s", strings.Join(texts, "\n---\n"))
	}
	cfg.Hint = 2
	if text, _ := grader.HintFor(rep, cfg); !strings.HasPrefix(text, "Hint 2 of 3") {
		t.Errorf("-grade.hint=2 gave %q", firstLine(text))
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// TestStatic checks how the static analyzer's findings are reported: as
// the mistake of the runtime requirement, naming file and line, with the
// dynamic failure it explains as its consequence.
func TestStatic(t *testing.T) {
	restore := grader.SetAnalyzer(func(dir string) ([]grader.Finding, error) {
		return []grader.Finding{{Pos: token.Position{Filename: dir + "/worker.go", Line: 31}, Rule: "sleep",
			Message: "time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)"}}, nil
	})
	defer restore()
	cfg := grader.Config{Seeds: 2, BaseSeed: 1, RealRuns: -1}
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{TimeSleep: true}), Dir: "/src/tq"}, cfg)
	p1 := rep.Parts[0]
	rt, work := result(t, p1, rRuntime), result(t, p1, rWork)
	text := rt.FailureText(cfg)
	if rt.Passed() || rt.Cause != "" ||
		!strings.HasPrefix(text, "worker.go:31: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)\nmutant.go:") ||
		!strings.Contains(text, "Found in the source by the static analyzer (noexvet), and in a probe run of seed 1.") {
		t.Errorf("runtime: cause %q, text:\n%s", rt.Cause, text)
	}
	if work.Passed() || work.Cause != rRuntime {
		t.Errorf("work: passed %v, cause %q; want it to follow from %q", work.Passed(), work.Cause, rRuntime)
	}
	if got := p1.Ordered()[0].Requirement; got != rRuntime {
		t.Errorf("first in the report: %q, want the runtime requirement", got)
	}
	grader.SetAnalyzer(func(string) ([]grader.Finding, error) { return nil, nil })
	clean := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{}), Dir: "/src/tq", Strict: true}, cfg)
	if !clean.Parts[0].Passed() || len(clean.Parts[0].Results) != 13 {
		t.Errorf("a clean analysis: part 1 passed %v, with %d requirements; want passed, 13", clean.Parts[0].Passed(),
			len(clean.Parts[0].Results))
	}
}

// TestNoexvet grades with the static analyzer itself, on a package whose
// worker sleeps with time.Sleep: with -grade.vet=auto it runs because the
// worker's time.Sleep fails the runtime requirement, and its finding names
// the file and line.
func TestNoexvet(t *testing.T) {
	cfg := grader.Config{Seeds: 2, BaseSeed: 1, RealRuns: -1}
	rep := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{TimeSleep: true}), Dir: "testdata/sleepy"}, cfg)
	if rep.StaticErr != nil {
		t.Fatal(rep.StaticErr)
	}
	rt := result(t, rep.Parts[0], rRuntime)
	if rt.Passed() || !strings.HasPrefix(rt.First.Observation, "sleepy.go:22: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)\n") {
		t.Errorf("the runtime requirement: passed %v, first observation:\n%v", rt.Passed(), rt.First)
	}
	clean := grader.Run(grader.Impl{Start: mutant.Start(mutant.Mistakes{}), Dir: "testdata/sleepy", Strict: true}, cfg)
	if !clean.Parts[0].Passed() || clean.StaticErr != nil {
		t.Errorf("a correct run: part 1 passed %v, static error %v; want the analyzer not run (nothing to explain)",
			clean.Parts[0].Passed(), clean.StaticErr)
	}
}
