package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A markdown document, split into the lines that are prose (code blocks and
// code spans removed) and its headings.
type markdown struct {
	path     string
	prose    []proseLine
	headings []string
}

type proseLine struct {
	n    int // 1-based line number
	text string
}

var (
	fence     = regexp.MustCompile("^\\s*(```|~~~)")
	codeSpan  = regexp.MustCompile("`+[^`]*`+")
	heading   = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	inline    = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	reference = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)`)
	autolink  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>`)
	scheme    = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// parseMarkdown reads the prose lines and headings of a document: fenced
// code blocks, indented code blocks and code spans are not prose.
func parseMarkdown(path string, data []byte) markdown {
	md := markdown{path: path}
	inFence, prevBlank := "", true
	inIndented := false
	for i, line := range strings.Split(string(data), "\n") {
		if m := fence.FindStringSubmatch(line); m != nil {
			switch {
			case inFence == "":
				inFence = m[1]
			case inFence == m[1]:
				inFence = ""
			}
			prevBlank = false
			continue
		}
		if inFence != "" {
			continue
		}
		blank := strings.TrimSpace(line) == ""
		indented := strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		switch {
		case blank:
		case indented && (prevBlank || inIndented):
			inIndented = true
			prevBlank = false
			continue
		default:
			inIndented = false
		}
		prevBlank = blank
		if m := heading.FindStringSubmatch(line); m != nil {
			md.headings = append(md.headings, m[1])
		}
		md.prose = append(md.prose, proseLine{i + 1, codeSpan.ReplaceAllString(line, "``")})
	}
	return md
}

// links returns the targets of the document's links, with their lines.
func (md markdown) links() []proseLine {
	var out []proseLine
	for _, l := range md.prose {
		for _, re := range []*regexp.Regexp{inline, reference, autolink} {
			for _, m := range re.FindAllStringSubmatch(l.text, -1) {
				out = append(out, proseLine{l.n, m[1]})
			}
		}
	}
	return out
}

// anchor is the fragment a heading gets on the usual renderers: lower case,
// punctuation dropped, spaces as hyphens.
func anchor(h string) string {
	h = codeSpan.ReplaceAllStringFunc(h, func(s string) string { return strings.Trim(s, "`") })
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns every fragment a document's headings define (a repeated
// heading gets -1, -2, ...).
func anchors(md markdown) map[string]bool {
	out := map[string]bool{}
	for _, h := range md.headings {
		a := anchor(h)
		for n := 1; out[a]; n++ {
			a = fmt.Sprintf("%s-%d", anchor(h), n)
		}
		out[a] = true
	}
	return out
}

// checkLinks returns a problem for each link of the document at path (a
// file under root) that does not resolve to a file or directory inside
// root, or to a heading of a markdown file, and for every mention of a
// relative path that leads outside the repository.
func checkLinks(root, path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rel, _ := filepath.Rel(root, path)
	md := parseMarkdown(rel, data)
	var problems []string
	report := func(n int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", rel, n, fmt.Sprintf(format, args...)))
	}
	links := md.links()
	linked := map[string]bool{} // "line:target", reported below as links
	for _, l := range links {
		file, _, _ := strings.Cut(l.text, "#")
		linked[fmt.Sprint(l.n, ":", file)] = true
	}
	for i, line := range strings.Split(string(data), "\n") {
		for _, m := range upPath.FindAllString(line, -1) {
			if !linked[fmt.Sprint(i+1, ":", m)] && outside(root, filepath.Join(filepath.Dir(path), filepath.FromSlash(m))) {
				report(i+1, "mentions %s, which is outside the repository", m)
			}
		}
	}
	for _, l := range links {
		target := l.text
		if target == "" {
			report(l.n, "empty link")
			continue
		}
		if scheme.MatchString(target) {
			report(l.n, "link %q leaves the repository: docs link only to files of the repository", target)
			continue
		}
		file, frag, _ := strings.Cut(target, "#")
		full := path
		if file != "" {
			full = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
			if outside(root, full) {
				report(l.n, "link %q points outside the repository", target)
				continue
			}
		}
		info, err := os.Stat(full)
		if err != nil {
			report(l.n, "link %q: no such file or directory", target)
			continue
		}
		if frag == "" {
			continue
		}
		if info.IsDir() || filepath.Ext(full) != ".md" {
			report(l.n, "link %q: a fragment needs a markdown file", target)
			continue
		}
		tdata, err := os.ReadFile(full)
		if err != nil {
			return nil, err
		}
		if !anchors(parseMarkdown(full, tdata))[frag] {
			report(l.n, "link %q: %s has no heading with anchor #%s", target, file, frag)
		}
	}
	return problems, nil
}

// upPath matches a relative path that climbs up ("../x", "../../y/z.md"),
// in a link, in code or in prose.
var upPath = regexp.MustCompile(`(?:\.\./)+[\w.-]+(?:/[\w.-]+)*`)

// outside reports whether path is not inside root.
func outside(root, path string) bool {
	r, err := filepath.Rel(root, path)
	return err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// markdownFiles are README.md and the docs.
func markdownFiles(t *testing.T) (root string, files []string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files, err = filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return root, append([]string{filepath.Join(root, "README.md")}, files...)
}

// Every link in README.md and docs/ resolves inside the repository.
func TestLinks(t *testing.T) {
	root, files := markdownFiles(t)
	if len(files) < 5 {
		t.Fatalf("found only %d markdown files: %q", len(files), files)
	}
	for _, f := range files {
		problems, err := checkLinks(root, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// The checker finds each kind of bad link, and accepts good ones.
func TestCheckLinks(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"docs/a.md": "# A\n\n## Many seeds\n\nSee [b](b.md), [many](#many-seeds), [code](../code), [b's](b.md#part-one).\n" +
			"Bad: [gone](missing.md), [out](../../x.md), [web](https://host.invalid), [frag](b.md#nope).\n" +
			"<https://other.invalid>\n\n[ref]: ../../elsewhere.md\n\n" +
			"Spec: `../../notes/spec.md`.\n\n```go\nx := f[0](y) // [not](a link)\n```\n\n    [indented](not-a-link.md)\n\n" +
			"Inline `[span](not-a-link.md)` is code.\n",
		"docs/b.md": "# B\n\n## Part one\n",
		"code/x.go": "package x\n",
	} {
		full := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := checkLinks(root, filepath.Join(root, "docs", "a.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`docs/a.md:6: link "missing.md": no such file or directory`,
		`docs/a.md:6: link "../../x.md" points outside the repository`,
		`docs/a.md:6: link "https://host.invalid" leaves the repository`,
		`docs/a.md:6: link "b.md#nope": b.md has no heading with anchor #nope`,
		`docs/a.md:7: link "https://other.invalid" leaves the repository`,
		`docs/a.md:9: link "../../elsewhere.md" points outside the repository`,
		`docs/a.md:11: mentions ../../notes/spec.md, which is outside the repository`,
	}
	got := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q; got:\n%s", w, got)
		}
	}
	if len(problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(problems), len(want), got)
	}
}

func TestAnchor(t *testing.T) {
	for h, want := range map[string]string{
		"Many seeds":                      "many-seeds",
		"Running the examples":            "running-the-examples",
		"`noextest.Go`: clients in tests": "noextestgo-clients-in-tests",
		"Call, cast and the Registry (2)": "call-cast-and-the-registry-2",
	} {
		if got := anchor(h); got != want {
			t.Errorf("anchor(%q) = %q, want %q", h, got, want)
		}
	}
}
