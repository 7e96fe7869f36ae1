package run_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want run.Config
		err  bool
	}{
		{nil, run.Config{Seed: 1}, false},
		{[]string{"-seed", "42", "-events"}, run.Config{Seed: 42, Events: true}, false},
		{[]string{"-real", "-diagram", "-otlp"}, run.Config{Seed: 1, Real: true, Diagram: "lanes", OTLP: true}, false},
		{[]string{"-diagram=list", "-html", "r.html"}, run.Config{Seed: 1, Diagram: "list", HTML: "r.html"}, false},
		{[]string{"-mermaid"}, run.Config{Seed: 1, Mermaid: true}, false},
		{[]string{"-mermaid", "-events"}, run.Config{}, true},
		{[]string{"-mermaid", "-diagram"}, run.Config{}, true},
		{[]string{"-diagram=boxes"}, run.Config{}, true},
		{[]string{"-seed", "x"}, run.Config{}, true},
		{[]string{"extra"}, run.Config{}, true},
		{[]string{"-nope"}, run.Config{}, true},
	} {
		got, err := run.ParseFlags("example", c.args, io.Discard)
		if c.err {
			if !errors.Is(err, run.ErrUsage) {
				t.Errorf("ParseFlags(%q) error = %v, want ErrUsage", c.args, err)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, c.want) {
			t.Errorf("ParseFlags(%q) = %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

// echo is a server that prints what it is cast.
type echo struct{ out io.Writer }

func (e echo) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (e echo) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (e echo) HandleCast(ctx context.Context, m string, s struct{}) (struct{}, error) {
	fmt.Fprintln(e.out, m)
	return s, nil
}

var ref noex.Ref[noex.None, string, struct{}]

func start(ctx context.Context, out io.Writer) error {
	var err error
	ref, err = noex.Start(ctx, echo{out: out}, noex.WithName("echo"))
	if err != nil {
		return err
	}
	return ref.Cast(ctx, "first")
}

// second runs after the first phase's cast was handled.
func second(ctx context.Context, out io.Writer) error {
	fmt.Fprintln(out, "second phase")
	return ref.Cast(ctx, "last")
}

func TestOncePhases(t *testing.T) {
	for _, cfg := range []run.Config{run.DefaultConfig(), {Real: true}} {
		res, err := run.Once(context.Background(), cfg, start, second)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"first", "second phase", "last"}, res.Lines()); diff != "" {
			t.Errorf("real=%v: output (-want +got):\n%s", cfg.Real, diff)
		}
		if len(res.Events) == 0 || !strings.Contains(res.Log(), `"echo"`) {
			t.Errorf("real=%v: the event log misses the server:\n%s", cfg.Real, res.Log())
		}
	}
}

func TestOnceErrors(t *testing.T) {
	boom := errors.New("boom")
	res, err := run.Once(context.Background(), run.DefaultConfig(), start, func(context.Context, io.Writer) error { return boom }, second)
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want boom", err)
	}
	if strings.Contains(res.Output, "second phase") {
		t.Error("a phase ran after a failed one")
	}
	if _, err := run.Once(context.Background(), run.DefaultConfig(), nil); err == nil {
		t.Error("a nil phase gave no error")
	}
	_, err = run.Once(context.Background(), run.DefaultConfig(), func(ctx context.Context, _ io.Writer) error {
		panic("in the body")
	})
	if !errors.Is(err, noex.ErrCrashed) {
		t.Errorf("a panicking phase gave %v, want ErrCrashed", err)
	}
}

func TestExecPrintsEvents(t *testing.T) {
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Events = true
	if err := run.Exec(context.Background(), cfg, &out, start); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "first\n\n--- events ---\n1 00:00:00.000000 ") {
		t.Errorf("output does not start with the example's, then the log:\n%s", got)
	}
}

func TestDeterministicOutputPerSeed(t *testing.T) {
	a, err := run.Once(context.Background(), run.Config{Seed: 3}, start, second)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run.Once(context.Background(), run.Config{Seed: 3}, start, second)
	if err != nil {
		t.Fatal(err)
	}
	if a.Log() != b.Log() || a.Schedule != b.Schedule {
		t.Errorf("seed 3 twice gave different runs:\n%s", cmp.Diff(a.Log(), b.Log()))
	}
}

