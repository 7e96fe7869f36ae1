package chaptertest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/internal/golden"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noextest"
)

// Update is the -update flag: golden files, diagrams and the listings of
// docs/ are rewritten from the sources and from real runs instead of being
// compared.
var Update = flag.Bool("update", false, "rewrite golden files, docs/diagrams and docs listings")

// Seeds is how many seeds the many-seed tests use: 200, or 20 with -short.
func Seeds() int {
	if testing.Short() {
		return 20
	}
	return 200
}

// Run runs the phases once in deterministic mode with seed and fails the
// test if the run fails.
func Run(t testing.TB, seed uint64, phases ...run.Phase) run.Result {
	t.Helper()
	res, err := run.Once(context.Background(), run.Config{Seed: seed}, phases...)
	if err != nil {
		t.Fatalf("seed %d: %v\noutput:\n%s", seed, err, res.Output)
	}
	return res
}

// RunReal runs the phases once in real mode and fails the test if the run
// fails.
func RunReal(t testing.TB, phases ...run.Phase) run.Result {
	t.Helper()
	res, err := run.Once(context.Background(), run.Config{Real: true}, phases...)
	if err != nil {
		t.Fatalf("real mode: %v\noutput:\n%s", err, res.Output)
	}
	return res
}

// Healthy fails the test if the run's events show a crash, an error that
// a handler returned and nobody received, or a pair of processes whose
// messages were handled out of order.
func Healthy(t testing.TB, res run.Result) {
	t.Helper()
	if err := noextest.CheckNoCrashes(res.Events); err != nil {
		t.Error(err)
	}
	if err := noextest.CheckNoHandlerErrors(res.Events); err != nil {
		t.Error(err)
	}
	log := make([]noextest.Event, len(res.Events))
	for i, e := range res.Events {
		log[i] = noextest.FromNoex(e)
	}
	if err := noextest.CheckFIFO(log); err != nil {
		t.Error(err)
	}
}

// Deterministic fails the test unless each of a few seeds gives the same
// event log, byte for byte, on two runs.
func Deterministic(t testing.TB, phases ...run.Phase) {
	t.Helper()
	for seed := uint64(1); seed <= 5; seed++ {
		a, b := Run(t, seed, phases...), Run(t, seed, phases...)
		if a.Log() != b.Log() || a.Output != b.Output {
			t.Errorf("seed %d: two runs differ (-first +second):\n%s", seed, cmp.Diff(a.Log(), b.Log()))
		}
	}
}

// EachSeed runs the phases under seeds 1..[Seeds], checks each run with
// [Healthy], and calls check with each result. A failing check is reported
// with the seed, so that `go run ./chapters/... -seed N` shows the same
// run.
func EachSeed(t *testing.T, check func(t testing.TB, seed uint64, res run.Result), phases ...run.Phase) {
	t.Helper()
	for seed := uint64(1); seed <= uint64(Seeds()); seed++ {
		res := Run(t, seed, phases...)
		Healthy(&seeded{TB: t, seed: seed}, res)
		check(&seeded{TB: t, seed: seed}, seed, res)
		if t.Failed() {
			t.Fatalf("failed with seed %d (reproduce with -seed %d); output:\n%s", seed, seed, res.Output)
		}
	}
}

// Real runs the phases in real mode n times, checks each run with
// [Healthy], and calls check with each result.
func Real(t *testing.T, n int, check func(t testing.TB, res run.Result), phases ...run.Phase) {
	t.Helper()
	for i := 0; i < n; i++ {
		res := RunReal(t, phases...)
		Healthy(t, res)
		check(t, res)
		if t.Failed() {
			t.Fatalf("failed in real mode, run %d; output:\n%s", i+1, res.Output)
		}
	}
}

