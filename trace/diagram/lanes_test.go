package diagram_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

func TestGoldenLanes(t *testing.T) {
	events := record(t, story, noex.WithSeed(42))
	golden(t, "story.lanes.golden", diagram.Lanes(events))
	golden(t, "story.lanes60.golden", diagram.Lanes(events, diagram.WithWidth(60)))
	golden(t, "supervisor.lanes.golden", diagram.Lanes(record(t, supervisedStory, noex.WithSeed(5))))
}

func TestLanesFitTheWidth(t *testing.T) {
	events := record(t, story, noex.WithSeed(42))
	for _, width := range []int{40, 57, 80, 100, 133, 200} {
		text := diagram.Lanes(events, diagram.WithWidth(width))
		for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line of %d columns: %s", width, n, line)
			}
		}
		// Every lane is named in the header, and each name starts its lane.
		header := strings.Split(text, "\n")[0]
		if got := len(strings.Fields(header)); got != 6 {
			t.Errorf("width %d: header %q has %d names, want 6", width, header, got)
		}
	}
	if got := diagram.Lanes(events, diagram.WithWidth(10)); got != diagram.Lanes(events, diagram.WithWidth(40)) {
		t.Errorf("a width under 40 should count as 40")
	}
	if got := diagram.Lanes(nil); got != "" {
		t.Errorf("Lanes(nil) = %q, want empty", got)
	}
}

func TestLanesCutMessagesInTheMiddle(t *testing.T) {
	long := "start-" + strings.Repeat("x", 200) + "-end"
	events := record(t, func(ctx context.Context) error {
		q, err := noex.Start(ctx, quiet{}, noex.WithName("q"))
		if err != nil {
			return err
		}
		return noex.Cast(ctx, q, long)
	}, noex.WithSeed(1))
	text := diagram.Lanes(events, diagram.WithWidth(80))
	var line string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "cast") {
			line = l
		}
	}
	// The operation, the start and the end of the message stay.
	for _, want := range []string{`cast "start-xxx`, `x-end"`, "…", "▷"} {
		if !strings.Contains(line, want) {
			t.Errorf("missing %q in the cast's row %q", want, line)
		}
	}
	if n := utf8.RuneCountInString(line); n > 80 {
		t.Errorf("row of %d columns: %q", n, line)
	}
	hidden := diagram.Lanes(events, diagram.WithMessageWidth(0))
	if !strings.Contains(hidden, "│──cast──") || strings.Contains(hidden, "start-") {
		t.Errorf("WithMessageWidth(0) should show the operation only:\n%s", hidden)
	}
}

// relay forwards each cast it gets to "sink".
type relay struct{}

func (relay) Init(context.Context) (int, error) { return 0, nil }
func (relay) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (relay) HandleCast(ctx context.Context, m string, n int) (int, error) {
	return n, noex.Cast(ctx, noex.Name[noex.None, string, noex.None]("sink"), m)
}

// overtaking casts "via relay" to the relay, which forwards it to the
// sink, then "direct" to the sink: depending on the seed, the direct
// message arrives first or is overtaken.
func overtaking(ctx context.Context) error {
	if _, err := noex.Start(ctx, quiet{}, noex.WithName("sink")); err != nil {
		return err
	}
	r, err := noex.Start(ctx, relay{}, noex.WithName("relay"))
	if err != nil {
		return err
	}
	if err := noex.Cast(ctx, r, "via relay"); err != nil {
		return err
	}
	return noex.Cast(ctx, noex.Name[noex.None, string, noex.None]("sink"), "direct")
}

func TestLanesShowAMessageOvertaken(t *testing.T) {
	// Find a seed under which "direct", sent first to the sink, is received
	// after "via relay".
	for seed := uint64(1); seed <= 64; seed++ {
		events := record(t, overtaking, noex.WithSeed(seed))
		var order []string
		for _, e := range events {
			if e.Kind == noex.MessageReceived && e.Label == "sink" {
				order = append(order, e.Msg.(string))
			}
		}
		if len(order) != 2 || order[0] != "via relay" {
			continue
		}
		text := diagram.Lanes(events, diagram.WithMessageWidth(0))
		lines := strings.Split(text, "\n")
		find := func(sub string) int {
			for i, l := range lines {
				if strings.Contains(l, sub) {
					return i
				}
			}
			t.Fatalf("seed %d: no row with %q in:\n%s", seed, sub, text)
			return -1
		}
		// The direct cast is sent with a tag, the relayed one is sent and
		// received, and only then is the direct one received.
		sent := find("cast [1]┈")
		arrived := find("┈[1]┈")
		relayed := -1
		for i := sent + 1; i < arrived; i++ {
			if strings.Contains(lines[i], "relay") || strings.Contains(lines[i], "cast") {
				relayed = i
			}
		}
		if !(sent < relayed && relayed < arrived) {
			t.Errorf("seed %d: want the direct cast's send row, then the relayed cast, then the direct receipt:\n%s", seed, text)
		}
		if !strings.Contains(lines[arrived], "▷") {
			t.Errorf("seed %d: the receipt row should end in an arrowhead: %q", seed, lines[arrived])
		}
		return
	}
	t.Fatal("no seed in 1..64 lets the relayed message overtake the direct one")
}