func TestExplain(t *testing.T) {
	err := errors.New("it broke")
	if got := run.Explain(run.Config{Seed: 7}, err); !strings.Contains(got, "error: it broke") || !strings.Contains(got, "-seed 7") {
		t.Errorf("Explain = %q, want the error and how to reproduce it", got)
	}
	if got := run.Explain(run.Config{Real: true}, err); strings.Contains(got, "seed") {
		t.Errorf("Explain in real mode = %q mentions a seed", got)
	}
}

func TestExecPrintsDiagrams(t *testing.T) {
	for _, c := range []struct {
		mode, want string
	}{
		{"lanes", "--- lane diagram ---\n  main "},
		{"list", "--- sequence diagram ---\nprocesses: main, echo\n"},
	} {
		var out strings.Builder
		cfg := run.DefaultConfig()
		cfg.Diagram, cfg.Width = c.mode, 60
		if err := run.Exec(context.Background(), cfg, &out, start, second); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if !strings.HasPrefix(got, "first\nsecond phase\nlast\n") {
			t.Errorf("%s: the example's output does not come first:\n%s", c.mode, got)
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: output lacks %q:\n%s", c.mode, c.want, got)
		}
	}
}

func TestExecMermaidPrintsOnlyTheDiagram(t *testing.T) {
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Mermaid = true
	if err := run.Exec(context.Background(), cfg, &out, start, second); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "sequenceDiagram\n") || strings.Contains(got, "second phase") {
		t.Errorf("-mermaid should print the diagram alone:\n%s", got)
	}
}

// twoEchoes casts to two servers at once: the scheduler then decides
// which receives first.
func twoEchoes(ctx context.Context, out io.Writer) error {
	for _, name := range []string{"left", "right"} {
		e, err := noex.Start(ctx, echo{out: out}, noex.WithName(name))
		if err != nil {
			return err
		}
		if err := noex.Cast(ctx, e, name); err != nil {
			return err
		}
	}
	return nil
}

func TestOnceRecordsDecisions(t *testing.T) {
	res, err := run.Once(context.Background(), run.DefaultConfig(), twoEchoes)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Decisions) == 0 {
		t.Fatal("no decision recorded")
	}
	d := res.Decisions[0]
	if len(d.Steps) < 2 || d.Chosen < 0 || d.Chosen >= len(d.Steps) || d.Seq == 0 {
		t.Errorf("decision %+v: want two steps or more, a chosen one and the event it follows", d)
	}
	if res, _ := run.Once(context.Background(), run.Config{Real: true}, twoEchoes); len(res.Decisions) != 0 {
		t.Errorf("real mode recorded %d decisions", len(res.Decisions))
	}
}

func TestExecWritesTheReport(t *testing.T) {
	file := filepath.Join(t.TempDir(), "run.html")
	cfg := run.DefaultConfig()
	cfg.HTML, cfg.Seed, cfg.Command = file, 9, "go run ./example"
	var out strings.Builder
	if err := run.Exec(context.Background(), cfg, &out, start, twoEchoes); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "go run ./example -seed 9", `data-name="echo"`, "deterministic, seed 9", `class="decision"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// A failed run's report names the failure and its event.
	boom := func(ctx context.Context, _ io.Writer) error { panic("boom") }
	if err := run.Exec(context.Background(), cfg, io.Discard, boom); err == nil {
		t.Fatal("a panicking phase gave no error")
	}
	page, _ = os.ReadFile(file)
	if !strings.Contains(string(page), `class="failed`) || !strings.Contains(string(page), "boom") {
		t.Errorf("the report of a failed run does not show the failure")
	}
	// An unwritable file is an error of its own.
	cfg.HTML = filepath.Join(t.TempDir(), "no", "such", "dir.html")
	if err := run.Exec(context.Background(), cfg, io.Discard, start); err == nil || !strings.Contains(err.Error(), "-html") {
		t.Errorf("an unwritable report gave %v, want an -html error", err)
	}
}
