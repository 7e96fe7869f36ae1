package grader

import (
	"fmt"
	"go/token"
	"path/filepath"
)

// Finding is one thing the static analyzer found in an implementation's
// source: where, which rule, and what to do instead.
type Finding struct {
	Pos     token.Position
	Rule    string
	Message string
}

// String renders the finding as the analyzer's users read it:
// "worker.go:31: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s", filepath.Base(f.Pos.Filename), f.Pos.Line, f.Message)
}

// analyzer is the static analyzer the grader runs on an implementation's
// source (Impl.Dir), or nil where there is none: the runtime requirement is
// then checked on the probe run alone.
var analyzer func(dir string) ([]Finding, error)

// staticResult is the static analysis of an implementation's source.
type staticResult struct {
	ran      bool
	findings []Finding
	err      error
}

func (s staticResult) failed() bool { return len(s.findings) > 0 }

// analyzeSource runs the analyzer on dir, if there are both.
func analyzeSource(dir string) staticResult {
	if dir == "" || analyzer == nil {
		return staticResult{}
	}
	fs, err := analyzer(dir)
	if err != nil {
		return staticResult{err: err}
	}
	return staticResult{ran: true, findings: fs}
}
