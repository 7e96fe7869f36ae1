package docs_test

import (
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every Go snippet of the docs is code that compiles. A listing (a fenced
// block after "<!-- listing: FILE REGION -->") is quoted from a source file,
// and chapters' TestListings keeps the two identical. Any other ```go block
// of README.md and docs/*.md, and every Go code block of a doc comment,
// must be an excerpt of a Go file of the repository: its tokens, comments
// aside, appear in that file in the same order, contiguously except where
// the snippet elides with "..." (a line of its own, "{ ... }", or ", ...)"
// in arguments). The usual source is an Example, so the excerpt also runs.
//
// An intentional fragment of a guide (a signature, two alternatives side
// by side) is marked on the line before its fence with
//
//	<!-- fragment: why it does not compile as it stands -->
//
// A block of a doc comment counts as Go when it parses as Go once its
// elisions are removed; shell commands, flag lists and output do not.

// snippet is one Go block of a doc.
type snippet struct {
	where string // file:line
	text  string
}

var (
	listingMarker  = regexp.MustCompile(`^<!-- listing: \S+(?: \S+)? -->$`)
	fragmentMarker = regexp.MustCompile(`^<!-- fragment: .+ -->$`)
)

// markdownSnippets returns the ```go blocks of a markdown file that are
// neither listings nor marked fragments.
func markdownSnippets(rel string, data []byte) []snippet {
	var out []snippet
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		lang := strings.TrimSpace(strings.TrimPrefix(lines[i], "```"))
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
			end++
		}
		prev := ""
		if i > 0 {
			prev = lines[i-1]
		}
		if lang == "go" && !listingMarker.MatchString(prev) && !fragmentMarker.MatchString(prev) {
			out = append(out, snippet{fmt.Sprintf("%s:%d", rel, i+1), strings.Join(lines[i+1:end], "\n")})
		}
		i = end
	}
	return out
}

// elisionBefore and elisionAfter match what a snippet leaves out, with
// the comma that separates it from what it keeps: "(..., x)", "(x, ...)".
var (
	elisionBefore = regexp.MustCompile(`\.\.\.\s*,\s*`)
	elisionAfter  = regexp.MustCompile(`,?\s*\.\.\.`)
)

// isGo reports whether a doc comment's code block is Go: it has code and
// parses, once its elisions are removed, as declarations or statements.
func isGo(text string) bool {
	src := elisionAfter.ReplaceAllString(elisionBefore.ReplaceAllString(text, ""), "")
	if len(tokens(src)) == 0 {
		return false
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package p\n"+src, 0); err == nil {
		return true
	}
	_, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+src+"\n}", 0)
	return err == nil
}

// commentSnippets returns the Go code blocks of the doc comments of a Go
// file.
func commentSnippets(rel string, data []byte) ([]snippet, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, data, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var docs []*ast.CommentGroup
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.File:
			docs = append(docs, x.Doc)
		case *ast.FuncDecl:
			docs = append(docs, x.Doc)
		case *ast.GenDecl:
			docs = append(docs, x.Doc)
		case *ast.TypeSpec:
			docs = append(docs, x.Doc)
		case *ast.ValueSpec:
			docs = append(docs, x.Doc)
		case *ast.Field:
			docs = append(docs, x.Doc)
		}
		return true
	})
	var out []snippet
	var p comment.Parser
	for _, g := range docs {
		if g == nil {
			continue
		}
		for _, b := range p.Parse(g.Text()).Content {
			if c, ok := b.(*comment.Code); ok && isGo(c.Text) {
				out = append(out, snippet{fmt.Sprintf("%s:%d", rel, fset.Position(g.Pos()).Line), c.Text})
			}
		}
	}
	return out, nil
}

// tok is a token and its text; semicolons compare equal whether written or
// inserted at a line's end.
type tok struct {
	t   token.Token
	lit string
}

// tokens scans Go source, comments aside. Text that is not Go scans into
// whatever tokens it can.
func tokens(src string) []tok {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	s.Init(file, []byte(src), func(token.Position, string) {}, 0)
	var out []tok
	for {
		_, t, lit := s.Scan()
		if t == token.EOF {
			return out
		}
		if t == token.SEMICOLON {
			lit = ""
		}
		out = append(out, tok{t, lit})
	}
}

