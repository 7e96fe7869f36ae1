package noex_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

var allStrategies = []string{"random", "pct", "pct:d=1", "pct:d=2,k=40", "pos", "portfolio"}

// Every strategy replays byte for byte from its seed and name, and from its
// schedule string under any other strategy.
func TestStrategiesReplayExactly(t *testing.T) {
	sc := scenario{servers: 3, clients: 2, msgs: 3, crashAt: 1}
	for _, spec := range allStrategies {
		t.Run(spec, func(t *testing.T) {
			distinct := map[string]bool{}
			for seed := uint64(1); seed <= 12; seed++ {
				opts := []noex.Option{noex.WithSeed(seed), noex.WithStrategy(spec)}
				rt := noex.NewRuntime(opts...)
				a, err := runLog(rt, sc.run)
				must(t, err)
				b, err := eventLog(t, opts, sc.run)
				must(t, err)
				if a != b {
					t.Fatalf("seed %d: two runs differ at %s", seed, firstDiff(a, b))
				}
				for _, other := range []string{"random", "pos", "pct:d=3,k=7"} {
					c, err := eventLog(t, []noex.Option{noex.WithSeed(seed), noex.WithStrategy(other),
						noex.WithSchedule(rt.Schedule())}, sc.run)
					must(t, err)
					if a != c {
						t.Fatalf("seed %d: the schedule %q replayed with %s differs at %s", seed, rt.Schedule(), other, firstDiff(a, c))
					}
				}
				distinct[a] = true
			}
			if len(distinct) < 2 {
				t.Errorf("12 seeds gave %d distinct runs; a strategy must vary the schedule", len(distinct))
			}
		})
	}
}

// runLog runs body on rt, shuts it down and returns the event log.
func runLog(rt *noex.Runtime, body func(context.Context) error) (string, error) {
	var b strings.Builder
	rt.Observe(func(e noex.Event) { b.WriteString(e.String()); b.WriteByte('\n') })
	ctx := context.Background()
	err := rt.Run(ctx, body)
	if serr := rt.Shutdown(ctx); serr != nil && err == nil {
		err = serr
	}
	return b.String(), err
}

func TestStrategyNames(t *testing.T) {
	for _, c := range []struct {
		spec   string
		seed   uint64
		length int
		want   string
	}{
		{"random", 5, 0, "random"},
		{" pos ", 5, 0, "pos"},
		{"pct", 1, 0, fmt.Sprintf("pct:d=%d,k=%d", noex.DefaultPCTDepth, noex.DefaultRunLength)},
		{"pct", 1, 250, "pct:d=3,k=250"},
		{"pct:d=2", 1, 0, "pct:d=2,k=100"},
		{"pct:k=9,d=5", 1, 70, "pct:d=5,k=9"},
		{"portfolio", 0, 0, "random"},
		{"portfolio", 1, 60, "pct:d=3,k=60"},
		{"portfolio", 2, 0, "pos"},
		{"portfolio", 3, 0, "pct:d=2,k=100"},
		{"portfolio", 4, 0, "pct:d=1,k=100"},
		{"portfolio", 5, 0, "random"},
	} {
		got, err := noex.ResolveStrategy(c.spec, c.seed, c.length)
		if err != nil || got != c.want {
			t.Errorf("ResolveStrategy(%q, %d, %d) = %q, %v; want %q", c.spec, c.seed, c.length, got, err, c.want)
		}
		rt := noex.NewRuntime(noex.WithSeed(c.seed), noex.WithStrategy(c.spec))
		if c.length == 0 && rt.Strategy() != c.want {
			t.Errorf("runtime with %q and seed %d runs %q; want %q", c.spec, c.seed, rt.Strategy(), c.want)
		}
	}
	if got := noex.NewRuntime(noex.WithSeed(1)).Strategy(); got != "random" {
		t.Errorf("default strategy %q, want random", got)
	}
	if got := noex.NewRuntime().Strategy(); got != "" {
		t.Errorf("real mode strategy %q, want empty", got)
	}
}

func TestBadStrategyFailsRun(t *testing.T) {
	for _, spec := range []string{"", "dfs", "pct:", "pct:d=0", "pct:d=x", "pct:z=3", "pos:d=2", "random:k=1", "pct:d=2,,k=3"} {
		if _, err := noex.ResolveStrategy(spec, 1, 0); !errors.Is(err, noex.ErrBadOption) {
			t.Errorf("ResolveStrategy(%q) = %v; want ErrBadOption", spec, err)
		}
		rt := noex.NewRuntime(noex.WithSeed(1), noex.WithStrategy(spec))
		err := rt.Run(context.Background(), func(context.Context) error { return nil })
		if !errors.Is(err, noex.ErrBadOption) || !strings.Contains(err.Error(), "want random, pct") {
			t.Errorf("Run with strategy %q = %v; want ErrBadOption listing the strategies", spec, err)
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown after a bad strategy: %v", err)
		}
	}
}

