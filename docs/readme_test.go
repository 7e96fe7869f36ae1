package docs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// README's set-up block has the two commands a newcomer needs: one runs a
// chapter example in deterministic mode (no -real), one runs the whole test
// suite; and CI runs exactly that test command.
func TestReadmeSetUp(t *testing.T) {
	root, _ := markdownFiles(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n## Set up\n")
	if !ok {
		t.Fatal(`README.md has no "## Set up" section`)
	}
	_, block, ok := strings.Cut(rest, "```sh\n")
	if !ok {
		t.Fatal("the set-up section has no sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	var cmds []string
	for _, line := range strings.Split(block, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			cmds = append(cmds, line)
		}
	}
	if len(cmds) != 2 {
		t.Fatalf("the set-up block has %d commands, want 2: %q", len(cmds), cmds)
	}
	run, test := cmds[0], cmds[1]
	if !strings.HasPrefix(run, "go run ./chapters/") || strings.Contains(run, "-real") {
		t.Errorf("the first command %q does not run a chapter example in deterministic mode", run)
	}
	if !strings.HasPrefix(test, "go test ") || !strings.HasSuffix(test, " ./...") {
		t.Errorf("the second command %q does not run the whole test suite", test)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(string(ci), "\n") {
		found = found || strings.TrimSpace(line) == test
	}
	if !found {
		t.Errorf(".ci/run does not run the README's test command %q", test)
	}
}
