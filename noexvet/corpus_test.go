package noexvet_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/noex-go/noex/noexvet"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus/score.txt from the measured figures")

// score is the analyzer's precision and recall on the corpus.
type score struct {
	escapes, cleans []string // the snippets, by label
	missed, alarms  []string // escapes not reported, clean snippets reported
}

func (s score) String() string {
	tp := len(s.escapes) - len(s.missed)
	reported := tp + len(s.alarms)
	var b strings.Builder
	fmt.Fprintf(&b, "snippets:     %d (%d escape, %d clean)\n", len(s.escapes)+len(s.cleans), len(s.escapes), len(s.cleans))
	fmt.Fprintf(&b, "reported:     %d (%d escape, %d clean)\n", reported, tp, len(s.alarms))
	fmt.Fprintf(&b, "precision:    %d/%d = %.1f%%\n", tp, reported, 100*float64(tp)/float64(reported))
	fmt.Fprintf(&b, "recall:       %d/%d = %.1f%%\n", tp, len(s.escapes), 100*float64(tp)/float64(len(s.escapes)))
	fmt.Fprintf(&b, "missed:       %s\n", strings.Join(s.missed, ", "))
	fmt.Fprintf(&b, "false alarms: %s\n", strings.Join(s.alarms, ", "))
	return b.String()
}

// label returns a snippet's label, from its first line: "escape", "clean",
// or "" for a file that is not a snippet.
func label(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	switch {
	case strings.HasPrefix(line, "// corpus: escape"):
		return "escape", nil
	case strings.HasPrefix(line, "// corpus: clean"):
		return "clean", nil
	}
	return "", nil
}

// The corpus is at least 30 snippets, about half of each label; the
// analyzer's precision and recall on it are those in score.txt, which the
// docs quote. A file is reported if it has at least one finding.
func TestCorpus(t *testing.T) {
	dir := testdata(t)
	findings, err := noexvet.Check(dir, "./corpus")
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]bool{}
	for _, f := range findings {
		reported[filepath.Base(f.Pos.Filename)] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "corpus", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var s score
	for _, path := range files {
		name := filepath.Base(path)
		l, err := label(path)
		if err != nil {
			t.Fatal(err)
		}
		switch l {
		case "escape":
			s.escapes = append(s.escapes, name)
			if !reported[name] {
				s.missed = append(s.missed, name)
			}
		case "clean":
			s.cleans = append(s.cleans, name)
			if reported[name] {
				s.alarms = append(s.alarms, name)
			}
		default:
			if reported[name] {
				t.Errorf("%s is not a snippet, yet has findings", name)
			}
		}
	}
	slices.Sort(s.missed)
	slices.Sort(s.alarms)
	if n := len(s.escapes) + len(s.cleans); n < 30 || len(s.escapes) < n/2-1 || len(s.cleans) < n/2-1 {
		t.Errorf("the corpus has %d escapes and %d clean snippets; want at least 30, about half each", len(s.escapes), len(s.cleans))
	}
	got := s.String()
	path := filepath.Join(dir, "corpus", "score.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the score changed (go test ./noexvet -run TestCorpus -update rewrites %s, which the docs quote):\ngot:\n%swant:\n%s", path, got, want)
	}
}
