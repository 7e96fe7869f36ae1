package bugbench_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/bugbench"
)

var update = flag.Bool("update", false, "rewrite the list of kernels in doc.go")

// kernelListIntro is the line of doc.go after which the list of kernels
// stands (after one empty comment line).
const kernelListIntro = "// The kernels, in the order [Kernels] returns them:"

// kernelList renders the list of kernels as doc.go shows it.
func kernelList() []string {
	var lines []string
	for _, k := range bugbench.Kernels() {
		text := fmt.Sprintf("%s (depth %d): %s. Source: %s. The bug shows when %s.", k.Name, k.Depth, k.Title, k.Source, k.Why)
		for i, l := range wrap(text, 72) {
			if i == 0 {
				lines = append(lines, "//   - "+l)
			} else {
				lines = append(lines, "//     "+l)
			}
		}
	}
	return lines
}

// wrap breaks text into lines of at most width bytes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// The list of kernels in the package documentation is generated from
// Kernels; go test -run TestDocListsKernels -update rewrites it.
func TestDocListsKernels(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	start := -1
	for i, l := range lines {
		if l == kernelListIntro {
			start = i + 2
		}
	}
	if start < 0 || start >= len(lines) || lines[start-1] != "//" {
		t.Fatalf("doc.go has no line %q followed by an empty comment line", kernelListIntro)
	}
	end := start
	for end < len(lines) && (strings.HasPrefix(lines[end], "//   - ") || strings.HasPrefix(lines[end], "//     ")) {
		end++
	}
	want := kernelList()
	if *update {
		out := append(append(append([]string{}, lines[:start]...), want...), lines[end:]...)
		if err := os.WriteFile("doc.go", []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, lines[start:end]); diff != "" {
		t.Errorf("doc.go's list of kernels is out of date (-want +got), run go test -run TestDocListsKernels -update:\n%s", diff)
	}
}
