package trace_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/noex"
)

// terminator stops, then kills, the processes named in the calls it
// handles.
type terminator struct{}

type endThem struct{ Stop, Kill noex.PID }

func (terminator) Init(context.Context) (int, error) { return 0, nil }
func (terminator) HandleCall(ctx context.Context, m endThem, n int) (bool, int, error) {
	if err := noex.Stop(ctx, m.Stop, nil); err != nil {
		return false, n, err
	}
	return true, n, noex.Kill(ctx, m.Kill, nil)
}
func (terminator) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// A handler's Stop and Kill are span events on its handling, with the
// target and the reason.
func TestStopAndKillRequestsAreSpanEvents(t *testing.T) {
	spans := traced(t, seeded(1), func(ctx context.Context) error {
		term, err := noex.Start(ctx, terminator{}, noex.WithName("terminator"))
		if err != nil {
			return err
		}
		a, err := noex.Start(ctx, channel{}, noex.WithName("a"))
		if err != nil {
			return err
		}
		b, err := noex.Start(ctx, channel{}, noex.WithName("b"))
		if err != nil {
			return err
		}
		_, err = term.Call(ctx, endThem{Stop: a.PID(), Kill: b.PID()})
		return err
	})
	h := one(t, spans, "handle_call terminator")
	var got []event
	for _, e := range h.Events {
		e.Time = h.Start
		delete(e.Attrs, "noex.process.id")
		got = append(got, e)
	}
	want := []event{
		{Name: "process.stop_requested", Time: h.Start, Attrs: map[string]string{"noex.process.name": "a", "noex.exit.reason": "normal"}},
		{Name: "process.kill_requested", Time: h.Start, Attrs: map[string]string{"noex.process.name": "b", "noex.exit.reason": "killed"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("span events of the handling (-want +got):\n%s", diff)
	}
}
