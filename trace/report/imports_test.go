package report_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyStdAndNoex keeps the report free of dependencies.
func TestImportsOnlyStdAndNoex(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(imp, ".") && imp != "github.com/noex-go/noex/noex" {
			t.Errorf("package report imports %s; only the standard library and noex are allowed", imp)
		}
	}
}
