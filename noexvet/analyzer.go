package noexvet

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// The import paths the analyzer knows by name.
const (
	noexPath     = "github.com/noex-go/noex/noex"
	noextestPath = "github.com/noex-go/noex/noextest"
)

// Analyzer reports code on the deterministic path of noex programs that
// escapes the runtime: the wall clock, global randomness, goroutines,
// channels, sync waits, map order that reaches the outside, and I/O. See
// the package documentation for the rules.
var Analyzer = &analysis.Analyzer{
	Name:      "noexvet",
	Doc:       doc,
	Run:       run,
	FactTypes: []analysis.Fact{new(escapeFact), new(rootFact)},
}

const doc = `report escapes from noex's deterministic runtime

noexvet finds the code that runs on the deterministic path of a noex
program (the handlers of every Behavior, EventBus handlers, Run bodies,
supervisor child starters, and the functions of the module they call) and
reports what the runtime can neither schedule nor replay: time.Now,
time.Sleep and the other wall-clock functions, global math/rand, go
statements, channel operations, sync waits, ranging over a map whose order
reaches a send, a reply or output, and network and file I/O. Each report
names the runtime's replacement; time.Sleep, time.Now, time.Since,
time.Until and global rand calls come with a suggested fix.

A comment "//noexvet:ignore <reason>" on the line or the line above, or in
a function's doc comment, silences the findings there.`

// isRuntime reports whether path is one of the runtime's own packages
// (noex and the packages under it, with their tests), which the analyzer
// neither checks nor follows calls into: their blocking is what the
// runtime schedules.
func isRuntime(path string) bool {
	path = strings.TrimSuffix(path, "_test")
	return path == noexPath || strings.HasPrefix(path, noexPath+"/")
}

// inModule reports whether the pass's package belongs to the main module,
// whose functions the analyzer summarizes. Without module information
// (GOPATH mode), every package outside GOROOT does.
func inModule(pass *analysis.Pass) bool {
	if m := pass.Module; m != nil && m.Path != "" {
		return m.Main || m.Version == ""
	}
	root := filepath.Join(build.Default.GOROOT, "src") + string(filepath.Separator)
	for _, f := range pass.Files {
		return !strings.HasPrefix(pass.Fset.File(f.Pos()).Name(), root)
	}
	return false
}

// analyzer holds the state of one pass.
type analyzer struct {
	pass *analysis.Pass
	info *types.Info
	dirs *directives

	decls map[*types.Func]*ast.FuncDecl // the package's functions and methods
	funcs []*summary                    // the same, in source order
	sums  map[*types.Func]*summary

	reported map[reportKey]bool
}

// summary is what the analyzer knows of one function of the package.
type summary struct {
	fn    *types.Func
	decl  *ast.FuncDecl
	items []item
	dist  int // the length of the shortest chain of calls to an escape; -1: none
	fact  *escapeFact
}

type reportKey struct {
	pos token.Pos
	msg string
}

func run(pass *analysis.Pass) (any, error) {
	if isRuntime(pass.Pkg.Path()) || !inModule(pass) {
		return nil, nil
	}
	a := &analyzer{
		pass:     pass,
		info:     pass.TypesInfo,
		dirs:     parseDirectives(pass),
		decls:    map[*types.Func]*ast.FuncDecl{},
		sums:     map[*types.Func]*summary{},
		reported: map[reportKey]bool{},
	}
	for _, tn := range a.dirs.roots {
		pass.ExportObjectFact(tn, new(rootFact))
	}
	a.summarize()
	a.solve()
	for _, s := range a.funcs {
		// Only a function with an exported name can be called from
		// another package.
		if s.fact != nil && s.fn.Exported() {
			pass.ExportObjectFact(s.fn, s.fact)
		}
	}
	a.report()
	return nil, nil
}

// summarize scans every function of the package.
func (a *analyzer) summarize() {
	for _, f := range a.pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn, ok := a.info.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			s := &summary{fn: fn, decl: fd, dist: -1}
			if !a.dirs.funcs[fd] {
				s.items = a.scan(fd)
			}
			a.decls[fn] = fd
			a.funcs = append(a.funcs, s)
			a.sums[fn] = s
		}
	}
}

