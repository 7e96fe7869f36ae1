package noexvet

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
)

// escapeFact is the fact exported for every function of the module that
// escapes the runtime, directly or through the functions it calls: the
// first escape on the shortest chain of calls, and that chain.
type escapeFact struct {
	Rule   string         // the escape's rule
	Action string         // the escape, as it reads in a chain: "calls time.Sleep"
	Msg    string         // the escape's own message
	Pos    token.Position // where the escape is
	Via    []funcRef      // the functions called on the way, after this one
}

func (*escapeFact) AFact() {}

func (f *escapeFact) String() string {
	var b strings.Builder
	for _, v := range f.Via {
		b.WriteString("calls " + v.in(nil) + ", which ")
	}
	fmt.Fprintf(&b, "%s at %s:%d", f.Action, filepath.Base(f.Pos.Filename), f.Pos.Line)
	return b.String()
}

// rootFact marks a function type declared with //noexvet:root: the
// functions given as values of the type run on the deterministic path.
type rootFact struct{}

func (*rootFact) AFact() {}

func (*rootFact) String() string { return "noexvet:root" }

// funcRef names a function in a chain of calls.
type funcRef struct {
	Pkg     string // the package's path
	PkgName string // the package's name
	Name    string // "wait", "T.m" or "(*T).m"
}

func refOf(fn *types.Func) funcRef {
	fn = fn.Origin()
	r := funcRef{Pkg: fn.Pkg().Path(), PkgName: fn.Pkg().Name(), Name: fn.Name()}
	if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
		t := recv.Type()
		ptr := false
		if p, ok := t.(*types.Pointer); ok {
			t, ptr = p.Elem(), true
		}
		tname := types.TypeString(t, func(*types.Package) string { return "" })
		if i := strings.IndexByte(tname, '['); i >= 0 {
			tname = tname[:i] // T[K, V] reads as T
		}
		if ptr {
			r.Name = "(*" + tname + ")." + fn.Name()
		} else {
			r.Name = tname + "." + fn.Name()
		}
	}
	return r
}

// in returns the function's name as seen from package pkg: unqualified in
// its own package, qualified by the package's name elsewhere.
func (r funcRef) in(pkg *types.Package) string {
	if pkg != nil && pkg.Path() == r.Pkg {
		return r.Name
	}
	if strings.HasPrefix(r.Name, "(*") {
		return "(*" + r.PkgName + "." + r.Name[2:]
	}
	return r.PkgName + "." + r.Name
}

// chainMessage is the message for a call, seen from package pkg, to fn,
// whose fact is f: "calls wait, which calls time.Sleep at util.go:9:
// time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)". verb
// is "calls" for a call and "passes" for a function handed to the runtime.
func chainMessage(pkg *types.Package, verb string, fn funcRef, f *escapeFact) string {
	var b strings.Builder
	b.WriteString(verb + " " + fn.in(pkg) + ", which ")
	for _, v := range f.Via {
		b.WriteString("calls " + v.in(pkg) + ", which ")
	}
	fmt.Fprintf(&b, "%s at %s:%d: %s", f.Action, filepath.Base(f.Pos.Filename), f.Pos.Line, f.Msg)
	return b.String()
}
