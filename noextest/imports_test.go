package noextest_test

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportsOnlyStdCmpAndNoex keeps the kit, and everything of this module
// it builds on (noex, the diagram and report renderers), free of
// dependencies beyond the standard library and go-cmp: exercises and
// solutions import it.
func TestImportsOnlyStdCmpAndNoex(t *testing.T) {
	const module = "github.com/noex-go/noex"
	seen := map[string]bool{}
	var walk func(dir, path string)
	walk = func(dir, path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.Default.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			switch {
			case !strings.Contains(strings.SplitN(imp, "/", 2)[0], "."): // the standard library
			case strings.HasPrefix(imp, "github.com/google/go-cmp/"):
			case strings.HasPrefix(imp, module+"/"):
				walk(filepath.Join("..", filepath.FromSlash(strings.TrimPrefix(imp, module+"/"))), imp)
			default:
				t.Errorf("%s imports %s; the kit may depend only on the standard library, go-cmp and this module", path, imp)
			}
		}
	}
	walk(".", module+"/noextest")
	for _, want := range []string{module + "/noex", module + "/trace/diagram", module + "/trace/report"} {
		if !seen[want] {
			t.Errorf("the walk did not reach %s (seen %v)", want, seen)
		}
	}
}
