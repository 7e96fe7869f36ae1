package run_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/internal/run"
)

// printSecond is a second phase that only prints.
func printSecond(ctx context.Context, out io.Writer) error {
	_, err := io.WriteString(out, "second phase\n")
	return err
}

func TestParseStepFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want run.Config
	}{
		{[]string{"-step"}, run.Config{Seed: 1, Step: true}},
		{[]string{"-step", "-seed", "4", "-diagram", "-html", "r.html"}, run.Config{Seed: 4, Step: true, Diagram: "lanes", HTML: "r.html"}},
		{[]string{"-schedule", "3:1,7:2"}, run.Config{Seed: 1, Replay: true, Schedule: "3:1,7:2"}},
		{[]string{"-schedule", ""}, run.Config{Seed: 1, Replay: true}},
		{[]string{"-schedule", "0:1", "-otlp"}, run.Config{Seed: 1, Replay: true, Schedule: "0:1", OTLP: true}},
		{[]string{"-challenge", "webhook-first"}, run.Config{Seed: 1, Step: true, Challenge: "webhook-first"}},
		{[]string{"-challenge", "webhook-first", "-schedule", "0:3"}, run.Config{Seed: 1, Challenge: "webhook-first", Replay: true, Schedule: "0:3"}},
	} {
		got, err := run.ParseFlags("example", c.args, io.Discard)
		if err != nil || !cmp.Equal(got, c.want) {
			t.Errorf("ParseFlags(%q) = %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

func TestParseStepFlagsRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-step", "-real"}, "-step and -real exclude each other: -step is for deterministic mode"},
		{[]string{"-real", "-schedule", "1:1"}, "-schedule and -real exclude each other: -schedule replays a deterministic run"},
		{[]string{"-challenge", "x", "-real"}, "-challenge and -real exclude each other: -challenge is for deterministic mode"},
		{[]string{"-step", "-schedule", "1:1"}, "-step and -schedule exclude each other: -step lets you choose the run, -schedule replays one"},
		{[]string{"-step", "-schedule", ""}, "-step and -schedule exclude each other"},
		{[]string{"-step", "-mermaid"}, "-step cannot be combined with -mermaid"},
		{[]string{"-step", "-otlp"}, "-step cannot be combined with -otlp"},
		{[]string{"-challenge", "x", "-otlp"}, "-challenge (which steps through the run unless -schedule replays one) cannot be combined with -otlp"},
		{[]string{"-schedule", "3:1,7"}, `"7" is not a decision:choice pair`},
		{[]string{"-schedule", "a:1"}, `"a:1" is not a decision:choice pair`},
		{[]string{"-schedule", "1:-1"}, `"1:-1" is not a decision:choice pair`},
	} {
		var stderr strings.Builder
		_, err := run.ParseFlags("example", c.args, &stderr)
		if !errors.Is(err, run.ErrUsage) || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("ParseFlags(%q) = %v, printed %q; want ErrUsage and %q", c.args, err, stderr.String(), c.want)
		}
	}
}

// stepCfg is a -step configuration reading the answers of script.
func stepCfg(script string) run.Config {
	cfg := run.DefaultConfig()
	cfg.Step, cfg.Input, cfg.Echo, cfg.Command = true, strings.NewReader(script), true, "go run ./example"
	return cfg
}

