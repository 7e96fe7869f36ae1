package noextest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/noex-go/noex/trace/report"
)

// htmlFlag is -noex.html; "" means no reports.
var htmlFlag = flag.String("noex.html", "",
	"noex: write a run report (one HTML page, see package trace/report) for each failing test into `DIR`")

// WithReport makes the runtime write its run report into dir when the test
// fails: one self-contained HTML page (package trace/report) named after
// the test, with the run's lanes and arrows, the causal slice of the first
// failure highlighted, and the command that replays the run. The
// -noex.html=DIR flag does the same for every test of the kit; this option
// takes precedence. An empty dir writes no report.
func WithReport(dir string) Option {
	return option(func(c *config) { c.reportDir, c.hasReport = dir, true })
}

// reportDir is where a failing test's report goes, "" for none.
func (rt *Runtime) reportDir() string {
	if rt.cfg.hasReport {
		return rt.cfg.reportDir
	}
	return *htmlFlag
}

// writeReport writes the run report of a failed test and logs its path.
func (rt *Runtime) writeReport() {
	rt.t.Helper()
	dir := rt.reportDir()
	if dir == "" || !rt.failed() {
		return
	}
	log := rt.rec.Raw()
	r := report.Run{
		Title:         rt.t.Name(),
		Events:        log,
		Decisions:     rt.decisions,
		Deterministic: rt.Deterministic(),
		Seed:          rt.Seed(),
		Schedule:      rt.Schedule(),
		Replay:        replayCommand(rt.t.Name(), rt.Deterministic(), rt.cfg.chooser != nil, rt.Seed(), rt.Schedule()),
		Failure:       rt.failure,
	}
	if r.Failure == "" {
		r.Failure = "the test failed"
	}
	if e, ok := report.FirstFailure(log); ok {
		r.FailedAt = e.Seq
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		rt.t.Logf("[noex] run report not written: %v", err)
		return
	}
	file := filepath.Join(dir, reportName(rt.t.Name()))
	if err := report.WriteFile(file, r); err != nil {
		rt.t.Logf("[noex] run report not written: %v", err)
		return
	}
	rt.t.Logf("[noex] run report: %s", file)
}

// reportName turns a test name into a file name: TestX/sub case →
// TestX__sub_case.html.
func reportName(test string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r == '/':
			return '~'
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, test)
	return strings.ReplaceAll(name, "~", "__") + ".html"
}

// replayCommand is the command that replays the test's run.
func replayCommand(name string, det, chosen bool, seed uint64, schedule string) string {
	switch {
	case !det:
		return fmt.Sprintf("go test -run '%s'   (real mode: another run, not a replay)", runPattern(name))
	case chosen:
		return fmt.Sprintf("noex.WithSeed(%d), noex.WithSchedule(%q)", seed, schedule)
	}
	return fmt.Sprintf("go test -run '%s' -noex.seed=%d", runPattern(name), seed)
}
