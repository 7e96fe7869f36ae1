package golden_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noex-go/noex/internal/golden"
)

// recorder is a testing.TB that keeps what would fail the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Name() string                 { return "TestX" }
func (r *recorder) Errorf(f string, args ...any) { r.errs = append(r.errs, f) }
func (r *recorder) Fatalf(f string, args ...any) { r.errs = append(r.errs, f) }
func (r *recorder) Fatal(args ...any)            { r.errs = append(r.errs, "fatal") }

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "out.golden")
	r := &recorder{TB: t}
	golden.Check(r, path, "one\n", true)
	if data, err := os.ReadFile(path); err != nil || string(data) != "one\n" || len(r.errs) != 0 {
		t.Fatalf("update wrote %q, %v, failures %q", data, err, r.errs)
	}
	golden.Check(r, path, "one\n", false)
	if len(r.errs) != 0 {
		t.Errorf("the same output failed: %q", r.errs)
	}
	golden.Check(r, path, "two\n", false)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "out of date") {
		t.Errorf("other output: failures %q, want one saying the file is out of date", r.errs)
	}
	r.errs = nil
	golden.Check(r, filepath.Join(t.TempDir(), "missing"), "x", false)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "-update to create it") {
		t.Errorf("a missing file: failures %q", r.errs)
	}
}

func TestSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(path, []byte("intro\n<!-- begin x -->\nold\n<!-- end x -->\nrest\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	golden.Section(r, path, "<!-- begin x -->\n", "<!-- end x -->", "new\n", false)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "out of date") {
		t.Errorf("a stale section: failures %q", r.errs)
	}
	r.errs = nil
	golden.Section(r, path, "<!-- begin x -->\n", "<!-- end x -->", "new\n", true)
	if data, _ := os.ReadFile(path); string(data) != "intro\n<!-- begin x -->\nnew\n<!-- end x -->\nrest\n" || len(r.errs) != 0 {
		t.Errorf("update wrote %q, failures %q", data, r.errs)
	}
	golden.Section(r, path, "<!-- begin x -->\n", "<!-- end x -->", "new\n", false)
	golden.Section(r, path, "<!-- begin y -->\n", "<!-- end y -->", "", false)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "has no section") {
		t.Errorf("an up-to-date section, then a missing one: failures %q", r.errs)
	}
}
