package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var wantOutput = []string{"8", "28", `["5 + 3 = 8" "4 * 7 = 28"]`}

// The chapter's promise: call returns the handler's reply, and the history
// lists the operations in call order. It holds under every seed and in real
// mode.
func TestOutput(t *testing.T) {
	check := func(t testing.TB, res run.Result) {
		if diff := cmp.Diff(wantOutput, res.Lines()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) { check(t, res) }, demo)
	chaptertest.Real(t, 20, check, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "calculator", res)
}

// The handlers are plain functions: test them without a runtime first.
func TestHandlers(t *testing.T) {
	ctx := context.Background()
	var c Calculator
	s, _ := c.Init(ctx)
	r, s, err := c.HandleCall(ctx, Add{A: 2, B: 2}, s)
	if err != nil || r.Result != 4 {
		t.Fatalf("Add{2,2} = %v, %v; want 4, nil", r, err)
	}
	before := s
	_, s, _ = c.HandleCall(ctx, Multiply{A: 3, B: 3}, s)
	if len(before.History) != 1 {
		t.Errorf("the earlier state changed: %q", before.History)
	}
	r, _, _ = c.HandleCall(ctx, GetHistory{}, s)
	if diff := cmp.Diff([]string{"2 + 2 = 4", "3 * 3 = 9"}, r.History); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if _, _, err := c.HandleCall(ctx, nil, s); err == nil {
		t.Error("a nil call gave no error")
	}
}

// client is a process that makes k Add calls to the calculator when told to.
type client struct{ id, k int }

type start struct {
	calc noex.Ref[CalcCall, noex.None, CalcReply]
}

func (c client) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (c client) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (c client) HandleCast(ctx context.Context, m start, s struct{}) (struct{}, error) {
	for i := 0; i < c.k; i++ {
		if _, err := m.calc.Call(ctx, Add{A: c.id * 100, B: i}); err != nil {
			return s, err
		}
	}
	return s, nil
}

// clients runs n clients against one calculator and stores the history.
func clients(n, k int, history *[]string) []run.Phase {
	var calc noex.Ref[CalcCall, noex.None, CalcReply]
	return []run.Phase{
		func(ctx context.Context, _ io.Writer) error {
			var err error
			if calc, err = noex.Start(ctx, Calculator{}); err != nil {
				return err
			}
			for id := 1; id <= n; id++ {
				c, err := noex.Start(ctx, client{id: id, k: k})
				if err != nil {
					return err
				}
				if err := c.Cast(ctx, start{calc: calc}); err != nil {
					return err
				}
			}
			return nil
		},
		func(ctx context.Context, _ io.Writer) error {
			r, err := calc.Call(ctx, GetHistory{})
			*history = r.History
			return err
		},
	}
}

// With several callers, the history is in each caller's call order (one
// message at a time, FIFO per sender); how the callers interleave depends on
// the schedule, and some seed shows an interleaving other than
// client 1, then 2, then 3.
func TestHistoryInCallOrderPerCaller(t *testing.T) {
	const n, k = 3, 4
	check := func(t testing.TB, h []string) {
		if len(h) != n*k {
			t.Fatalf("history has %d entries, want %d: %q", len(h), n*k, h)
		}
		for id := 1; id <= n; id++ {
			var mine []string
			for _, e := range h {
				if strings.HasPrefix(e, fmt.Sprintf("%d + ", id*100)) {
					mine = append(mine, e)
				}
			}
			var want []string
			for i := 0; i < k; i++ {
				want = append(want, fmt.Sprintf("%d + %d = %d", id*100, i, id*100+i))
			}
			if diff := cmp.Diff(want, mine); diff != "" {
				t.Errorf("client %d's entries (-want +got):\n%s", id, diff)
			}
		}
	}
	var natural []string
	interleaved := false
	for seed := uint64(1); seed <= uint64(chaptertest.Seeds()); seed++ {
		var h []string
		chaptertest.Run(t, seed, clients(n, k, &h)...)
		check(t, h)
		if natural == nil {
			natural = slices.Sorted(slices.Values(h))
		}
		if !slices.Equal(h, natural) {
			interleaved = true
		}
	}
	if !interleaved {
		t.Error("no seed interleaved the callers: the test does not explore schedules")
	}
	for i := 0; i < 10; i++ {
		var h []string
		chaptertest.RunReal(t, clients(n, k, &h)...)
		check(t, h)
	}
}
