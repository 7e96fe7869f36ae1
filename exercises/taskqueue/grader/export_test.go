package grader

import (
	"flag"
	"testing"

	"github.com/noex-go/noex/internal/golden"
)

// update makes the doc tests rewrite the doc's generated sections.
var update = flag.Bool("update", false, "rewrite the generated sections of docs/exercise-task-queue.md")

// HintFor is Report.hint, for the tests: the hint Grade would print.
func HintFor(r *Report, cfg Config) (string, error) {
	return r.hint(cfg, func(string) (string, bool) { return "", false })
}

// SetAnalyzer makes f the static analyzer until the returned function is
// called.
func SetAnalyzer(f func(dir string) ([]Finding, error)) (restore func()) {
	old := analyzer
	analyzer = f
	return func() { analyzer = old }
}

// docPath is the exercise's doc, from this package's directory.
const docPath = "../../../docs/exercise-task-queue.md"

// CheckDocSection checks that the doc's section name (between "<!-- begin
// name -->" and "<!-- end name -->") is content; with -update it rewrites
// the section instead.
func CheckDocSection(t *testing.T, name, content string) {
	t.Helper()
	golden.Section(t, docPath, "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->", content, *update)
}
