package grader

import (
	"encoding/json"
	"fmt"
	"io"
)

// ExercismResults is a report in the shape course platforms read: the
// results.json of Exercism's test-runner interface, version 3. Each
// requirement is one test, named "part N: requirement", whose task id is
// its part; the tests come in the exercise's order.
type ExercismResults struct {
	Version int    `json:"version"` // always 3
	Status  string `json:"status"`  // "pass", "fail", or "error" when no run could be made
	// Message says why no run could be made, with Status "error".
	Message string         `json:"message,omitempty"`
	Tests   []ExercismTest `json:"tests"`
}

// ExercismTest is one requirement's result.
type ExercismTest struct {
	Name   string `json:"name"`   // "part 1: enqueue is a call that returns the task id"
	Status string `json:"status"` // "pass" or "fail"
	// Message is the failure's text, as Grade prints it: what was seen
	// (and, for a consequence, which mistake it follows from), how often,
	// and how to replay it. Empty when the test passes.
	Message string `json:"message,omitempty"`
	// TestCode says what the grader checks for the requirement.
	TestCode string `json:"test_code,omitempty"`
	TaskID   int    `json:"task_id"` // the part: 1 or 2
}

// Exercism returns the report as Exercism's results.json (version 3).
// A requirement of a part that was not solved yet, or not graded, fails
// here, although Grade does not fail the test for it: a platform shows
// what remains to do.
func (r *Report) Exercism() ExercismResults {
	out := ExercismResults{Version: 3, Status: "pass", Tests: []ExercismTest{}}
	ran := false
	for _, p := range r.Parts {
		ran = ran || p.Seeds+p.RealRuns > 0
		for _, res := range p.Results {
			t := ExercismTest{Name: fmt.Sprintf("part %d: %s", p.Part, res.Requirement), Status: "pass",
				TestCode: checkText(p.Part, res.ID), TaskID: p.Part}
			if !res.Passed() {
				t.Status, t.Message = "fail", res.FailureText(r.cfg)
				out.Status = "fail"
			}
			out.Tests = append(out.Tests, t)
		}
	}
	if !ran {
		out.Status, out.Message = "error", "no run could be made"
	}
	return out
}

// WriteJSON writes the report as Exercism's results.json (version 3) to w.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r.Exercism(), "", "  ")
	if err != nil {
		return fmt.Errorf("grader: encoding the results: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("grader: writing the results: %w", err)
	}
	return nil
}

// checkText returns what the grader checks for a requirement.
func checkText(part int, id string) string {
	for _, req := range requirements {
		if req.part == part && req.id == id {
			return req.checks
		}
	}
	return ""
}
