package step_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyStdNoexAndDiagram keeps the package free of dependencies:
// the test kit uses it.
func TestImportsOnlyStdNoexAndDiagram(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(imp, ".") && imp != "github.com/noex-go/noex/noex" && imp != "github.com/noex-go/noex/trace/diagram" {
			t.Errorf("package step imports %s; only the standard library, noex and trace/diagram are allowed", imp)
		}
	}
}
