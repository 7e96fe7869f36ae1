package diagram_test

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	goldenfile "github.com/noex-go/noex/internal/golden"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestGolden(t *testing.T) {
	events := record(t, story, noex.WithSeed(42))
	text, mermaid := diagram.Text(events), diagram.Mermaid(events)
	golden(t, "story.txt.golden", text)
	golden(t, "story.mmd.golden", mermaid)

	again := record(t, story, noex.WithSeed(42))
	if diff := cmp.Diff(text, diagram.Text(again)); diff != "" {
		t.Errorf("the same seed gave another text diagram (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(mermaid, diagram.Mermaid(again)); diff != "" {
		t.Errorf("the same seed gave another Mermaid diagram (-first +second):\n%s", diff)
	}
}

func TestGoldenSupervisor(t *testing.T) {
	events := record(t, supervisedStory, noex.WithSeed(5))
	golden(t, "supervisor.txt.golden", diagram.Text(events))
	text := diagram.Text(events, diagram.WithMessageWidth(0))
	for _, want := range []string{
		"  supervisor ──start──▶ channel-sms\n",
		"  channel-sms: ✖ crashed: channel handler bug\n",
		"  channel-sms ──down: crashed: channel handler bug──▷ supervisor\n",
		"  supervisor ──restart──▶ channel-sms\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}

func TestTextFitsATerminal(t *testing.T) {
	for _, line := range strings.Split(diagram.Text(record(t, story, noex.WithSeed(42))), "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d columns (want at most 100): %s", n, line)
		}
	}
}

func TestTextShowsTheFlow(t *testing.T) {
	text := diagram.Text(record(t, story, noex.WithSeed(42)), diagram.WithMessageWidth(0))
	// With no messages the lines are exactly the actions.
	for _, want := range []string{
		"processes: main, event-bus, channel-email, channel-sms, analytics, notification-router\n",
		"  main ──start──▶ notification-router\n",
		"  analytics ──subscribe \"notification.sent.*\"──▶ event-bus\n",
		"  main ──call──▶ notification-router\n",
		"  notification-router ──call──▶ channel-email\n",
		"  channel-email: ◷ sleep 10ms\n",
		"── t=10ms ──\n",
		"  channel-email ┄┄reply┄┄▶ notification-router\n",
		"  notification-router ══publish \"notification.sent.email\"══▷ event-bus\n",
		"  event-bus ──deliver \"notification.sent.email\"──▷ analytics\n",
		"  analytics: ◷ timer #",
		"  channel-sms: ✖ crashed: channel handler bug\n",
		"  notification-router: ✗ call to channel-sms failed\n",
		"  notification-router ┄┄error┄┄▶ main\n",
		"  analytics ──info (timer)──▷ analytics\n",
		"  event-bus: ■ stopped: shutdown\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	// Internal messages of the bus are drawn as what they do.
	for _, not := range []string{"Subscribe(", "Publish(", "Publication{", "reply #"} {
		if strings.Contains(text, not) {
			t.Errorf("%q should be drawn as a bus action, got:\n%s", not, text)
		}
	}
}

func TestRestartKeepsTheLifeline(t *testing.T) {
	// A server restarted by hand under the same name stays one participant.
	events := record(t, func(ctx context.Context) error {
		for range 2 {
			ref, err := noex.Start(ctx, channel{}, noex.WithName("channel-email"))
			if err != nil {
				return err
			}
			if err := noex.Stop(ctx, ref, nil); err != nil {
				return err
			}
		}
		return nil
	}, noex.WithSeed(1))
	want := "processes: main, channel-email\n" +
		"  main ──start──▶ channel-email\n" +
		"  main ──stop──▶ channel-email\n" +
		"  channel-email: ■ stopped\n" +
		"  main ──start──▶ channel-email\n" +
		"  main ──stop──▶ channel-email\n" +
		"  channel-email: ■ stopped\n"
	if diff := cmp.Diff(want, diagram.Text(events)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// quiet takes casts of strings and has no HandleInfo.
type quiet struct{}

func (quiet) Init(context.Context) (int, error) { return 0, nil }
func (quiet) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (quiet) HandleCast(_ context.Context, m string, n int) (int, error) {
	if m == "bad" {
		return n, errors.New("bad cast")
	}
	return n + 1, nil
}

func TestFailuresAndDrops(t *testing.T) {
	events := record(t, func(ctx context.Context) error {
		q, err := noex.Start(ctx, quiet{})
		if err != nil {
			return err
		}
		if err := noex.Cast(ctx, q, "bad"); err != nil {
			return err
		}
		if err := noex.Send(ctx, q, "no HandleInfo"); err != nil {
			return err
		}
		if _, err := noex.Call(ctx, q, noex.None{}); err != nil {
			return err
		}
		if err := noex.Cast(ctx, q, "late"); err != nil {
			return err
		}
		return noex.Kill(ctx, q, nil)
	}, noex.WithSeed(1))
	want := "processes: main, p2\n" +
		"  main ──start──▶ p2\n" +
		"  main ──cast \"bad\"──▷ p2\n" +
		"  main ──info \"no HandleInfo\"──▷ p2\n" +
		"  main ──call None{}──▶ p2\n" +
		"  p2: ✗ handle_cast failed: bad cast\n" +
		"  p2: ✕ info dropped: noex: server has no HandleInfo\n" +
		"  p2 ┄┄reply None{}┄┄▶ main\n" +
		"  main ──cast \"late\"──▷ p2\n" +
		"  main ──kill──▷ p2\n" +
		"  p2: ✕ cast dropped: noex: server killed\n" +
		"  p2: ✖ killed\n"
	if diff := cmp.Diff(want, diagram.Text(events)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestMessageWidth(t *testing.T) {
	long := strings.Repeat("x", 100)
	events := record(t, func(ctx context.Context) error {
		q, err := noex.Start(ctx, quiet{}, noex.WithName("q"))
		if err != nil {
			return err
		}
		return noex.Cast(ctx, q, long)
	}, noex.WithSeed(1))
	for _, tc := range []struct {
		reason string
		opts   []diagram.Option
		want   string
	}{
		{"the default cuts at 40 characters", nil, `  main ──cast "` + strings.Repeat("x", 38) + "…──▷ q\n"},
		{"a width of 10 still shows 12", []diagram.Option{diagram.WithMessageWidth(10)}, `  main ──cast "` + strings.Repeat("x", 10) + "…──▷ q\n"},
		{"0 hides messages", []diagram.Option{diagram.WithMessageWidth(0)}, "  main ──cast──▷ q\n"},
		{"a negative width is 0", []diagram.Option{diagram.WithMessageWidth(-5)}, "  main ──cast──▷ q\n"},
		{"nil options are ignored", []diagram.Option{nil}, `  main ──cast "` + strings.Repeat("x", 38) + "…──▷ q\n"},
	} {
		if got := diagram.Text(events, tc.opts...); !strings.Contains(got, tc.want) {
			t.Errorf("%s: want %q in:\n%s", tc.reason, tc.want, got)
		}
	}
}

func TestMermaidEscapes(t *testing.T) {
	events := record(t, func(ctx context.Context) error {
		q, err := noex.Start(ctx, quiet{}, noex.WithName("q#1"))
		if err != nil {
			return err
		}
		return noex.Cast(ctx, q, "a;b <c> #d")
	}, noex.WithSeed(1))
	got := diagram.Mermaid(events)
	want := "sequenceDiagram\n" +
		"    participant P1 as main\n" +
		"    participant P2 as q#35;1\n" +
		"    P1->>P2: start\n" +
		`    P1-)P2: cast "a#59;b #lt;c#gt; #35;d"` + "\n" +
		"    P1->>P2: stop: shutdown\n" +
		"    Note over P2: ■ stopped: shutdown\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestEmptyAndRealMode(t *testing.T) {
	if got := diagram.Text(nil); got != "" {
		t.Errorf("Text(nil) = %q, want empty", got)
	}
	if got := diagram.Mermaid(nil); got != "" {
		t.Errorf("Mermaid(nil) = %q, want empty", got)
	}
	// A real-mode run has no virtual clock to mark, and the same lines.
	real := diagram.Text(record(t, func(ctx context.Context) error { return storyWaiting(ctx, 0) }),
		diagram.WithMessageWidth(0))
	if strings.Contains(real, "── t=") {
		t.Errorf("real mode has no virtual clock, got:\n%s", real)
	}
	for _, want := range []string{
		"  notification-router ══publish \"notification.sent.email\"══▷ event-bus\n",
		"  event-bus ──deliver \"notification.sent.email\"──▷ analytics\n",
	} {
		if !strings.Contains(real, want) {
			t.Errorf("missing %q in:\n%s", want, real)
		}
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got, *update)
}
