package noextest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

func TestDDMin(t *testing.T) {
	// The failure needs pairs b and e, whatever else is there.
	needs := func(c []string) bool { return slices.Contains(c, "b") && slices.Contains(c, "e") }
	for _, in := range [][]string{
		{"a", "b", "c", "d", "e", "f", "g"},
		{"e", "b"},
		{"b", "x", "x", "x", "x", "x", "x", "x", "x", "e"},
	} {
		if got := ddmin(in, needs); !slices.Equal(got, []string{"b", "e"}) && !slices.Equal(got, []string{"e", "b"}) {
			t.Errorf("ddmin(%v) = %v, want b and e", in, got)
		}
	}
	if got := ddmin([]string{"a", "b"}, func([]string) bool { return true }); len(got) != 0 {
		t.Errorf("a failure that needs nothing shrinks to %v, want nothing", got)
	}
}

// The causal past of the failure: its parent chain, and what each process
// on it had handled before; nothing of a process that only ran beside it.
func TestCausalPast(t *testing.T) {
	pids := threePIDs(t)
	a, b, c := pids[0], pids[1], pids[2]
	log := []noex.Event{
		{Seq: 1, Kind: noex.MessageSent, PID: a, Peer: b},                    // a → b: m1
		{Seq: 2, Kind: noex.MessageReceived, PID: b, Peer: a, Parent: 1},     // b handles m1
		{Seq: 3, Kind: noex.MessageSent, PID: c, Peer: c},                    // c to itself: noise
		{Seq: 4, Kind: noex.MessageReceived, PID: c, Peer: c, Parent: 3},     // noise
		{Seq: 5, Kind: noex.MessageSent, PID: a, Peer: b},                    // a → b: m2
		{Seq: 6, Kind: noex.MessageReceived, PID: b, Peer: a, Parent: 5},     // b handles m2
		{Seq: 7, Kind: noex.MessageHandled, PID: b, Err: errBoom, Parent: 6}, // and fails
		{Seq: 8, Kind: noex.MessageSent, PID: c, Peer: a},                    // later: not in the past
	}
	var got []uint64
	for _, e := range causalPast(log) {
		got = append(got, e.Seq)
	}
	if want := []uint64{1, 2, 5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("causal past = %v, want %v", got, want)
	}
}

var errBoom = noex.ErrCrashed

func TestFlipPhrase(t *testing.T) {
	d := func(to, from string, msg any) noex.Step {
		return noex.Step{Kind: noex.StepDeliver, Label: to, FromLabel: from, MsgKind: noex.KindCast, Msg: msg}
	}
	for _, c := range []struct {
		f    flip
		want string
	}{
		{flip{taken: d("producer", "worker-2", "Ready"), natural: d("producer", "worker-1", rawMsg("Down"))},
			`producer handles worker-2's cast "Ready" before worker-1's cast Down`},
		{flip{taken: d("cache", "writer", 1), natural: noex.Step{Kind: noex.StepResume, Label: "reader", What: "call"}},
			"cache handling writer's cast 1 comes before reader going on after its call"},
	} {
		if got := c.f.phrase(); got != c.want {
			t.Errorf("phrase = %q, want %q", got, c.want)
		}
		if !strings.Contains(explanation{flips: []flip{c.f}, shrunk: "1:1", original: "1:1,2:1"}.render("go test -noex.schedule=%s"), c.want) {
			t.Errorf("the rendering leaves out %q", c.want)
		}
	}
}

type idle struct{}

func (idle) Init(context.Context) (int, error) { return 0, nil }
func (idle) HandleCall(context.Context, int, int) (int, int, error) {
	return 0, 0, nil
}
func (idle) HandleCast(context.Context, int, int) (int, error) { return 0, nil }

// threePIDs returns the ids of three processes of a runtime, shut down.
func threePIDs(t *testing.T) []noex.PID {
	rt := noex.NewRuntime(noex.WithSeed(1))
	var pids []noex.PID
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		for range 3 {
			r, err := noex.Start(ctx, idle{})
			if err != nil {
				return err
			}
			pids = append(pids, r.PID())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return pids
}
