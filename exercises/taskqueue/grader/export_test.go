package grader

import (
	"flag"
	"os"
	"strings"
	"testing"
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
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->"
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", docPath, begin, end)
	}
	if text[i+len(begin):j] == content {
		return
	}
	if !*update {
		t.Errorf("the %s section of %s is out of date; regenerate it with\n\tgo test ./exercises/taskqueue/grader -run %s -update",
			name, docPath, t.Name())
		return
	}
	if err := os.WriteFile(docPath, []byte(text[:i+len(begin)]+content+text[j:]), 0o644); err != nil {
		t.Fatal(err)
	}
}
