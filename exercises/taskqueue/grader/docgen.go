package grader

import (
	"fmt"
	"strings"
)

// The sections of docs/exercise-task-queue.md that are drawn from the
// grader's own tables; the tests check that the doc has them as they are
// (and rewrite them with -update).

// hintsMarkdown renders every ladder for the docs: one section per
// requirement, each rung behind a click on the one before.
func hintsMarkdown() string {
	var b strings.Builder
	for part := 1; part <= 2; part++ {
		for _, req := range partRequirements(part) {
			ladder, ok := hints[req.id]
			if !ok || part == 2 && req.part == 2 && isShared(req.id) {
				continue
			}
			fmt.Fprintf(&b, "#### %s\n\n", req.name)
			for i, rung := range ladder {
				fmt.Fprintf(&b, "<details><summary>Hint %d</summary>\n\n%s\n\n", i+1, rung)
			}
			b.WriteString(strings.Repeat("</details>\n", HintLevels))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// isShared reports whether a part-2 requirement repeats one of part 1.
func isShared(id string) bool {
	return id == reqRun || id == reqRuntime || id == reqRecords || id == reqCleanup || id == reqReplay
}

// requirementsMarkdown renders the requirements for the docs: a table of
// what the grader checks for each.
func requirementsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Part | Requirement (subtest) | What the grader checks |\n|---|---|---|\n")
	for _, req := range requirements {
		fmt.Fprintf(&b, "| %d | %s | %s |\n", req.part, req.name, req.checks)
	}
	return b.String()
}
