package noexvet

import (
	"cmp"
	"errors"
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Finding is one escape the analyzer found.
type Finding struct {
	Pos     token.Position // where: the file's absolute path, line and column
	Rule    string         // what kind: one of the Rule constants (RuleTime, …)
	Message string         // what, and what to use instead: "time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)"
}

// String formats the finding with the base name of its file:
//
//	worker.go:31: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s", filepath.Base(f.Pos.Filename), f.Pos.Line, f.Message)
}

// ErrLoad is wrapped by the error [Check] returns when the packages cannot
// be loaded: a pattern matches nothing, or a package does not compile.
var ErrLoad = errors.New("noexvet: cannot load the packages")

// LoadError is the error [Check] returns when the packages cannot be
// loaded. It wraps [ErrLoad].
type LoadError struct {
	Dir      string   // the directory Check was given
	Patterns []string // the patterns it loaded
	Problems []string // each problem, as "file:line:col: message" where known
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("noexvet: cannot load %s in %s:\n\t%s",
		strings.Join(e.Patterns, " "), e.Dir, strings.Join(e.Problems, "\n\t"))
}

func (e *LoadError) Unwrap() error { return ErrLoad }

// Check runs the analyzer on the packages that patterns (go list patterns,
// "." if none) denote in the module that contains dir, and returns what it
// found, sorted by file, line and column, each finding once. Test files are
// not checked. Functions of the module that the packages call are
// followed, as by the command; the packages and their dependencies are
// loaded and type-checked from source, which takes a few seconds for a
// package that imports noex.
//
// The error is a [*LoadError] if the packages cannot be loaded or do not
// compile, and describes the failure if the analysis itself fails. Check
// is safe to call from several goroutines.
func Check(dir string, patterns ...string) ([]Finding, error) {
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax | packages.NeedModule, Dir: dir}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, &LoadError{Dir: dir, Patterns: patterns, Problems: []string{err.Error()}}
	}
	var problems []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			problems = append(problems, e.Error())
		}
	})
	if len(pkgs) == 0 {
		problems = append(problems, "no packages match")
	}
	if len(problems) > 0 {
		return nil, &LoadError{Dir: dir, Patterns: patterns, Problems: problems}
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{Analyzer}, pkgs, nil)
	if err != nil {
		return nil, fmt.Errorf("noexvet: %w", err)
	}
	var out []Finding
	seen := map[Finding]bool{}
	for _, act := range graph.Roots {
		if act.Err != nil {
			return nil, fmt.Errorf("noexvet: analyzing %s: %w", act.Package.PkgPath, act.Err)
		}
		for _, d := range act.Diagnostics {
			f := Finding{Pos: act.Package.Fset.Position(d.Pos), Rule: d.Category, Message: d.Message}
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	slices.SortFunc(out, func(x, y Finding) int {
		return cmp.Or(
			cmp.Compare(x.Pos.Filename, y.Pos.Filename),
			cmp.Compare(x.Pos.Line, y.Pos.Line),
			cmp.Compare(x.Pos.Column, y.Pos.Column),
			cmp.Compare(x.Message, y.Message))
	})
	return out, nil
}
