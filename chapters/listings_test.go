package chapters_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	docMarker   = regexp.MustCompile(`^<!-- listing: (\S+)(?: (\S+))? -->$`)
	beginRegion = regexp.MustCompile(`^\s*// listing: (\S+)\s*$`)
	endRegion   = regexp.MustCompile(`^\s*// end listing\s*$`)
)

// region is one marked region of a source file.
type region struct {
	file, name string
	text       string
}

// regions returns the marked regions of a source file, by name.
func regions(path string) (map[string]region, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]region{}
	var cur *region
	var body []string
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case beginRegion.MatchString(line):
			if cur != nil {
				return nil, fmt.Errorf("%s:%d: listing %q starts inside listing %q", path, i+1, beginRegion.FindStringSubmatch(line)[1], cur.name)
			}
			name := beginRegion.FindStringSubmatch(line)[1]
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("%s:%d: listing %q marked twice", path, i+1, name)
			}
			cur, body = &region{file: path, name: name}, nil
		case endRegion.MatchString(line):
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: end listing without a listing", path, i+1)
			}
			cur.text = dedent(body)
			out[cur.name] = *cur
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s: listing %q is never ended", path, cur.name)
	}
	return out, nil
}

// dedent removes the tabs that every non-empty line starts with, and
// leading and trailing blank lines.
func dedent(lines []string) string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			l = l[indent:]
		}
		out[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(out, "\n")
}

// quote returns the text a doc marker stands for, as a fenced block.
func quote(root, path, name string) (string, error) {
	full := filepath.Join(root, filepath.FromSlash(path))
	var text string
	if name == "" {
		data, err := os.ReadFile(full)
		if err != nil {
			return "", err
		}
		text = strings.TrimRight(string(data), "\n")
	} else {
		rs, err := regions(full)
		if err != nil {
			return "", err
		}
		r, ok := rs[name]
		if !ok {
			return "", fmt.Errorf("%s has no listing %q", path, name)
		}
		text = r.text
	}
	lang := "text"
	switch filepath.Ext(path) {
	case ".go":
		lang = "go"
	case ".mmd":
		lang = "mermaid"
	}
	return "```" + lang + "\n" + text + "\n```", nil
}

// docs returns the markdown files of docs/.
func docs(t *testing.T, root string) []string {
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// syncDoc compares every listing of one doc with its source and returns a
// description of each that differs or whose source is missing; with update
// it rewrites the listings that differ instead (a missing source is still
// reported).
func syncDoc(root, doc string, update bool) ([]string, error) {
	data, err := os.ReadFile(doc)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	var out, problems, drift []string
	rel, _ := filepath.Rel(root, doc)
	for i := 0; i < len(lines); i++ {
		out = append(out, lines[i])
		m := docMarker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		want, err := quote(root, m[1], m[2])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", rel, i+1, err))
			continue
		}
		// The fenced block that follows the marker, if any.
		end := -1
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "```") {
			for j := i + 2; j < len(lines); j++ {
				if lines[j] == "```" {
					end = j
					break
				}
			}
		}
		got := ""
		if end > 0 {
			got = strings.Join(lines[i+1:end+1], "\n")
		}
		if got != want {
			drift = append(drift, fmt.Sprintf("%s:%d: listing %s %s is out of date (-doc +source):\n%s",
				rel, i+1, m[1], m[2], cmp.Diff(got, want)))
		}
		out = append(out, want)
		if end > 0 {
			i = end
		}
	}
	if update && len(drift) > 0 {
		return problems, os.WriteFile(doc, []byte(strings.Join(out, "\n")), 0o644)
	}
	return append(problems, drift...), nil
}

// chapterDocs are the docs that -update rewrites: the chapters'. Other docs
// that quote listings the same way are checked, and their listings are
// updated by hand (or by their own tests).
var chapterDocs = map[string]bool{"02-ipc.md": true}

// Every listing in docs/ is exactly its source region (or file).
func TestListings(t *testing.T) {
	root := chaptertest.RepoRoot(t)
	for _, doc := range docs(t, root) {
		mine := chapterDocs[filepath.Base(doc)]
		problems, err := syncDoc(root, doc, *chaptertest.Update && mine)
		if err != nil {
			t.Fatal(err)
		}
		hint := "(update the listing in the doc)"
		if mine {
			hint = "(run go test ./chapters -update to rewrite the doc from the sources)"
		}
		for _, p := range problems {
			t.Errorf("%s\n%s", p, hint)
		}
	}
}

// A drifted listing is reported, -update rewrites it, and then it is clean.
func TestSyncDocDetectsDrift(t *testing.T) {
	root := t.TempDir()
	src := "package x\n\nfunc f() {\n\t// listing: body\n\tg()\n\t// end listing\n}\n"
	doc := "# T\n\n<!-- listing: x.go body -->\n```go\nstale()\n```\n\n<!-- listing: out.txt -->\n"
	if err := os.WriteFile(filepath.Join(root, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "out.txt"), []byte("42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "doc.md")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := syncDoc(root, path, false)
	if err != nil || len(problems) != 2 {
		t.Fatalf("syncDoc found %d problems (%v), want 2: %q", len(problems), err, problems)
	}
	if _, err := syncDoc(root, path, true); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# T\n\n<!-- listing: x.go body -->\n```go\ng()\n```\n\n<!-- listing: out.txt -->\n```text\n42\n```\n"
	if string(got) != want {
		t.Errorf("updated doc = %q, want %q", got, want)
	}
	if problems, err := syncDoc(root, path, false); err != nil || len(problems) != 0 {
		t.Errorf("after the update: %q, %v", problems, err)
	}
	if _, err := quote(root, "x.go", "missing"); err == nil {
		t.Error("a missing region gave no error")
	}
}

// Every region marked in chapters/ is quoted by some doc, so that the docs
// show all the code the examples are built from.
func TestEveryRegionQuoted(t *testing.T) {
	root := chaptertest.RepoRoot(t)
	used := map[string]bool{}
	for _, doc := range docs(t, root) {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			if m := docMarker.FindStringSubmatch(sc.Text()); m != nil {
				used[m[1]+" "+m[2]] = true
			}
		}
	}
	err := filepath.WalkDir(filepath.Join(root, "chapters"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rs, err := regions(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		names := make([]string, 0, len(rs))
		for name := range rs {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if key := filepath.ToSlash(rel) + " " + name; !used[key] {
				t.Errorf("%s: listing %q is not quoted in docs/", rel, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDedent(t *testing.T) {
	got := dedent([]string{"", "\tif x {", "\t\ty()", "", "\t}", ""})
	if want := "if x {\n\ty()\n\n}"; got != want {
		t.Errorf("dedent = %q, want %q", got, want)
	}
}
