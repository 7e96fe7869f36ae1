package noex_test

import (
	"context"
	"errors"
	"testing"

	"github.com/noex-go/noex/noex"
)

// requester stops or kills the process it is cast, from its handler.
type requester struct{}

type request struct {
	Target noex.PID
	Kill   bool
}

func (requester) Init(ctx context.Context) (int, error) { return 0, nil }
func (requester) HandleCall(ctx context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (requester) HandleCast(ctx context.Context, m request, n int) (int, error) {
	if m.Kill {
		return n, noex.Kill(ctx, m.Target, errors.New("enough"))
	}
	return n, noex.Stop(ctx, m.Target, noex.ErrShutdown)
}

// A Stop or Kill is recorded as it begins, before the target ends: the
// requester is the event's process, the target its peer, the reason is
// given, and the parent is the handling that asked. A request to a process
// that has ended records nothing.
func TestStopAndKillRequestEvents(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			boss, err := noex.Start(ctx, requester{}, noex.WithName("boss"))
			must(t, err)
			a, err := noex.Start(ctx, requester{}, noex.WithName("a"))
			must(t, err)
			b, err := noex.Start(ctx, requester{}, noex.WithName("b"))
			must(t, err)
			must(t, boss.Cast(ctx, request{Target: a.PID()}))
			must(t, boss.Cast(ctx, request{Target: b.PID(), Kill: true}))
			if _, err := noex.Wait(ctx, b.PID()); err != nil {
				return err
			}
			if _, err := noex.Wait(ctx, a.PID()); err != nil {
				return err
			}
			must(t, noex.Kill(ctx, boss.PID(), nil))
			if err := noex.Stop(ctx, a.PID(), nil); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("stopping an ended process: %v, want ErrNotRunning", err)
			}
			return nil
		})
		events := rec.all()
		seq := map[uint64]noex.Event{}
		for _, e := range events {
			seq[e.Seq] = e
		}
		type req struct {
			kind             noex.EventKind
			from, to, reason string
			parentKind       noex.EventKind
		}
		var got []req
		for _, e := range events {
			if e.Kind != noex.StopRequested && e.Kind != noex.KillRequested {
				continue
			}
			r := req{kind: e.Kind, from: e.Label, to: e.PeerLbl, reason: noex.ReasonString(e.Reason), parentKind: seq[e.Parent].Kind}
			got = append(got, r)
			// The request comes before the target's end.
			for _, end := range events {
				if (end.Kind == noex.ProcessStopped || end.Kind == noex.ProcessCrashed) && end.PID == e.Peer && end.Seq < e.Seq {
					t.Errorf("%v comes after %v", e, end)
				}
			}
		}
		want := []req{
			{noex.StopRequested, "boss", "a", "shutdown", noex.MessageReceived},
			{noex.KillRequested, "boss", "b", `"enough"`, noex.MessageReceived},
			{noex.KillRequested, "main", "boss", "killed", 0},
		}
		if len(got) != len(want) {
			t.Fatalf("request events %+v, want %+v\n%s", got, want, rec.text())
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("request %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

func TestRequestEventString(t *testing.T) {
	e := noex.Event{Seq: 9, Time: noex.Epoch, Kind: noex.StopRequested, Label: "sup", PeerLbl: "worker", Reason: noex.ErrShutdown, Parent: 4}
	if got, want := e.String(), "9 00:00:00.000000 sup stop to worker reason=shutdown <- 4"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	e.Kind, e.Reason = noex.KillRequested, noex.ErrKilled
	if got, want := e.String(), "9 00:00:00.000000 sup kill to worker reason=killed <- 4"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