// -step lists the steps at each decision, takes the answers, shows the
// example's output as it is printed, and ends with the schedule and the
// command that replays it; that command's flags replay the same run.
func TestExecStep(t *testing.T) {
	var out strings.Builder
	cfg := stepCfg("1\nc\n\n")
	cfg.Events = true
	if err := run.Exec(context.Background(), cfg, &out, twoEchoes, printSecond); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Step-through of example, seed 1: you are the scheduler.\n",
		"decision 0 at t=0s: 2 steps can run next\n  0  ",
		"choose 0-1, or n r u d c q ?: 1\n",
		"│ right\n",
		"│ second phase\n",
		"\nReplay:   go run ./example -seed 1 -schedule \"",
		"\n--- events ---\n1 00:00:00.000000 ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the session lacks %q:\n%s", want, got)
		}
	}
	i := strings.Index(got, "Schedule: \"") + len("Schedule: \"")
	schedule := got[i : i+strings.IndexByte(got[i:], '"')]
	stepped := strings.Join(filterMarked(got), "\n") + "\n"

	replay := run.DefaultConfig()
	replay.Replay, replay.Schedule = true, schedule
	res, err := run.Once(context.Background(), replay, twoEchoes, printSecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != stepped || res.Schedule != schedule {
		t.Errorf("-schedule %q printed %q (schedule %q); the session printed %q", schedule, res.Output, res.Schedule, stepped)
	}
}

// filterMarked returns the example's lines of a session's transcript.
func filterMarked(transcript string) []string {
	var out []string
	for _, l := range strings.Split(transcript, "\n") {
		if s, ok := strings.CutPrefix(l, "│ "); ok {
			out = append(out, s)
		}
	}
	return out
}

// q (or the end of the input) ends a stepped run cleanly: no error.
func TestExecStepQuit(t *testing.T) {
	var out strings.Builder
	if err := run.Exec(context.Background(), stepCfg("1\n"), &out, twoEchoes, printSecond); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Quit at decision 1. Your choices so far: schedule \"0:1\".") ||
		!strings.Contains(out.String(), "go run ./example -seed 1 -schedule \"0:1\"") {
		t.Errorf("the quit does not say what was chosen:\n%s", out.String())
	}
}

// A stepped run's report replays it with its schedule.
func TestExecStepReport(t *testing.T) {
	cfg := stepCfg("1\nc\n\n")
	cfg.HTML = filepath.Join(t.TempDir(), "run.html")
	if err := run.Exec(context.Background(), cfg, io.Discard, twoEchoes); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(cfg.HTML)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `go run ./example -seed 1 -schedule &#34;0:1&#34;`) || !strings.Contains(string(page), `data-name="right"`) {
		t.Errorf("the report of a stepped run does not replay it with its schedule")
	}
}

// -challenge names a challenge of this example; any other is a usage
// error that says where it runs.
func TestExecChallengeUsage(t *testing.T) {
	cfg := run.DefaultConfig()
	cfg.Challenge, cfg.Replay, cfg.Command = "no-such-thing", true, "go run ./chapters/02-ipc/fanout"
	err := run.Exec(context.Background(), cfg, io.Discard, twoEchoes)
	if !errors.Is(err, run.ErrUsage) || !strings.Contains(err.Error(), "webhook-first") {
		t.Errorf("an unknown challenge gave %v, want ErrUsage listing the challenges", err)
	}
	cfg.Challenge, cfg.Command = "webhook-first", "go run ./chapters/02-ipc/counter"
	err = run.Exec(context.Background(), cfg, io.Discard, twoEchoes)
	if !errors.Is(err, run.ErrUsage) || !strings.Contains(err.Error(), "go run ./chapters/02-ipc/fanout -challenge webhook-first") {
		t.Errorf("another example's challenge gave %v, want ErrUsage with the command that takes it", err)
	}
}

func TestExplainSchedule(t *testing.T) {
	err := errors.New("it broke")
	cfg := run.Config{Seed: 7, Replay: true, Schedule: "1:1"}
	if got := run.Explain(cfg, err); !strings.Contains(got, `-seed 7 -schedule "1:1"`) {
		t.Errorf("Explain of a replay = %q, want the schedule in the hint", got)
	}
	if got := run.Explain(run.Config{Seed: 7, Step: true}, err); strings.Contains(got, "seed") {
		t.Errorf("Explain of a stepped run = %q: the session printed the replay already", got)
	}
	if got := run.Explain(run.Config{Seed: 7}, run.ErrGoalNotReached); strings.Contains(got, "seed") {
		t.Errorf("Explain of a missed goal = %q: nothing failed", got)
	}
}
