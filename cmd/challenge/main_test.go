package main

import (
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/internal/challenge"
	"github.com/noex-go/noex/internal/golden"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// command runs the command with args and stdin, and returns its exit
// status and outputs.
func command(args []string, stdin string) (int, string, string) {
	var stdout, stderr strings.Builder
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestList(t *testing.T) {
	code, out, _ := command(nil, "")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range challenge.All() {
		if !strings.Contains(out, "  "+c.Name+" ") || !strings.Contains(out, c.Goal.Text) {
			t.Errorf("the list lacks %s:\n%s", c.Name, out)
		}
	}
}

// A schedule is checked: exit 0 if it reaches the goal, 1 if not; flags
// may come after the name.
func TestReplay(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"counter-reads-2", "-schedule", "1:1,2:1"}, 0, "★ Goal reached: make the counter read 2 with two clients that each add one.\n"},
		{[]string{"-schedule", "1:1,2:1", "counter-reads-2"}, 0, "★ Goal reached"},
		{[]string{"counter-reads-2", "-schedule", ""}, 1, "The run ended with: bugbench: property violated: counter is 1 after two increments\n✗ Goal not reached"},
		{[]string{"missed-event", "-seed", "3", "-schedule", "0:1"}, 0, "★ Goal reached"},
	} {
		code, out, errOut := command(c.args, "")
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nope"}, 2, `no such challenge "nope"; the challenges are late-monitor, `},
		{[]string{"lost-task", "lost-wakeup"}, 2, `one challenge at a time: "lost-wakeup" after "lost-task"`},
		{[]string{"-seed", "x"}, 2, "usage: challenge"},
		{[]string{"counter-reads-2", "-schedule", "0:9"}, 2, "decision 0 chose step 9 of 2"},
		{[]string{"-h"}, 0, "usage: challenge"},
	} {
		code, _, errOut := command(c.args, "")
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// Taking a challenge: the setup, the session, the verdict and the command
// that checks the schedule found.
func TestTake(t *testing.T) {
	code, out, errOut := command([]string{"counter-reads-2"}, "n\n1\n1\nc\n\n")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Two clients each add one to a counter",
		"Goal: make the counter read 2 with two clients that each add one.\n",
		"decision 0 at t=0s: 2 steps can run next\n",
		"★ Goal reached: make the counter read 2 with two clients that each add one.\n",
		"Replay:   go run ./cmd/challenge counter-reads-2 -schedule \"1:1,2:1\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the session lacks %q:\n%s", want, out)
		}
	}
	// The setup is wrapped.
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("line longer than 100 columns: %q", line)
		}
	}
	// Quitting is fine too.
	if code, out, _ := command([]string{"lost-task"}, "q\n"); code != 0 || !strings.Contains(out, "Quit at decision 0") {
		t.Errorf("quit: exit %d:\n%s", code, out)
	}
}

// An example's challenge runs in its example, with the flags given here.
func TestExampleCommand(t *testing.T) {
	c, err := challenge.Find("webhook-first")
	if err != nil {
		t.Fatal(err)
	}
	got := exampleCommand(c, []string{"-seed", "2", "webhook-first", "-schedule", "0:3"})
	want := []string{"go", "run", "github.com/noex-go/noex/chapters/02-ipc/fanout", "-challenge", "webhook-first", "-seed", "2", "-schedule", "0:3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("one two three four five six", 9)
	if want := "one two\nthree\nfour five\nsix"; got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

var update = flag.Bool("update", false, "rewrite the session in docs/challenges.md")

// The session in docs/challenges.md is this one (go test ./cmd/challenge
// -run TestDocsSession -update rewrites it).
func TestDocsSession(t *testing.T) {
	const (
		path  = "../../docs/challenges.md"
		begin = "<!-- session: go test ./cmd/challenge -run TestDocsSession -update -->\n```text\n"
		end   = "```\n<!-- end of session -->"
	)
	t.Setenv("COLUMNS", "80")
	code, out, errOut := command([]string{"counter-reads-2"}, "n\n1\n1\nc\n\n")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := "$ go run ./cmd/challenge counter-reads-2\n" + out
	golden.Section(t, filepath.FromSlash(path), begin, end, got, *update)
}