// solve computes, for every function of the package, the shortest chain
// of static calls that leads to an escape, following calls within the
// package and, through facts, into the other packages of the module, and
// builds the fact of every function that escapes. The first escape in
// source order among those at the shortest distance is the one reported.
func (a *analyzer) solve() {
	for changed := true; changed; {
		changed = false
		for _, s := range a.funcs {
			d := a.distance(s)
			if d >= 0 && (s.dist < 0 || d < s.dist) {
				s.dist, changed = d, true
			}
		}
	}
	// Facts, shortest chains first, so a caller finds its callee's fact.
	order := slices.Clone(a.funcs)
	slices.SortStableFunc(order, func(x, y *summary) int { return x.dist - y.dist })
	for _, s := range order {
		if s.dist < 0 {
			continue
		}
		for _, it := range s.items {
			if it.rule != nil && s.dist == 0 {
				s.fact = a.newFact(it)
				break
			}
			if f := a.calleeFact(it.callee); f != nil && len(f.Via)+1 == s.dist {
				s.fact = &escapeFact{Rule: f.Rule, Action: f.Action, Msg: f.Msg, Pos: f.Pos,
					Via: append([]funcRef{refOf(it.callee)}, f.Via...)}
				break
			}
		}
	}
}

// distance is the length of s's shortest chain of calls to an escape given
// what is known of its callees so far; -1 if none is known.
func (a *analyzer) distance(s *summary) int {
	best := -1
	for _, it := range s.items {
		d := -1
		if it.rule != nil {
			d = 0
		} else if c, ok := a.sums[it.callee]; ok {
			if c.dist >= 0 {
				d = c.dist + 1
			}
		} else if f := a.calleeFact(it.callee); f != nil {
			d = len(f.Via) + 1
		}
		if d >= 0 && (best < 0 || d < best) {
			best = d
		}
	}
	return best
}

// calleeFact returns the fact of a function called, of this package (once
// solved) or another; nil if it does not escape.
func (a *analyzer) calleeFact(fn *types.Func) *escapeFact {
	if fn == nil {
		return nil
	}
	if s, ok := a.sums[fn]; ok {
		return s.fact
	}
	if fn.Pkg() == a.pass.Pkg {
		return nil // declared without a body
	}
	f := new(escapeFact)
	if a.pass.ImportObjectFact(fn, f) {
		return f
	}
	return nil
}

func (a *analyzer) newFact(it item) *escapeFact {
	return &escapeFact{Rule: it.rule.rule, Action: it.rule.action, Msg: it.rule.msg,
		Pos: a.pass.Fset.Position(it.pos)}
}

// report reports the escapes of every function on the deterministic path.
func (a *analyzer) report() {
	r := a.findRoots()
	for _, fd := range r.decls {
		a.reportItems(a.sums[a.info.Defs[fd.Name].(*types.Func)].items)
	}
	for _, lit := range r.lits {
		a.reportItems(a.scan(lit))
	}
	for _, ref := range r.refs {
		a.reportf(ref.pos, ref.end, ref.fact.Rule, "%s", chainMessage(a.pass.Pkg, ref.verb, ref.ref, ref.fact))
	}
}

// reportItems reports the items of one root.
func (a *analyzer) reportItems(items []item) {
	for _, it := range items {
		if it.rule != nil {
			a.reportEscape(it)
			continue
		}
		if f := a.calleeFact(it.callee); f != nil {
			a.reportf(it.pos, it.end, f.Rule, "%s", chainMessage(a.pass.Pkg, "calls", refOf(it.callee), f))
		}
	}
}

func (a *analyzer) reportEscape(it item) {
	d := analysis.Diagnostic{Pos: it.pos, End: it.end, Category: it.rule.rule, Message: it.rule.msg}
	if a.reported[reportKey{d.Pos, d.Message}] {
		return
	}
	a.reported[reportKey{d.Pos, d.Message}] = true
	if fix := a.fix(it); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	a.pass.Report(d)
}

func (a *analyzer) reportf(pos, end token.Pos, rule, format string, args ...any) {
	d := analysis.Diagnostic{Pos: pos, End: end, Category: rule}
	d.Message = fmt.Sprintf(format, args...)
	if a.reported[reportKey{d.Pos, d.Message}] {
		return
	}
	a.reported[reportKey{d.Pos, d.Message}] = true
	a.pass.Report(d)
}
