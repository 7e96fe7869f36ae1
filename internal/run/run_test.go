package run_test

import (
	"context"
	"errors"
	"fmt"
	"io"
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
		{[]string{"-real", "-diagram", "-mermaid", "-otlp"}, run.Config{Seed: 1, Real: true, Diagram: true, Mermaid: true, OTLP: true}, false},
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
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Diagram, cfg.Mermaid = true, true
	if err := run.Exec(context.Background(), cfg, &out, start, second); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"--- sequence diagram ---\n", "--- mermaid ---\nsequenceDiagram\n", "echo"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if !strings.HasPrefix(got, "first\nsecond phase\nlast\n") {
		t.Errorf("the example's output does not come first:\n%s", got)
	}
}
