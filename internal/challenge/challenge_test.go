package challenge_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/internal/challenge"
	"github.com/noex-go/noex/internal/golden"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/step"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// known are schedules that reach each kernel challenge's goal (with seed
// 1). The fan-out example's is tested with the example.
var known = map[string]string{
	"late-monitor":        "0:1",
	"missed-event":        "0:1",
	"early-query":         "1:1",
	"paid-before-created": "0:1,1:1",
	"counter-reads-2":     "1:1,2:1",
	"no-overdraft":        "1:1,4:1",
	"lost-wakeup":         "4:1",
	"lost-task":           "2:1,3:1,4:2,5:1,6:1",
	"live-node":           "0:1,3:1,5:1,9:1",
}

// replay runs c's scenario with schedule and checks the goal on the run,
// as a replay command does.
func replay(t *testing.T, c challenge.Challenge, schedule string) bool {
	t.Helper()
	ctx := context.Background()
	var events []noex.Event
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithSchedule(schedule), noex.WithObserver(func(e noex.Event) { events = append(events, e) }))
	err := c.Scenario()(ctx, rt, io.Discard)
	if serr := rt.Shutdown(ctx); serr != nil {
		t.Fatalf("%s: shutdown: %v", c.Name, serr)
	}
	if errors.Is(err, noex.ErrSchedule) {
		t.Fatalf("%s: schedule %q does not fit the run: %v", c.Name, schedule, err)
	}
	return c.Goal.Reached(step.Progress{Events: events, Done: true, Err: err})
}

// answers are what a person types to follow schedule: the choice at every
// decision up to its last, then c (the natural order) and Enter at the end.
func answers(schedule string) string {
	choice := map[int]string{}
	last := -1
	for _, pair := range strings.Split(schedule, ",") {
		d, c, _ := strings.Cut(pair, ":")
		n, _ := strconv.Atoi(d)
		choice[n], last = c, max(last, n)
	}
	var b strings.Builder
	for d := 0; d <= last; d++ {
		if c, ok := choice[d]; ok {
			b.WriteString(c + "\n")
		} else {
			b.WriteString("n\n")
		}
	}
	return b.String() + "c\n\n"
}

// Every kernel challenge: the natural order does not reach the goal, a
// known schedule does, typed at the prompt as well as replayed, and the
// schedule the session prints is that schedule.
func TestKernelChallenges(t *testing.T) {
	for _, c := range challenge.All() {
		if c.Kernel == "" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			schedule, ok := known[c.Name]
			if !ok {
				t.Fatalf("no known schedule for %s", c.Name)
			}
			if replay(t, c, "") {
				t.Error("the natural order reaches the goal")
			}
			if !replay(t, c, schedule) {
				t.Errorf("schedule %q does not reach the goal", schedule)
			}
			var out strings.Builder
			res, _ := step.Run(context.Background(), c.Scenario(), step.WithGoal(c.Goal),
				step.WithInput(strings.NewReader(answers(schedule))), step.WithOutput(&out), step.WithEcho())
			if !res.Reached || res.Schedule != schedule || res.Quit {
				t.Errorf("typing %q: reached %v, schedule %q, quit %v; want the goal reached with that schedule:\n%s",
					answers(schedule), res.Reached, res.Schedule, res.Quit, out.String())
			}
			if !strings.Contains(out.String(), "★ Goal reached: ") {
				t.Errorf("the session did not say the goal was reached:\n%s", out.String())
			}
		})
	}
}

// The catalogue is complete: every challenge says what it asks, who is
// who, what it teaches and where it runs.
func TestCatalogue(t *testing.T) {
	all := challenge.All()
	if len(all) < 5 {
		t.Errorf("%d challenges, want at least 5", len(all))
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.Name] {
			t.Errorf("two challenges are called %s", c.Name)
		}
		seen[c.Name] = true
		if c.Goal.Text == "" || c.Goal.Reached == nil || c.Setup == "" || c.Teaches == "" || c.Hint == "" {
			t.Errorf("%s: goal, setup, teaching or hint missing: %+v", c.Name, c)
		}
		switch {
		case (c.Kernel == "") == (c.Example == ""):
			t.Errorf("%s: names both or neither of a kernel (%q) and an example (%q)", c.Name, c.Kernel, c.Example)
		case c.Kernel != "" && c.Scenario() == nil:
			t.Errorf("%s: no bugbench kernel %q", c.Name, c.Kernel)
		case c.Example != "":
			if _, err := os.Stat(filepath.Join("..", "..", filepath.FromSlash(c.Example), "main.go")); err != nil {
				t.Errorf("%s: no example %s: %v", c.Name, c.Example, err)
			}
			if c.Scenario() != nil {
				t.Errorf("%s: an example's challenge has a scenario", c.Name)
			}
		}
		if got, err := challenge.Find(c.Name); err != nil || got.Name != c.Name {
			t.Errorf("Find(%q) = %v, %v", c.Name, got.Name, err)
		}
	}
	if _, err := challenge.Find("nope"); !errors.Is(err, challenge.ErrUnknown) || !strings.Contains(err.Error(), "counter-reads-2") {
		t.Errorf("Find(nope) = %v, want ErrUnknown listing the challenges", err)
	}
	for _, c := range all {
		want := "go run ./cmd/challenge " + c.Name
		if c.Example != "" {
			want = fmt.Sprintf("go run ./%s -challenge %s", c.Example, c.Name)
		}
		if c.Command() != want {
			t.Errorf("%s: command %q, want %q", c.Name, c.Command(), want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the list of challenges in docs/challenges.md")

// render is the list of challenges as docs/challenges.md shows it.
func render(all []challenge.Challenge) string {
	var b strings.Builder
	b.WriteString("| | challenge | goal | program |\n|---|---|---|---|\n")
	for i, c := range all {
		fmt.Fprintf(&b, "| %d | [%s](#%s) | %s | %s |\n", i+1, c.Name, c.Name, c.Goal.Text, program(c))
	}
	for _, c := range all {
		fmt.Fprintf(&b, "\n### %s\n\n", c.Name)
		fmt.Fprintf(&b, "**Goal:** %s.\n\n", strings.TrimSuffix(c.Goal.Text, "."))
		fmt.Fprintf(&b, "```sh\n%s\n```\n\n", c.Command())
		fmt.Fprintf(&b, "%s\n\n", c.Setup)
		fmt.Fprintf(&b, "**What it teaches.** %s\n\n", c.Teaches)
		fmt.Fprintf(&b, "<details><summary>Hint</summary>\n\n%s\n\n</details>\n", c.Hint)
	}
	return b.String()
}

// program says what a challenge runs.
func program(c challenge.Challenge) string {
	if c.Example != "" {
		return "the example `" + c.Example + "`"
	}
	return "the kernel `" + c.Kernel + "`"
}

// The list in docs/challenges.md is the catalogue's (go test
// ./internal/challenge -run TestDocsChallenges -update rewrites it).
func TestDocsChallenges(t *testing.T) {
	const (
		path  = "../../docs/challenges.md"
		begin = "<!-- challenges: go test ./internal/challenge -run TestDocsChallenges -update -->\n"
		end   = "<!-- end of challenges -->"
	)
	golden.Section(t, filepath.FromSlash(path), begin, end, render(challenge.All()), *update)
}
