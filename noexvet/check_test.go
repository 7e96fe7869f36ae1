package noexvet_test

import (
	"errors"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/noex-go/noex/noexvet"
)

// Check returns the findings of a package, sorted, once each, with their
// rule, and String formats them with the file's base name.
func TestCheck(t *testing.T) {
	dir := testdata(t)
	got, err := noexvet.Check(dir, "./helpers")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "helpers", "helpers.go")
	at := func(line int) token.Position { return token.Position{Filename: file, Line: line} }
	sleep := "time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)"
	want := []noexvet.Finding{
		{at(32), noexvet.RuleTime, "calls util.Wait, which calls time.Sleep at util.go:14: " + sleep},
		{at(37), noexvet.RuleTime, "calls pause, which calls nap, which calls time.Sleep at helpers.go:29: " + sleep},
		{at(38), noexvet.RuleTime, "calls util.Deep, which calls util.stamp, which calls time.Now at util.go:22: time.Now reads the wall clock; use noex.Now(ctx)"},
		{at(39), noexvet.RuleTime, "calls (*util.Pacer).Pause, which calls util.Wait, which calls time.Sleep at util.go:14: " + sleep},
		{at(40), noexvet.RuleTime, "calls (*state).flush, which calls time.Sleep at helpers.go:25: " + sleep},
		{at(45), noexvet.RuleTime, "calls util.Retry, which calls time.Sleep at util.go:49: " + sleep},
		{at(48), noexvet.RuleTime, sleep},
		{at(71), noexvet.RuleTime, sleep},
		{at(79), noexvet.RuleTime, "calls get, which calls time.Now at helpers.go:85: time.Now reads the wall clock; use noex.Now(ctx)"},
		{at(95), noexvet.RuleTime, "embeds util.Base.HandleInfo, which calls time.Sleep at util.go:82: " + sleep},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(token.Position{}, "Offset", "Column")); diff != "" {
		t.Errorf("Check mismatch (-want +got):\n%s", diff)
	}
	if len(got) > 0 {
		if s, w := got[0].String(), "helpers.go:32: calls util.Wait, which calls time.Sleep at util.go:14: "+sleep; s != w {
			t.Errorf("String() = %q, want %q", s, w)
		}
	}
}

// A package that does not compile, or a pattern that matches nothing, is
// a *LoadError that wraps ErrLoad and says what is wrong.
func TestCheckLoadError(t *testing.T) {
	for _, tc := range []struct{ pattern, says string }{
		{"./broken", `cannot use "not a number"`},
		{"./nosuchpackage", "nosuchpackage"},
	} {
		_, err := noexvet.Check(testdata(t), tc.pattern)
		if !errors.Is(err, noexvet.ErrLoad) {
			t.Errorf("Check(%s) = %v, want an error wrapping ErrLoad", tc.pattern, err)
			continue
		}
		var le *noexvet.LoadError
		if !errors.As(err, &le) || len(le.Problems) == 0 {
			t.Errorf("Check(%s) = %v, want a *LoadError with problems", tc.pattern, err)
		} else if !cmp.Equal(le.Patterns, []string{tc.pattern}) {
			t.Errorf("LoadError.Patterns = %q, want [%s]", le.Patterns, tc.pattern)
		}
		if !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Check(%s) error %q does not say %q", tc.pattern, err, tc.says)
		}
	}
}
