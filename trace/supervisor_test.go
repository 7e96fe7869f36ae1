package trace_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
)

// supervised runs the notification system under a supervisor named
// "notifications"; the sms channel handler crashes once and is restarted.
func supervised(ctx context.Context) error {
	_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
		Strategy: noex.OneForOne,
		Children: []noex.ChildSpec{
			noex.ServerChild("channel-email", channel{}, noex.WithName("channel-email")),
			noex.ServerChild("channel-sms", channel{}, noex.WithName("channel-sms")),
			noex.ServerChild("analytics", analytics{}, noex.WithName(string(Analytics))),
			noex.ServerChild("router", router{}, noex.WithName(string(Router))),
		},
	}, noex.WithName("notifications"))
	if err != nil {
		return err
	}
	if _, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "sms", Title: "panic"}}); !errors.Is(err, noex.ErrCrashed) {
		return errors.New("want ErrCrashed, got " + errString(err))
	}
	// Restarted: the next one is delivered.
	_, err = noex.Call(ctx, Router, Send{Notification{ID: 2, Channel: "sms", Title: "hello"}})
	return err
}

func TestSupervisorTrace(t *testing.T) {
	spans := traced(t, seeded(8), supervised, trace.WithRunID(0))
	sup := one(t, spans, "supervisor notifications")
	if sup.Parent != "" || sup.Kind != "internal" {
		t.Errorf("the supervisor's span should be the root of its own trace: parent %q, kind %s", sup.Parent, sup.Kind)
	}
	for _, child := range []string{"channel-email", "channel-sms", "analytics", "router"} {
		wantParent(t, one(t, spans, "start "+child), sup)
		wantParent(t, one(t, spans, "stop "+child), sup) // at Shutdown
	}
	restart := one(t, spans, "restart channel-sms")
	wantParent(t, restart, sup)
	if !strings.Contains(restart.Attrs["noex.exit.reason"], "channel handler bug") || restart.Attrs["noex.child.id"] != "channel-sms" {
		t.Errorf("restart span attributes: %v", restart.Attrs)
	}
	// The restart is linked to the supervisor's handling of the Down, which
	// is linked to the crash.
	ids := byID(spans)
	if len(restart.Links) != 1 || ids[restart.Links[0]].Name != "handle_info notifications" {
		t.Fatalf("restart links %v, want the supervisor's handling of the Down", restart.Links)
	}
	down := ids[ids[restart.Links[0]].Parent]
	crashed := find(spans, "handle_call channel-sms")[0]
	if down.Name != "send notifications" || len(down.Links) != 1 || down.Links[0] != crashed.ID {
		t.Errorf("the Down (%q, links %v) should be linked to the crashed handling %s", down.Name, down.Links, crashed.ID)
	}
	if !sup.End.After(restart.End) && !sup.End.Equal(restart.End) || sup.Attrs["noex.exit.reason"] != "shutdown" {
		t.Errorf("the supervisor's span should end when it stops, with its reason: %v..%v %v", sup.Start, sup.End, sup.Attrs)
	}
	golden(t, "supervisor.golden", render(spans))
}

// crasher panics on every call.
type crasher struct{}

func (crasher) Init(context.Context) (int, error) { return 0, nil }
func (crasher) HandleCall(context.Context, noex.None, int) (noex.None, int, error) {
	panic("always")
}
func (crasher) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

func TestSupervisorExceeded(t *testing.T) {
	spans := traced(t, seeded(3), func(ctx context.Context) error {
		sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
			Children:    []noex.ChildSpec{noex.ServerChild("crasher", crasher{}, noex.WithName("crasher"))},
			MaxRestarts: 1,
		}, noex.WithName("sup"))
		if err != nil {
			return err
		}
		for range 3 {
			noex.Call(ctx, noex.Name[noex.None, noex.None, noex.None]("crasher"), noex.None{})
		}
		reason, err := noex.Wait(ctx, sup)
		if !errors.Is(reason, noex.ErrMaxRestarts) {
			return errors.New("want ErrMaxRestarts, got " + errString(reason) + " " + errString(err))
		}
		return nil
	}, trace.WithRunID(0))
	sup := one(t, spans, "supervisor sup")
	if !strings.HasPrefix(sup.Status, "Error: ") || !strings.Contains(sup.Status, "restart") {
		t.Errorf("supervisor span status %q, want Error about the restart intensity", sup.Status)
	}
	var names []string
	for _, e := range sup.Events {
		names = append(names, e.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "supervisor.max_restarts") {
		t.Errorf("supervisor span events %v, want supervisor.max_restarts", names)
	}
	wantParent(t, one(t, spans, "restart crasher"), sup)
}
