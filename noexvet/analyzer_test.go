package noexvet_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/noex-go/noex/noexvet"
)

// testdata is the module of test cases: each package holds the cases of one
// rule, each finding marked with a // want comment, and each file with a
// fix has the fixed file beside it (.golden).
func testdata(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// rulePackages are the packages of testdata with // want comments.
var rulePackages = []string{
	"./timeuse", "./randuse", "./goroutines", "./channels", "./syncs", "./maporder",
	"./iouse", "./helpers/...", "./roots", "./ignoring", "./notpath",
}

// Every finding, fact and fix of the rule packages is as their comments
// and golden files say. They are analyzed in one run, as their loading
// dominates the cost.
func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), noexvet.Analyzer, rulePackages...)
}
