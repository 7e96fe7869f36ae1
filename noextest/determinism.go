package noextest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/noex-go/noex/noex"
)

// ErrNondeterministic: two runs with the same seed gave different logs.
var ErrNondeterministic = errors.New("noextest: same seed, different runs")

// DivergenceError reports the first event at which two runs of a scenario
// with the same seed differ.
type DivergenceError struct {
	Seed    uint64
	Index   int      // position of the first differing line in the logs, from 0
	First   string   // that line in the first run ("" if its log ended there)
	Second  string   // that line in the second run
	Context []string // the lines before it, which both runs share (at most 5)
}

// Error renders the divergence: where, the shared lines before it, and
// the two differing lines.
func (e *DivergenceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "noextest: seed %d: the runs diverge at event %d", e.Seed, e.Index+1)
	for _, l := range e.Context {
		fmt.Fprintf(&b, "\n      %s", l)
	}
	fmt.Fprintf(&b, "\n    - %s\n    + %s", orEnd(e.First), orEnd(e.Second))
	return b.String()
}

func orEnd(l string) string {
	if l == "" {
		return "(end of log)"
	}
	return l
}

// Unwrap returns [ErrNondeterministic].
func (e *DivergenceError) Unwrap() error { return ErrNondeterministic }

// CheckDeterminism runs scenario twice per seed, each time on a fresh
// deterministic runtime with that seed, and compares the two event logs
// (their [noex.Event.String] text, including [noex.Runtime.Shutdown], which
// it calls after scenario). It returns a [*DivergenceError] naming the first
// differing event of the first seed whose runs differ, or an error if the
// scenario fails. scenario drives the runtime itself, with one or more calls
// to Run. A divergence means the scenario escapes the runtime: it reads the
// wall clock, math/rand, map order, or goroutine timing.
func CheckDeterminism(seeds []uint64, scenario func(rt *noex.Runtime) error) error {
	for _, seed := range seeds {
		a, err := runLogged(seed, scenario)
		if err != nil {
			return err
		}
		b, err := runLogged(seed, scenario)
		if err != nil {
			return err
		}
		if i, ok := firstDiff(a, b); ok {
			e := &DivergenceError{Seed: seed, Index: i, First: at(a, i), Second: at(b, i)}
			e.Context = append([]string(nil), a[max(0, i-5):i]...)
			return e
		}
	}
	return nil
}

func runLogged(seed uint64, scenario func(rt *noex.Runtime) error) ([]string, error) {
	var lines []string
	rt := noex.NewRuntime(noex.WithSeed(seed), noex.WithObserver(func(e noex.Event) { lines = append(lines, e.String()) }))
	err := scenario(rt)
	if serr := rt.Shutdown(context.Background()); err == nil {
		err = serr
	}
	if err != nil {
		return lines, fmt.Errorf("noextest: seed %d: the scenario failed: %w", seed, err)
	}
	return lines, nil
}

func firstDiff(a, b []string) (int, bool) {
	for i := range max(len(a), len(b)) {
		if at(a, i) != at(b, i) {
			return i, true
		}
	}
	return 0, false
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// VerifyDeterminism is the t adapter of [CheckDeterminism]: it fails the
// test (Errorf) with the divergence or the scenario's error.
func VerifyDeterminism(t TB, seeds []uint64, scenario func(rt *noex.Runtime) error) {
	t.Helper()
	if err := CheckDeterminism(seeds, scenario); err != nil {
		t.Errorf("[noex] VerifyDeterminism: %v", err)
	}
}
