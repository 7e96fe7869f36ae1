package noexvet

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// item is one thing a function body does that matters here, in source
// order: an escape of its own, or a static call to a function that may
// escape (one of this package, or one with a fact).
type item struct {
	pos, end token.Pos
	rule     *escapeRule   // an escape of the body itself
	call     *ast.CallExpr // the call, for fixes, if the escape is a call
	callee   *types.Func   // otherwise, the function called
}

// scan returns the items of a function (a *ast.FuncDecl or *ast.FuncLit),
// including those of the function literals inside it: a closure defined in
// a function is taken to run as part of it. The body of a go statement is
// not scanned: the statement itself is the escape. Items on lines silenced
// by a directive are left out.
func (a *analyzer) scan(fn ast.Node) []item {
	var items []item
	add := func(pos, end token.Pos, r *escapeRule, call *ast.CallExpr) {
		if !a.dirs.silenced(pos) {
			items = append(items, item{pos: pos, end: end, rule: r, call: call})
		}
	}
	var funcs []ast.Node // the enclosing functions, innermost last
	var inspect func(n ast.Node)
	var visit func(n ast.Node) bool
	inspect = func(n ast.Node) { ast.Inspect(n, visit) }
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case nil:
			return true
		case *ast.FuncDecl, *ast.FuncLit:
			funcs = append(funcs, n)
			var body *ast.BlockStmt
			if d, ok := n.(*ast.FuncDecl); ok {
				body = d.Body
			} else {
				body = n.(*ast.FuncLit).Body
			}
			if body != nil {
				inspect(body)
			}
			funcs = funcs[:len(funcs)-1]
			return false
		case *ast.GoStmt:
			add(n.Pos(), n.Call.Pos(), &goRule, nil)
			return false
		case *ast.SendStmt:
			add(n.Pos(), n.End(), &sendRule, nil)
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				add(n.Pos(), n.End(), &recvRule, nil)
			}
		case *ast.SelectStmt:
			add(n.Pos(), n.Body.Lbrace, &selectRule, nil)
			for _, s := range n.Body.List {
				cc := s.(*ast.CommClause)
				for _, st := range cc.Body {
					inspect(st)
				}
			}
			return false
		case *ast.RangeStmt:
			if t := a.info.TypeOf(n.X); t != nil {
				if _, ok := t.Underlying().(*types.Chan); ok {
					add(n.Pos(), n.X.End(), &rangeChanRule, nil)
				}
			}
			if r := a.mapOrder(n, funcs[len(funcs)-1]); r != nil {
				add(n.Pos(), n.X.End(), r, nil)
			}
		case *ast.CallExpr:
			fun := ast.Unparen(n.Fun)
			switch f := fun.(type) {
			case *ast.IndexExpr:
				fun = f.X
			case *ast.IndexListExpr:
				fun = f.X
			}
			if fn := a.funcOf(fun); fn != nil {
				if r := funcRule(fn); r != nil {
					add(n.Pos(), n.End(), r, n)
					if sel, ok := fun.(*ast.SelectorExpr); ok && a.info.Selections[sel] != nil {
						inspect(sel.X) // the receiver
					}
					for _, arg := range n.Args {
						inspect(arg)
					}
					return false
				}
			}
			if fn := typeutil.StaticCallee(a.info, n); fn != nil && a.mayEscape(fn) && !a.dirs.silenced(n.Pos()) {
				items = append(items, item{pos: n.Pos(), end: n.End(), callee: fn.Origin()})
			}
		case *ast.SelectorExpr:
			// A flagged function used as a value: clock := time.Now.
			if fn, ok := a.info.Uses[n.Sel].(*types.Func); ok {
				if r := funcRule(fn); r != nil {
					add(n.Pos(), n.End(), r, nil)
					return false
				}
			}
		case *ast.Ident:
			// A flagged function from a dot import.
			if fn, ok := a.info.Uses[n].(*types.Func); ok {
				if r := funcRule(fn); r != nil {
					add(n.Pos(), n.End(), r, nil)
				}
			}
		}
		return true
	}
	inspect(fn)
	return items
}

// funcOf returns the function an expression names, if any: an identifier
// or a selector (package-qualified, or a method).
func (a *analyzer) funcOf(e ast.Expr) *types.Func {
	switch e := e.(type) {
	case *ast.Ident:
		fn, _ := a.info.Uses[e].(*types.Func)
		return fn
	case *ast.SelectorExpr:
		fn, _ := a.info.Uses[e.Sel].(*types.Func)
		return fn
	}
	return nil
}

// mayEscape reports whether a call to fn is worth recording: fn belongs to
// this package, or to another package of the module, which may have
// exported a fact for it.
func (a *analyzer) mayEscape(fn *types.Func) bool {
	if fn.Pkg() == nil {
		return false
	}
	if fn.Pkg() == a.pass.Pkg {
		return true
	}
	var f escapeFact
	return a.pass.ImportObjectFact(fn.Origin(), &f)
}
