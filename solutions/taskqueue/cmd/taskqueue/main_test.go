package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/otlp"
)

// exec runs the demo as its command line would.
func exec(out *bytes.Buffer, cfg run.Config) error {
	return run.Exec(context.Background(), cfg, out, demo)
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the demo under a few seeds: five tasks enqueued, five
// completed, the same output for the same seed.
func TestDemo(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		var a, b bytes.Buffer
		if err := exec(&a, run.Config{Seed: seed}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := exec(&b, run.Config{Seed: seed}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if a.String() != b.String() {
			t.Errorf("seed %d: two runs differ:\n%s\n---\n%s", seed, a.String(), b.String())
		}
		if n, m := strings.Count(a.String(), "enqueued "), strings.Count(a.String(), "completed "); n != 5 || m != 5 {
			t.Errorf("seed %d: %d enqueued, %d completed, want 5 and 5:\n%s", seed, n, m, a.String())
		}
	}
}

// TestDemoEventsAndSpans checks -events and -otlp (to a writer instead of
// OTLP/HTTP), and real mode.
func TestDemoEventsAndSpans(t *testing.T) {
	var out, spans bytes.Buffer
	toSpans := func(ctx context.Context, rt *noex.Runtime) (func(context.Context) error, error) {
		return otlp.Setup(ctx, rt, otlp.WithStdout(&spans))
	}
	if err := exec(&out, run.Config{Seed: 1, Events: true, OTLP: true, Exporter: toSpans}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `main sent call to producer`) {
		t.Errorf("-events printed no call from main to the producer:\n%s", out.String())
	}
	for _, want := range []string{`"call producer"`, `"cast worker-0"`, `"publish task.completed"`, `"handle_info monitor"`} {
		if !strings.Contains(spans.String(), want) {
			t.Errorf("the exported spans have no %s", want)
		}
	}
	var real bytes.Buffer
	if err := exec(&real, run.Config{Real: true}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(real.String(), "completed "); n != 5 {
		t.Errorf("real mode: %d completed, want 5:\n%s", n, real.String())
	}
}

// TestDemoStep steps through the demo (-step): a few choices, then the
// natural order; the schedule printed replays the same output.
func TestDemoStep(t *testing.T) {
	var out bytes.Buffer
	cfg := run.Config{Seed: 1, Step: true, Echo: true, Input: strings.NewReader("1\nr\nr\nc\n\n"),
		Command: "go run ./solutions/taskqueue/cmd/taskqueue"}
	if err := exec(&out, cfg); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	i := strings.Index(s, "Schedule: \"")
	if i < 0 || !strings.Contains(s, "decision 0 at t=0s: ") || strings.Count(s, "│ completed ") != 5 {
		t.Fatalf("the session did not run the demo to its end:\n%s", s)
	}
	schedule := s[i+len("Schedule: \"") : i+len("Schedule: \"")+strings.IndexByte(s[i+len("Schedule: \""):], '"')]
	if !strings.Contains(s, `go run ./solutions/taskqueue/cmd/taskqueue -seed 1 -schedule "`+schedule+`"`) {
		t.Errorf("no replay command for schedule %q:\n%s", schedule, s)
	}
	var replay bytes.Buffer
	if err := exec(&replay, run.Config{Seed: 1, Replay: true, Schedule: schedule}); err != nil {
		t.Fatal(err)
	}
	var stepped []string
	for _, l := range strings.Split(s, "\n") {
		if x, ok := strings.CutPrefix(l, "│ "); ok {
			stepped = append(stepped, x)
		}
	}
	if got := strings.Join(stepped, "\n") + "\n"; got != replay.String() {
		t.Errorf("-schedule %q printed:\n%s\nthe session printed:\n%s", schedule, replay.String(), got)
	}
}
