package noexvet

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// noexSends are the functions of package noex through which the order of a
// loop reaches other processes.
var noexSends = set("Call", "Cast", "Send", "Publish", "PublishSync", "SendAfter",
	"Start", "StartBus", "StartSupervisor", "StartChild", "Stop", "Kill", "Monitor",
	"Subscribe", "SubscribeMailbox", "TerminateChild", "RestartChild", "DeleteChild")

// sortFuncs sort their first argument in place.
var sortFuncs = set("sort.Strings", "sort.Ints", "sort.Float64s", "sort.Slice",
	"sort.SliceStable", "sort.Sort", "sort.Stable", "slices.Sort", "slices.SortFunc",
	"slices.SortStableFunc")

// mapOrder returns the escape of a range statement over a map (or over
// maps.Keys, maps.Values or maps.All of one) whose order reaches a send, a
// reply, output, or a slice or string that outlives the loop and is not
// sorted later in fn, the function that holds the loop; nil if there is
// none.
func (a *analyzer) mapOrder(rs *ast.RangeStmt, fn ast.Node) *escapeRule {
	m := a.rangedMap(rs.X)
	if m == nil {
		return nil
	}
	var sink, what string // sink: "sends", "writes output", …; what: the call or variable
	ast.Inspect(rs.Body, func(n ast.Node) bool {
		if sink != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			if s := a.callSink(rs, n); s != "" {
				sink, what = s, types.ExprString(n.Fun)
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if !a.outlives(rs, lhs) {
					continue
				}
				switch {
				case n.Tok == token.ASSIGN && len(n.Rhs) == len(n.Lhs) && a.isAppend(n.Rhs[i]):
					if !a.sortedAfter(fn, rs, lhs) {
						sink, what = "appends to", types.ExprString(lhs)
					}
				case n.Tok == token.ADD_ASSIGN && isString(a.info.TypeOf(lhs)):
					sink, what = "builds", types.ExprString(lhs)
				}
			}
		}
		return true
	})
	if sink == "" {
		return nil
	}
	fix := "range over " + a.sortedKeys(rs.X, m)
	var msg, action string
	switch sink {
	case "appends to":
		msg = "range over a map appends to " + what + " in an order that changes from run to run; " +
			"sort " + what + " after the loop, or " + fix
		action = "ranges over a map and appends to " + what + " in its order"
	case "builds":
		msg = "range over a map builds " + what + " in an order that changes from run to run; " + fix
		action = "ranges over a map and builds " + what + " in its order"
	default:
		msg = "range over a map " + sink + " (" + what + ") in an order that changes from run to run; " + fix
		action = "ranges over a map and " + sink + " (" + what + ") in its order"
	}
	return &escapeRule{rule: RuleMapOrder, what: "range over a map", action: action, msg: msg}
}

// rangedMap returns the map type a range expression iterates over: a map,
// or maps.Keys, maps.Values or maps.All of a map.
func (a *analyzer) rangedMap(x ast.Expr) *types.Map {
	if t := a.info.TypeOf(x); t != nil {
		if m, ok := t.Underlying().(*types.Map); ok {
			return m
		}
	}
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil
	}
	fn, ok := typeutil.Callee(a.info, call).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "maps" {
		return nil
	}
	switch fn.Name() {
	case "Keys", "Values", "All":
		return a.rangedMap(call.Args[0])
	}
	return nil
}

// sortedKeys is the advice for iterating over the map of x in a fixed
// order.
func (a *analyzer) sortedKeys(x ast.Expr, m *types.Map) string {
	if call, ok := ast.Unparen(x).(*ast.CallExpr); ok && a.info.TypeOf(x) != nil {
		if _, isMap := a.info.TypeOf(x).Underlying().(*types.Map); !isMap {
			x = call.Args[0] // maps.Keys(m) and the like
		}
	}
	if b, ok := m.Key().Underlying().(*types.Basic); ok && b.Info()&types.IsOrdered != 0 {
		return "slices.Sorted(maps.Keys(" + types.ExprString(x) + "))"
	}
	return "the keys of " + types.ExprString(x) + " in a fixed order"
}

