package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Check compares got with the file at path (relative to the test's
// directory) and fails t with the difference. With update set it writes
// got to the file instead, creating its directory.
func Check(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s with -update to create it)", err, t.Name())
		return
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s is out of date (-want +got); run %s with -update to accept the new output:\n%s", path, t.Name(), diff)
	}
}

// Section compares got with the part of the file at path between the
// markers begin and end (the first end after begin) and fails t with the
// difference: a generated part of a document, such as a transcript or a
// list, kept as the code produces it. With update set it rewrites that part
// instead.
func Section(t testing.TB, path, begin, end, got string, update bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
		return
	}
	text := string(data)
	i := strings.Index(text, begin)
	j := -1
	if i >= 0 {
		if k := strings.Index(text[i+len(begin):], end); k >= 0 {
			j = i + len(begin) + k
		}
	}
	if j < 0 {
		t.Fatalf("%s has no section between %q and %q", path, begin, end)
		return
	}
	from := i + len(begin)
	if update {
		if text[from:j] != got {
			if err := os.WriteFile(path, []byte(text[:from]+got+text[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if diff := cmp.Diff(text[from:j], got); diff != "" {
		t.Errorf("%s: the section after %q is out of date (-doc +got); run %s with -update to rewrite it:\n%s", path, strings.TrimSpace(begin), t.Name(), diff)
	}
}
