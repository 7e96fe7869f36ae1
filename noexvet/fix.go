package noexvet

import (
	"go/ast"
	"go/token"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
)

// fix returns the suggested fix of an escape, or nil: only calls of the
// kinds in fixKind have one, and only where a context.Context parameter of
// an enclosing function is in scope (the handler's ctx) and the file can
// refer to package noex (it imports it, or the name noex is free and the
// fix adds the import).
func (a *analyzer) fix(it item) *analysis.SuggestedFix {
	call := it.call
	if call == nil || it.rule.fix == fixNone {
		return nil
	}
	file := a.fileOf(call.Pos())
	if file == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, call.Pos(), call.End())
	ctx := a.contextInScope(path, call.Pos())
	if ctx == "" {
		return nil
	}
	noex, edits, ok := a.noexName(file, call.Pos())
	if !ok {
		return nil
	}
	var text string
	switch it.rule.fix {
	case fixSleep:
		if len(call.Args) != 1 {
			return nil
		}
		text = noex + ".Sleep(" + ctx + ", d)"
		edits = append(edits,
			analysis.TextEdit{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(noex + ".Sleep")},
			analysis.TextEdit{Pos: call.Lparen + 1, End: call.Lparen + 1, NewText: []byte(ctx + ", ")})
	case fixNow:
		if len(call.Args) != 0 {
			return nil
		}
		text = noex + ".Now(" + ctx + ")"
		edits = append(edits, analysis.TextEdit{Pos: call.Pos(), End: call.End(), NewText: []byte(text)})
	case fixSince:
		if len(call.Args) != 1 {
			return nil
		}
		text = noex + ".Now(" + ctx + ").Sub(t)"
		edits = append(edits, analysis.TextEdit{Pos: call.Fun.Pos(), End: call.Fun.End(),
			NewText: []byte(noex + ".Now(" + ctx + ").Sub")})
	case fixUntil:
		if len(call.Args) != 1 {
			return nil
		}
		text = "t.Sub(" + noex + ".Now(" + ctx + "))"
		arg := call.Args[0]
		open, close := "", ""
		if !isPrimary(arg) {
			open, close = "(", ")"
		}
		edits = append(edits,
			analysis.TextEdit{Pos: call.Pos(), End: arg.Pos(), NewText: []byte(open)},
			analysis.TextEdit{Pos: arg.End(), End: call.End(), NewText: []byte(close + ".Sub(" + noex + ".Now(" + ctx + "))")})
	case fixRand:
		text = noex + ".Rand(" + ctx + ")." + it.rule.method
		edits = append(edits, analysis.TextEdit{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(text)})
	}
	return &analysis.SuggestedFix{Message: "Replace " + it.rule.what + " with " + text, TextEdits: edits}
}

// isPrimary reports whether e can take a method call without parentheses.
func isPrimary(e ast.Expr) bool {
	switch e.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr, *ast.ParenExpr, *ast.CompositeLit:
		return true
	}
	return false
}

func (a *analyzer) fileOf(pos token.Pos) *ast.File {
	for _, f := range a.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// contextInScope returns the name of the innermost context.Context
// parameter of the functions enclosing pos (path, innermost first) that
// pos can refer to; "" if there is none.
func (a *analyzer) contextInScope(path []ast.Node, pos token.Pos) string {
	scope := a.pass.Pkg.Scope().Innermost(pos)
	for _, n := range path {
		var ft *ast.FuncType
		switch n := n.(type) {
		case *ast.FuncLit:
			ft = n.Type
		case *ast.FuncDecl:
			ft = n.Type
		default:
			continue
		}
		for _, field := range ft.Params.List {
			if !isContext(a.info.TypeOf(field.Type)) {
				continue
			}
			for _, name := range field.Names {
				obj := a.info.Defs[name]
				if obj == nil || name.Name == "_" || scope == nil {
					continue
				}
				if _, found := scope.LookupParent(name.Name, pos); found == obj {
					return name.Name
				}
			}
		}
	}
	return ""
}

// noexName returns the name by which the file refers to package noex at
// pos, with the edit that imports it if the file does not yet; ok is false
// if the file cannot refer to it (a dot or blank import, or the name noex
// taken by something else).
func (a *analyzer) noexName(file *ast.File, pos token.Pos) (name string, edits []analysis.TextEdit, ok bool) {
	for _, spec := range file.Imports {
		if p, err := strconv.Unquote(spec.Path.Value); err != nil || p != noexPath {
			continue
		}
		if spec.Name == nil {
			return "noex", nil, true
		}
		if spec.Name.Name == "_" || spec.Name.Name == "." {
			return "", nil, false
		}
		return spec.Name.Name, nil, true
	}
	if scope := a.pass.Pkg.Scope().Innermost(pos); scope != nil {
		if _, obj := scope.LookupParent("noex", pos); obj != nil {
			return "", nil, false
		}
	}
	quoted := strconv.Quote(noexPath)
	var last *ast.GenDecl
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			last = g
		}
	}
	var edit analysis.TextEdit
	switch {
	case last == nil:
		edit = analysis.TextEdit{Pos: file.Name.End(), End: file.Name.End(), NewText: []byte("\n\nimport " + quoted)}
	case last.Lparen.IsValid():
		edit = analysis.TextEdit{Pos: last.Rparen, End: last.Rparen, NewText: []byte("\t" + quoted + "\n")}
	default:
		edit = analysis.TextEdit{Pos: last.End(), End: last.End(), NewText: []byte("\nimport " + quoted)}
	}
	return "noex", []analysis.TextEdit{edit}, true
}