// callSink returns what a call in the body of rs does with the loop's order:
// "sends" (a noex operation), "replies", "writes output"; "" if nothing.
func (a *analyzer) callSink(rs *ast.RangeStmt, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(a.info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	path, name := fn.Pkg().Path(), fn.Name()
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		switch {
		case path == noexPath && noexSends[name]:
			return "sends"
		case path == "fmt" && (strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint")):
			return "writes output"
		case path == "log" && isLogName(name):
			return "writes output"
		case path == "log/slog" && isSlogName(name):
			return "writes output"
		case path == "io" && name == "WriteString":
			return "writes output"
		}
		return ""
	}
	switch {
	case fn.FullName() == "(*"+noexPath+".Deferred).Reply":
		return "replies"
	case path == "log" && isLogName(name), path == "log/slog" && isSlogName(name):
		return "writes output"
	case name == "Write" || name == "WriteString" || name == "WriteByte" || name == "WriteRune":
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && a.outlives(rs, sel.X) {
			return "writes output"
		}
	}
	return ""
}

func isLogName(name string) bool {
	return strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fatal") ||
		strings.HasPrefix(name, "Panic") || name == "Output"
}

func isSlogName(name string) bool {
	switch strings.TrimSuffix(name, "Context") {
	case "Debug", "Info", "Warn", "Error", "Log", "LogAttrs":
		return true
	}
	return false
}

// outlives reports whether the variable an expression (x, x.f, x[i], *x)
// is rooted in is declared outside the range statement, so that what is
// stored in it outlives the loop.
func (a *analyzer) outlives(rs *ast.RangeStmt, e ast.Expr) bool {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if _, isPkg := a.info.Uses[identOf(x.X)].(*types.PkgName); isPkg {
				return true // a package-level variable of another package
			}
			e = x.X
			continue
		case *ast.IndexExpr:
			e = x.X
			continue
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.Ident:
			obj := a.info.ObjectOf(x)
			if obj == nil {
				return false // the blank identifier
			}
			return obj.Pos() < rs.Pos() || obj.Pos() >= rs.End()
		}
		return true // rooted in a call's result: assume it does
	}
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

// isAppend reports whether e is a call of the builtin append.
func (a *analyzer) isAppend(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	b, ok := typeutil.Callee(a.info, call).(*types.Builtin)
	return ok && b.Name() == "append"
}

func isString(t types.Type) bool {
	b, ok := t.(*types.Basic)
	if t != nil && !ok {
		b, ok = t.Underlying().(*types.Basic)
	}
	return ok && b.Info()&types.IsString != 0
}

// sortedAfter reports whether fn sorts target (sort.Strings, slices.Sort,
// sort.Sort(byName(target)), …) after the range statement.
func (a *analyzer) sortedAfter(fn ast.Node, rs *ast.RangeStmt, target ast.Expr) bool {
	want := types.ExprString(target)
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if found || !ok || call.Pos() < rs.End() || len(call.Args) == 0 {
			return !found
		}
		f, ok := typeutil.Callee(a.info, call).(*types.Func)
		if !ok || f.Pkg() == nil || !sortFuncs[f.Pkg().Path()+"."+f.Name()] {
			return true
		}
		arg := ast.Unparen(call.Args[0])
		// sort.Sort(byName(x)): look through the conversion.
		if conv, ok := arg.(*ast.CallExpr); ok && len(conv.Args) == 1 {
			if tv, ok := a.info.Types[conv.Fun]; ok && tv.IsType() {
				arg = ast.Unparen(conv.Args[0])
			}
		}
		if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.AND {
			arg = u.X
		}
		if types.ExprString(arg) == want {
			found = true
		}
		return !found
	})
	return found
}
