package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mainEnv makes the test binary run the example with these arguments
// instead of its tests (see TestMain).
const mainEnv = "FANOUT_TEST_MAIN"

// requireTmux is the variable that turns a missing tmux into a failure
// (CI sets it).
const requireTmux = "NOEX_REQUIRE_TMUX"

// tmux drives a tmux server of the test's own, on a socket in the test's
// temporary directory.
type tmux struct {
	t      *testing.T
	socket string
}

func (x tmux) run(args ...string) string {
	x.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-S", x.socket, "-f", os.DevNull}, args...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is everything the pane shows and showed (its history included).
func (x tmux) screen() string { return x.run("capture-pane", "-p", "-J", "-S", "-", "-t", "step") }

// waitFor waits until the pane shows want after the first from characters
// of its content, and returns the position after it.
func (x tmux) waitFor(from int, want string) int {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := x.screen()
		if from <= len(s) {
			if i := strings.Index(s[from:], want); i >= 0 {
				return from + i + len(want)
			}
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(20 * time.Millisecond) // polling another process's terminal
	}
}

// -step in a real terminal: tmux runs the example (this test binary, as
// the example) with -step; the test types answers with send-keys, as a
// person would, each after its prompt, and reads the screen with
// capture-pane. The terminal echoes what is typed, so the session does
// not; the example's output appears as it happens, the diagram on d, the
// undo goes back, q ends the session with the schedule and exit status 0.
func TestStepInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		msg := "no tmux (install it with: apt-get install -y tmux)"
		if os.Getenv(requireTmux) == "1" {
			t.Fatalf("%s; %s=1 requires the tmux test", msg, requireTmux)
		}
		t.Skip(msg)
	}
	x := tmux{t: t, socket: filepath.Join(t.TempDir(), "tmux")}
	t.Cleanup(func() { exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	command := fmt.Sprintf("env %s=-step COLUMNS=100 %s; echo EXIT=$?; sleep 600", mainEnv, self)
	x.run("new-session", "-d", "-s", "step", "-x", "100", "-y", "50", command)
	x.run("set-option", "-t", "step", "history-limit", "5000")

	prompt := "choose 0-3, or n r u d c q ?: "
	at := x.waitFor(0, prompt)
	x.run("send-keys", "-t", "step", "3", "Enter")
	at = x.waitFor(at, "3\n→ event-bus → webhook: info Publication{")
	at = x.waitFor(at, "│ [webhook] external system notified of u1\n")
	at = x.waitFor(at, "choose 0-2, or n r u d c q ?: ")
	x.run("send-keys", "-t", "step", "d", "Enter")
	at = x.waitFor(at, "── the run so far ──\n  main ")
	at = x.waitFor(at, "choose 0-2, or n r u d c q ?: ")
	x.run("send-keys", "-t", "step", "u", "Enter")
	at = x.waitFor(at, "↶ back to decision 0")
	at = x.waitFor(at, prompt)
	x.run("send-keys", "-t", "step", "q", "Enter")
	at = x.waitFor(at, "Quit at decision 0. Your choices so far: schedule \"\".\n")
	x.waitFor(at, "EXIT=0")
	t.Logf("the terminal:\n%s", x.screen())
}
