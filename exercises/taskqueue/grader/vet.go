package grader

import (
	"fmt"
	"go/token"
	"path/filepath"
	"sync"

	"github.com/noex-go/noex/noexvet"
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
// source (Impl.Dir): noexvet. Tests replace it.
var analyzer = noexvetCheck

// noexvetCheck runs noexvet on the package in dir.
func noexvetCheck(dir string) ([]Finding, error) {
	fs, err := noexvet.Check(dir)
	if err != nil {
		return nil, fmt.Errorf("noexvet: %w", err)
	}
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = Finding{Pos: f.Pos, Rule: f.Rule, Message: f.Message}
	}
	return out, nil
}

// staticResult is the static analysis of an implementation's source.
type staticResult struct {
	ran      bool
	findings []Finding
	err      error
}

func (s staticResult) failed() bool { return len(s.findings) > 0 }

// VetMode says when Grade runs the static analyzer on Impl.Dir.
type VetMode uint8

const (
	// VetAuto runs it when a requirement it can explain fails: the runtime
	// requirement, the work requirement, the ids' or the runs' determinism,
	// a run that broke. Its findings then name the file and line.
	VetAuto VetMode = iota
	// VetAlways runs it on every grading, beside the runs.
	VetAlways
	// VetNever does not run it.
	VetNever
)

// explainable are the requirements whose failure the static analyzer may
// explain: VetAuto runs it when one fails.
var explainable = []string{reqRuntime, reqWork, reqIDs, reqReplay, reqRun}

// staticAnalysis is the static analysis of an implementation's source,
// made once, in the background, when first asked for. noexvet loads and
// type-checks the package from source, which takes seconds.
type staticAnalysis struct {
	dir      string
	analyzer func(string) ([]Finding, error)
	once     sync.Once
	done     chan staticResult
	res      *staticResult
	shown    bool // its findings are in a part's report already
}

func newStaticAnalysis(dir string) *staticAnalysis {
	return &staticAnalysis{dir: dir, analyzer: analyzer, done: make(chan staticResult, 1)}
}

// start begins the analysis, if there is a source and an analyzer.
func (s *staticAnalysis) start() {
	s.once.Do(func() {
		if s.dir == "" || s.analyzer == nil {
			s.done <- staticResult{}
			return
		}
		go func() {
			fs, err := s.analyzer(s.dir)
			if err != nil {
				s.done <- staticResult{err: err}
				return
			}
			s.done <- staticResult{ran: true, findings: fs}
		}()
	})
}

// result starts the analysis if need be and waits for it.
func (s *staticAnalysis) result() staticResult {
	s.start()
	if s.res == nil {
		r := <-s.done
		s.res = &r
	}
	return *s.res
}