// Lines checks that the phases print exactly want, line for line, under
// every seed ([EachSeed]) and in real mode n times ([Real]).
func Lines(t *testing.T, want []string, n int, phases ...run.Phase) {
	t.Helper()
	check := func(t testing.TB, res run.Result) {
		t.Helper()
		if diff := cmp.Diff(want, res.Lines()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	}
	EachSeed(t, func(t testing.TB, _ uint64, res run.Result) { check(t, res) }, phases...)
	Real(t, n, check, phases...)
}

// SearchSeeds bounds the search for a seed that shows a race: the search
// stops at the first seed found, so -short does not shorten it.
const SearchSeeds = 1000

// FindSeed returns the first seed in 1..max for which pred holds.
func FindSeed(max uint64, pred func(seed uint64) bool) (uint64, bool) {
	for seed := uint64(1); seed <= max; seed++ {
		if pred(seed) {
			return seed, true
		}
	}
	return 0, false
}

// seeded prefixes failures with the seed.
type seeded struct {
	testing.TB
	seed uint64
}

func (s *seeded) Errorf(format string, args ...any) {
	s.TB.Helper()
	s.TB.Errorf("seed %d: "+format, append([]any{s.seed}, args...)...)
}

func (s *seeded) Fatalf(format string, args ...any) {
	s.TB.Helper()
	s.TB.Fatalf("seed %d: "+format, append([]any{s.seed}, args...)...)
}

// Golden compares got with the file at path (relative to the test's
// directory), or rewrites the file with -update.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	golden.Check(t, path, got, *Update)
}

// RepoRoot returns the repository's root directory: the nearest parent of
// the working directory that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// DocBlock checks (or, with -update, rewrites) the text block named name
// in the doc at path (relative to the repository's root): the text between
// the lines "<!-- name: how -->" and "```text" and the lines "```" and
// "<!-- end of name -->", where how is the command that rewrites it.
func DocBlock(t testing.TB, path, name, got string) {
	t.Helper()
	file := filepath.Join(RepoRoot(t), filepath.FromSlash(path))
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin := "<!-- " + name + ": "
	i := strings.Index(text, begin)
	if i < 0 {
		t.Fatalf("%s: no block %q", path, begin)
	}
	fence := strings.Index(text[i:], "\n```text\n")
	end := strings.Index(text[i:], "```\n<!-- end of "+name+" -->")
	if fence < 0 || end < fence {
		t.Fatalf("%s: block %q has no ```text fence or no end marker", path, name)
	}
	from, to := i+fence+len("\n```text\n"), i+end
	if *Update {
		if err := os.WriteFile(file, []byte(text[:from]+got+text[to:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(text[from:to], got); diff != "" {
		t.Errorf("%s: block %s is out of date (-doc +run), run the test with -update:\n%s", path, name, diff)
	}
}

// Diagram writes (with -update) or checks the Mermaid diagram of res as
// docs/diagrams/<name>.mmd.
func Diagram(t testing.TB, name string, res run.Result) {
	t.Helper()
	Golden(t, filepath.Join(RepoRoot(t), "docs", "diagrams", name+".mmd"), run.MermaidDiagram(res.Events))
}

// Contains reports whether lines holds line.
func Contains(lines []string, line string) bool {
	for _, l := range lines {
		if l == line {
			return true
		}
	}
	return false
}

// Index returns the position of line in lines, or -1.
func Index(lines []string, line string) int {
	for i, l := range lines {
		if l == line {
			return i
		}
	}
	return -1
}

// Filter returns the lines that start with prefix.
func Filter(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// Explore runs the phases under every distinct schedule of seed 1, as
// -explore does, and fails the test unless the search completes with want
// schedules, all passing.
func Explore(t testing.TB, want int, phases ...run.Phase) {
	t.Helper()
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Explore = 10 * want
	err := run.Exec(context.Background(), cfg, &out, phases...)
	verdict := fmt.Sprintf("explored: %d schedules, all passed (complete)\n", want)
	if want == 1 {
		verdict = "explored: 1 schedule, passed (complete)\n"
	}
	if err != nil || out.String() != verdict {
		t.Errorf("-explore printed %q (error %v), want %q", out.String(), err, verdict)
	}
}