// twoSenders has a and b cast two messages each to one sink.
func twoSenders(ctx context.Context) error {
	s, err := noex.Start(ctx, sink{}, noex.WithName("sink"))
	if err != nil {
		return err
	}
	for _, name := range []string{"a", "b"} {
		if _, err := noex.Start(ctx, &caster{to: s, msgs: []int{1, 2}}, noex.WithName(name)); err != nil {
			return err
		}
	}
	return nil
}

// caster casts its messages to a server when it starts.
type caster struct {
	to   noex.Ref[seenReq, op, []int]
	msgs []int
}

func (c *caster) Init(ctx context.Context) (int, error) {
	for _, n := range c.msgs {
		if err := noex.Cast(ctx, c.to, op{kind: "add", n: n}); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
func (c *caster) HandleCall(context.Context, noex.None, int) (noex.None, int, error) {
	return noex.None{}, 0, nil
}
func (c *caster) HandleCast(_ context.Context, _ noex.None, s int) (int, error) { return s, nil }

func TestObserveDecisions(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rt := newRT(t, noex.WithSeed(seed))
		var decs []noex.Decision
		rt.ObserveDecisions(func(d noex.Decision) { decs = append(decs, d) })
		var seqs []uint64
		rt.Observe(func(e noex.Event) { seqs = append(seqs, e.Seq) })
		run(t, rt, twoSenders)
		if uint64(len(decs)) != rt.Decisions() {
			t.Fatalf("seed %d: %d decisions observed, the runtime made %d", seed, len(decs), rt.Decisions())
		}
		var sched []string
		for i, d := range decs {
			if d.N != uint64(i) || len(d.Steps) < 2 || d.Chosen < 0 || d.Chosen >= len(d.Steps) {
				t.Fatalf("seed %d: decision %d = %+v", seed, i, d)
			}
			if d.Chosen != 0 {
				sched = append(sched, fmt.Sprintf("%d:%d", d.N, d.Chosen))
			}
			if d.Seq > uint64(len(seqs)) {
				t.Fatalf("seed %d: decision %d after event %d of %d", seed, i, d.Seq, len(seqs))
			}
			for _, s := range d.Steps {
				if s.Kind == noex.StepDeliver && (s.Label != "sink" || s.FromLabel != "a" && s.FromLabel != "b") {
					t.Fatalf("seed %d: unexpected delivery %v", seed, s)
				}
				if s.String() == "" {
					t.Fatalf("seed %d: step %+v has no description", seed, s)
				}
			}
		}
		if got := strings.Join(sched, ","); got != rt.Schedule() {
			t.Fatalf("seed %d: decisions give the schedule %q, the runtime %q", seed, got, rt.Schedule())
		}
	}
}

func TestStepString(t *testing.T) {
	for _, c := range []struct {
		s    noex.Step
		want string
	}{
		{noex.Step{Kind: noex.StepDeliver, Label: "sink", FromLabel: "a", MsgKind: noex.KindCast, Msg: 3}, "a → sink: cast 3"},
		{noex.Step{Kind: noex.StepResume, Label: "main", What: "call"}, "resume main (call)"},
		{noex.Step{Kind: noex.StepWakeup, Label: "w1", What: "kill"}, "w1 observes its kill"},
		{noex.Step{Kind: noex.StepTimer, Label: "p", Ref: 12, What: "send-after"}, "timer 12 of p (send-after)"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.s, got, c.want)
		}
	}
}

// bFirst is a strategy of one's own: a delivery from b if there is one,
// else the oldest step that is not a delivery from a.
type bFirst struct{ seen int }

func (n *bFirst) Choose(int) int { panic("Choose must not be called on a StepChooser") }
func (n *bFirst) ChooseStep(steps noex.Steps) int {
	n.seen++
	pick := -1
	for i := range steps.Len() {
		s := steps.At(i)
		switch {
		case s.Kind == noex.StepDeliver && s.FromLabel == "b":
			return i
		case pick < 0 && (s.Kind != noex.StepDeliver || s.FromLabel != "a"):
			pick = i
		}
	}
	return max(pick, 0)
}

func TestStepChooser(t *testing.T) {
	ch := &bFirst{}
	rt := newRT(t, noex.WithChooser(ch))
	var got []string
	rt.Observe(func(e noex.Event) {
		if e.Kind == noex.MessageReceived && e.Label == "sink" {
			got = append(got, e.PeerLbl+fmt.Sprint(e.Msg.(op).n))
		}
	})
	run(t, rt, twoSenders)
	if ch.seen == 0 || rt.Strategy() != "custom" {
		t.Fatalf("the StepChooser made %d decisions; strategy %q", ch.seen, rt.Strategy())
	}
	if len(got) != 4 || got[0] != "b1" || got[1] != "b2" {
		t.Errorf("sink handled %v; the chooser prefers b's messages", got)
	}

	bad := noex.NewRuntime(noex.WithChooser(&bFirst{}), noex.WithStrategy("pos"))
	if err := bad.Run(context.Background(), twoSenders); !errors.Is(err, noex.ErrBadOption) {
		t.Errorf("a StepChooser with WithStrategy: Run = %v; want ErrBadOption", err)
	}
	must(t, bad.Shutdown(context.Background()))
}