// segments splits a snippet's tokens at its elisions ("...", and a comma
// just before one).
func segments(text string) [][]tok {
	var out [][]tok
	var cur []tok
	for _, t := range tokens(text) {
		if t.t == token.ELLIPSIS {
			if n := len(cur); n > 0 && cur[n-1].t == token.COMMA {
				cur = cur[:n-1]
			}
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// excerptOf reports whether the segments appear in file, in order, each
// contiguously.
func excerptOf(segs [][]tok, file []tok) bool {
	at := 0
	for _, seg := range segs {
		i := indexTokens(file[at:], seg)
		if i < 0 {
			return false
		}
		at += i + len(seg)
	}
	return true
}

func indexTokens(file, seg []tok) int {
	for i := 0; i+len(seg) <= len(file); i++ {
		match := true
		for j, t := range seg {
			if file[i+j] != t {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// goFiles returns every Go file of the repository (testdata aside) with
// its tokens.
func goFiles(t *testing.T, root string) map[string][]tok {
	t.Helper()
	out := map[string][]tok{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = tokens(string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSnippets returns a problem for each snippet that is not an excerpt
// of one of files.
func checkSnippets(snips []snippet, files map[string][]tok) []string {
	var problems []string
	for _, s := range snips {
		segs := segments(s.text)
		found := false
		for _, toks := range files {
			if excerptOf(segs, toks) {
				found = true
				break
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s: this Go snippet is not an excerpt of any Go file of the repository "+
				"(quote it from compiled code, such as an Example, or mark an intentional fragment with <!-- fragment: why -->):\n%s",
				s.where, s.text))
		}
	}
	return problems
}

func TestSnippetsCompile(t *testing.T) {
	root, mds := markdownFiles(t)
	files := goFiles(t, root)
	var snips []snippet
	for _, md := range mds {
		data, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, md)
		snips = append(snips, markdownSnippets(filepath.ToSlash(rel), data)...)
	}
	nmd := len(snips)
	for rel := range files {
		if strings.HasSuffix(rel, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := commentSnippets(rel, data)
		if err != nil {
			t.Fatal(err)
		}
		snips = append(snips, s...)
	}
	if nmd == 0 || len(snips) == nmd {
		t.Fatalf("found %d snippets in markdown and %d in doc comments: the scan is broken", nmd, len(snips)-nmd)
	}
	for _, p := range checkSnippets(snips, files) {
		t.Error(p)
	}
}

// The checker accepts an excerpt with elisions and refuses code that is
// not in any file; fragments, listings and text are not checked.
func TestCheckSnippets(t *testing.T) {
	files := map[string][]tok{"x.go": tokens(`package x

func Example() {
	rt := noex.NewRuntime(noex.WithSeed(1)) // a comment
	err := rt.Run(ctx, func(ctx context.Context) error {
		calc, err := noex.Start(ctx, Calculator{})
		if err != nil {
			return err
		}
		sum, err := calc.Call(ctx, Add{A: 5, B: 3}, noex.WithTimeout(time.Second))
		fmt.Println(sum)
		return err
	})
}
`)}
	good := []snippet{
		{"whole line", "rt := noex.NewRuntime(noex.WithSeed(1))"},
		{"elided lines", "err := rt.Run(ctx, func(ctx context.Context) error {\n\tcalc, err := noex.Start(ctx, Calculator{})\n\t...\n\tsum, err := calc.Call(ctx, Add{A: 5, B: 3}, ...)\n\t...\n})"},
		{"elided body", "rt.Run(ctx, func(ctx context.Context) error { ... })"},
	}
	if p := checkSnippets(good, files); len(p) != 0 {
		t.Errorf("excerpts refused:\n%s", strings.Join(p, "\n"))
	}
	bad := []snippet{
		{"wrong call", "sum, err := noex.Call(ctx, calc, Add{A: 5, B: 3})"},
		{"out of order", "sum, err := calc.Call(ctx, Add{A: 5, B: 3}, ...)\n...\ncalc, err := noex.Start(ctx, Calculator{})"},
		{"gap without elision", "calc, err := noex.Start(ctx, Calculator{})\nsum, err := calc.Call(ctx, Add{A: 5, B: 3}, noex.WithTimeout(time.Second))"},
	}
	if p := checkSnippets(bad, files); len(p) != len(bad) {
		t.Errorf("%d of %d non-excerpts found: %q", len(bad)-len(p), len(bad), p)
	}

	md := "# T\n\n```go\nx := 1\n```\n\n<!-- listing: a.go r -->\n```go\ny\n```\n\n<!-- fragment: a signature -->\n```go\nF(x int) error\n```\n\n```sh\ngo run .\n```\n"
	got := markdownSnippets("t.md", []byte(md))
	if len(got) != 1 || got[0].where != "t.md:3" || got[0].text != "x := 1" {
		t.Errorf("markdownSnippets = %q, want only the unmarked go block", got)
	}

	for text, want := range map[string]bool{
		"rt := noex.NewRuntime(noex.WithSeed(1))\nrt.Run(ctx, func(ctx context.Context) error { ... })": true,
		"func main() { run.Main(demo) }":                      true,
		"go run ./chapters/02-ipc/counter":                    false,
		"bash .ci/jaeger.sh build":                            false,
		"-seed N    deterministic mode with seed N":           false,
		"// listing: NAME\n...\n// end listing":               false,
		"[noex] seed=42 To reproduce, specify: go test":       false,
		"processes: main, counter\n  main ──start──▶ counter": false,
	} {
		if got := isGo(text); got != want {
			t.Errorf("isGo(%q) = %v, want %v", text, got, want)
		}
	}
}
