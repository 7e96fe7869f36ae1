package run_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

// printer prints its name when it gets a cast, and appends it to a log
// that the phase shares between the printers.
type printer struct {
	name string
	out  io.Writer
	mu   *sync.Mutex
	log  *[]string
}

func (p printer) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (p printer) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return noex.None{}, s, nil
}

// HandleCast prints and records the printer's name.
//
//noexvet:ignore the log is the test's own record of the order, shared on purpose
func (p printer) HandleCast(_ context.Context, _ noex.None, s noex.None) (noex.None, error) {
	fmt.Fprintln(p.out, p.name)
	p.mu.Lock()
	*p.log = append(*p.log, p.name)
	p.mu.Unlock()
	return s, nil
}

// printers casts to three printers and waits until they have printed. With
// inOrder it fails unless they printed in the order they were started.
func printers(inOrder bool) run.Phase {
	return func(ctx context.Context, out io.Writer) error {
		var mu sync.Mutex
		var log []string
		for _, name := range []string{"a", "b", "c"} {
			ref, err := noex.Start(ctx, printer{name: name, out: out, mu: &mu, log: &log})
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, ref, noex.None{}); err != nil {
				return err
			}
		}
		if err := noex.Sleep(ctx, time.Second); err != nil { // every printer is done by then
			return err
		}
		if got := strings.Join(log, ""); inOrder && got != "abc" {
			return fmt.Errorf("printed %q, want \"abc\"", got)
		}
		return nil
	}
}

// -explore visits each order of the three printers' lines once: what an
// example prints is part of what a schedule decides.
func TestExploreCountsTheOrdersOfOutput(t *testing.T) {
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Explore = 100
	if err := run.Exec(context.Background(), cfg, &out, printers(false)); err != nil {
		t.Fatal(err)
	}
	if want := "explored: 6 schedules, all passed (complete)\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// -explore reports the first failing schedule with the command that
// replays it, and that command fails the same way.
func TestExploreFindsTheFailingSchedule(t *testing.T) {
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Explore, cfg.Command = 100, "go run ./example"
	err := run.Exec(context.Background(), cfg, &out, printers(true))
	if !errors.Is(err, run.ErrScheduleFailed) {
		t.Fatalf("Exec = %v, want ErrScheduleFailed; printed:\n%s", err, out.String())
	}
	m := regexp.MustCompile(`(?m)^explored: schedule 2 failed .*printed "(\w+)", want "abc"\nreplay it: go run \./example -seed 1 -schedule "([0-9:,]+)"\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("printed:\n%s\nwant the second schedule failing and its replay command", out.String())
	}
	replay := run.DefaultConfig()
	replay.Replay, replay.Schedule = true, m[2]
	res, err := run.Once(context.Background(), replay, printers(true))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("printed %q", m[1])) {
		t.Errorf("the replay of %q gave %v, want the failure the search found", m[2], err)
	}
	if diff := cmp.Diff(strings.Split(m[1], ""), res.Lines()); diff != "" {
		t.Errorf("the replay printed (-want +got):\n%s", diff)
	}
}

// The bound ends a search that would take more runs, and says so.
func TestExploreBound(t *testing.T) {
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Explore = 4
	if err := run.Exec(context.Background(), cfg, &out, printers(false)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "explored: bound reached after ") || !strings.Contains(out.String(), "(4 runs)\n(not every schedule was run: allow more runs with -explore=40)\n") {
		t.Errorf("printed %q, want the bound of 4 runs and how to raise it", out.String())
	}
}

func TestParseExploreFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"-explore"}, run.DefaultExploreRuns},
		{[]string{"-explore=250", "-seed", "3"}, 250},
		{[]string{"-explore=false"}, 0},
	} {
		cfg, err := run.ParseFlags("example", c.args, io.Discard)
		if err != nil || cfg.Explore != c.want {
			t.Errorf("ParseFlags(%q) = Explore %d, %v; want %d", c.args, cfg.Explore, err, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-explore=0"}, "want -explore"},
		{[]string{"-explore=many"}, "want -explore"},
		{[]string{"-explore", "-real"}, "-explore and -real exclude each other"},
		{[]string{"-explore", "-diagram"}, "-explore and -diagram exclude each other"},
		{[]string{"-step", "-explore"}, "-explore and -step exclude each other"},
		{[]string{"-explore", "-schedule", ""}, "-explore and -schedule exclude each other"},
	} {
		var stderr strings.Builder
		_, err := run.ParseFlags("example", c.args, &stderr)
		if !errors.Is(err, run.ErrUsage) || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("ParseFlags(%q) = %v, printed %q; want ErrUsage and %q", c.args, err, stderr.String(), c.want)
		}
	}
}

// An example that does not do the same thing under the same schedule (here
// every run after the first casts to its printers in the other order)
// cannot be explored: -explore says so and prints no replay command.
func TestExploreRefusesANondeterministicExample(t *testing.T) {
	var runs atomic.Int64
	phase := func(ctx context.Context, out io.Writer) error {
		var mu sync.Mutex
		var log []string
		var refs []noex.Ref[noex.None, noex.None, noex.None]
		for _, name := range []string{"a", "b", "c"} {
			ref, err := noex.Start(ctx, printer{name: name, out: out, mu: &mu, log: &log})
			if err != nil {
				return err
			}
			refs = append(refs, ref)
		}
		if runs.Add(1) > 1 {
			slices.Reverse(refs)
		}
		for _, ref := range refs {
			if err := noex.Cast(ctx, ref, noex.None{}); err != nil {
				return err
			}
		}
		return nil
	}
	var out strings.Builder
	cfg := run.DefaultConfig()
	cfg.Explore = 100
	err := run.Exec(context.Background(), cfg, &out, phase)
	if !errors.Is(err, noex.ErrNotDeterministic) {
		t.Errorf("Exec = %v, want ErrNotDeterministic", err)
	}
	if !strings.HasPrefix(out.String(), "explored: stopped after 1 schedule: ") || strings.Contains(out.String(), "replay it") {
		t.Errorf("printed %q, want the search stopped after the first run and no replay command", out.String())
	}
}
