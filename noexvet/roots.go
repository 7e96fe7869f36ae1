package noexvet

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/types/typeutil"
)

// roots are the entries of the deterministic path found in one package.
type roots struct {
	decls []*ast.FuncDecl // functions and methods of the package
	lits  []*ast.FuncLit  // function literals handed to the runtime
	refs  []refRoot       // functions of other packages handed to the runtime
}

// refRoot is a function of another package that escapes, handed to the
// runtime by name (noex.Subscribe(ctx, bus, "p", other.Handle)).
type refRoot struct {
	pos, end token.Pos
	verb     string // "passes", or "embeds" for a promoted method
	ref      funcRef
	fact     *escapeFact
}

// behaviorMethods are the methods of a Behavior (with InfoHandler and
// Terminator) that run on the deterministic path.
var behaviorMethods = []string{"Init", "HandleCall", "HandleCast", "HandleInfo", "Terminate"}

// bodyArgs are the functions that take a function to run on the
// deterministic path, by full name, with the index of that argument.
var bodyArgs = map[string]int{
	noexPath + ".Subscribe":                  3,
	"(*" + noexPath + ".Runtime).Run":        1,
	"(*" + noextestPath + ".Runtime).Run":    0,
	"(*" + noextestPath + ".Runtime).RunErr": 0,
	noextestPath + ".ProbeReplies":           0,
}

// findRoots returns the package's entries of the deterministic path: the
// methods of its types that have the shape of a noex.Behavior, the
// functions given to Subscribe, Run (of noex and of noextest) and
// noextest.ProbeReplies, and the Start functions of ChildSpecs.
func (a *analyzer) findRoots() *roots {
	r := &roots{}
	seen := map[*ast.FuncDecl]bool{}
	addDecl := func(fd *ast.FuncDecl) {
		if fd != nil && !seen[fd] && !a.dirs.funcs[fd] {
			seen[fd] = true
			r.decls = append(r.decls, fd)
		}
	}
	// Behaviors, by shape: a type whose method set has Init, HandleCall and
	// HandleCast with the signatures of noex.Behavior.
	scope := a.pass.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || types.IsInterface(named) || a.dirs.silenced(tn.Pos()) {
			continue
		}
		mset := types.NewMethodSet(types.NewPointer(named))
		if !isBehavior(mset) {
			continue
		}
		for _, m := range behaviorMethods {
			sel := mset.Lookup(nil, m)
			if sel == nil {
				continue
			}
			fn := sel.Obj().(*types.Func).Origin()
			if fd, ok := a.decls[fn]; ok {
				addDecl(fd)
			} else if f := a.calleeFact(fn); f != nil {
				// Promoted from an embedded type of another package.
				r.refs = append(r.refs, refRoot{pos: tn.Pos(), end: tn.Pos() + token.Pos(len(tn.Name())), verb: "embeds", ref: refOf(fn), fact: f})
			}
		}
	}
	// Functions handed to the runtime.
	root := func(e ast.Expr) {
		e = ast.Unparen(e)
		if lit, ok := e.(*ast.FuncLit); ok {
			r.lits = append(r.lits, lit)
			return
		}
		fn := a.funcOf(e)
		if fn == nil {
			return // a variable, a parameter, a field: not followed
		}
		fn = fn.Origin()
		if fd, ok := a.decls[fn]; ok {
			addDecl(fd)
		} else if f := a.calleeFact(fn); f != nil && !a.dirs.silenced(e.Pos()) {
			r.refs = append(r.refs, refRoot{pos: e.Pos(), end: e.End(), verb: "passes", ref: refOf(fn), fact: f})
		}
	}
	for _, f := range a.pass.Files {
		if a.dirs.files[a.pass.Fset.File(f.Pos())] {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				return !a.dirs.funcs[n] // silenced as a whole, with what it hands to the runtime
			case *ast.CallExpr:
				if tv, ok := a.info.Types[n.Fun]; ok && tv.IsType() {
					// A conversion: Phase(demo).
					if len(n.Args) == 1 && a.isRootType(tv.Type) {
						root(n.Args[0])
					}
					return true
				}
				if fn, ok := typeutil.Callee(a.info, n).(*types.Func); ok {
					if i, ok := bodyArgs[fn.FullName()]; ok && i < len(n.Args) {
						root(n.Args[i])
					}
				}
				if sig, ok := types.Unalias(a.info.TypeOf(n.Fun)).(*types.Signature); ok {
					for i, arg := range n.Args {
						if a.isRootType(paramType(sig, i, n.Ellipsis.IsValid())) {
							root(arg)
						}
					}
				}
			case *ast.CompositeLit:
				if !a.isChildSpec(a.info.TypeOf(n)) {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Start" {
							root(kv.Value)
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
					if ok && sel.Sel.Name == "Start" && len(n.Rhs) == len(n.Lhs) && a.isChildSpec(a.info.TypeOf(sel.X)) {
						root(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	return r
}

// paramType is the type of the parameter that the i-th argument of a call
// is given to; nil if there is none.
func paramType(sig *types.Signature, i int, ellipsis bool) types.Type {
	n := sig.Params().Len()
	if n == 0 {
		return nil
	}
	if sig.Variadic() && i >= n-1 {
		t := sig.Params().At(n - 1).Type()
		if ellipsis {
			return t
		}
		if s, ok := t.Underlying().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i >= n {
		return nil
	}
	return sig.Params().At(i).Type()
}

// isRootType reports whether t is a function type marked //noexvet:root,
// in this package or (by its fact) in another.
func (a *analyzer) isRootType(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	tn := n.Origin().Obj()
	if tn.Pkg() == a.pass.Pkg {
		return slices.Contains(a.dirs.roots, tn)
	}
	return tn.Pkg() != nil && a.pass.ImportObjectFact(tn, new(rootFact))
}

// isChildSpec reports whether t is noex.ChildSpec or a pointer to it.
func (a *analyzer) isChildSpec(t types.Type) bool {
	if t == nil {
		return false
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == noexPath && n.Obj().Name() == "ChildSpec"
}

// isBehavior reports whether a method set has the shape of noex.Behavior:
//
//	Init(ctx context.Context) (S, error)
//	HandleCall(ctx context.Context, msg C, state S) (R, S, error)
//	HandleCast(ctx context.Context, msg K, state S) (S, error)
func isBehavior(mset *types.MethodSet) bool {
	return hasShape(mset, "Init", 1, 2) && hasShape(mset, "HandleCall", 3, 3) && hasShape(mset, "HandleCast", 3, 2)
}

func hasShape(mset *types.MethodSet, name string, params, results int) bool {
	sel := mset.Lookup(nil, name)
	if sel == nil {
		return false
	}
	sig := sel.Type().(*types.Signature)
	if sig.Params().Len() != params || sig.Results().Len() != results {
		return false
	}
	return isContext(sig.Params().At(0).Type()) && isError(sig.Results().At(results-1).Type())
}

func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}
