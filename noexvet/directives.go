package noexvet

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// The directives: one silences findings, the other marks a function type
// whose values run on the deterministic path.
const (
	ignoreDirective = "//noexvet:ignore"
	rootDirective   = "//noexvet:root"
)

// lineKey is one line of one file.
type lineKey struct {
	file *token.File
	line int
}

// directives are what the directives of one package say: the lines, files
// and functions that //noexvet:ignore silences, and the function types
// that //noexvet:root marks.
type directives struct {
	fset  *token.FileSet
	lines map[lineKey]bool
	files map[*token.File]bool // silenced as a whole, by the package clause's doc comment
	funcs map[*ast.FuncDecl]bool
	roots []*types.TypeName // function types marked //noexvet:root
}

// parseDirectives reads every directive of the package's files and reports
// the ignores without a reason and the roots on other than function types. A directive silences its own line and the next
// one; in a function's doc comment, it silences the whole function; in the
// doc comment of a file's package clause, the whole file.
func parseDirectives(pass *analysis.Pass) *directives {
	ig := &directives{fset: pass.Fset, lines: map[lineKey]bool{}, files: map[*token.File]bool{},
		funcs: map[*ast.FuncDecl]bool{}}
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.Pos())
		for _, g := range f.Comments {
			for _, c := range g.List {
				reason, ok := parseDirective(c.Text)
				if !ok {
					continue
				}
				if reason == "" {
					pass.Report(analysis.Diagnostic{
						Pos:      c.Pos(),
						End:      c.End(),
						Category: RuleIgnore,
						Message:  "noexvet:ignore needs a reason: //noexvet:ignore <why this is safe>",
					})
					continue
				}
				line := tf.Line(c.Pos())
				ig.lines[lineKey{tf, line}] = true
				ig.lines[lineKey{tf, line + 1}] = true
			}
		}
		if hasIgnore(f.Doc) {
			ig.files[tf] = true
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if ig.files[tf] {
					ig.funcs[d] = true
					continue
				}
				if d.Doc == nil {
					continue
				}
				if hasIgnore(d.Doc) {
					ig.funcs[d] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					doc := ts.Doc
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					if !hasRootDirective(doc) {
						continue
					}
					tn, ok := pass.TypesInfo.Defs[ts.Name].(*types.TypeName)
					if !ok {
						continue
					}
					if _, isFunc := tn.Type().Underlying().(*types.Signature); isFunc {
						ig.roots = append(ig.roots, tn)
					} else {
						pass.Report(analysis.Diagnostic{Pos: ts.Pos(), End: ts.Name.End(), Category: RuleIgnore,
							Message: "noexvet:root marks function types only"})
					}
				}
			}
		}
	}
	return ig
}

// hasIgnore reports whether a doc comment holds a directive with a reason.
func hasIgnore(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if reason, ok := parseDirective(c.Text); ok && reason != "" {
			return true
		}
	}
	return false
}

func hasRootDirective(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if rest, ok := strings.CutPrefix(c.Text, rootDirective); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return true
		}
	}
	return false
}

// parseDirective reports whether the comment text is a directive, and its
// reason.
func parseDirective(text string) (reason string, ok bool) {
	rest, ok := strings.CutPrefix(text, ignoreDirective)
	if !ok {
		return "", false
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // //noexvet:ignored, another word
	}
	// A comment that follows is not a reason: "//noexvet:ignore // TODO".
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(rest), true
}

// silenced reports whether a finding at pos is silenced by a directive on
// its line or the line above.
func (ig *directives) silenced(pos token.Pos) bool {
	tf := ig.fset.File(pos)
	if tf == nil {
		return false
	}
	return ig.files[tf] || ig.lines[lineKey{tf, tf.Line(pos)}]
}
