package diagram_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// The chapter's notification system: a router finds a channel handler by
// name and calls it, then publishes the result on the event bus, to which
// analytics is subscribed.

type Notification struct {
	ID      int
	Channel string
	Title   string
}

type Send struct{ N Notification }

type Deliver struct{ N Notification }

type Sent struct {
	ID      int
	Channel string
}

type flush struct{}

var (
	Router   = noex.Name[Send, noex.None, bool]("notification-router")
	EventBus = noex.BusName("event-bus")
)

// channel takes 10ms to deliver; the title "panic" makes it panic.
type channel struct{}

func (channel) Init(context.Context) (int, error) { return 0, nil }

func (channel) HandleCall(ctx context.Context, m Deliver, n int) (bool, int, error) {
	if err := noex.Sleep(ctx, 10*time.Millisecond); err != nil {
		return false, n, err
	}
	if m.N.Title == "panic" {
		panic("channel handler bug")
	}
	return true, n + 1, nil
}

func (channel) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

type router struct{}

func (router) Init(context.Context) (int, error) { return 0, nil }

func (router) HandleCall(ctx context.Context, m Send, n int) (bool, int, error) {
	ch := noex.Name[Deliver, noex.None, bool]("channel-" + m.N.Channel)
	ok, err := noex.Call(ctx, ch, Deliver(m))
	if err != nil {
		return false, n, err
	}
	return ok, n + 1, noex.Publish(ctx, EventBus, "notification.sent."+m.N.Channel, Sent{ID: m.N.ID, Channel: m.N.Channel})
}

func (router) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// analytics counts publications in its mailbox and flushes a second after
// the first one.
type analytics struct{}

func (analytics) Init(ctx context.Context) (int, error) {
	_, err := noex.SubscribeMailbox(ctx, EventBus, "notification.sent.*")
	return 0, err
}

func (analytics) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}

func (analytics) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

func (analytics) HandleInfo(ctx context.Context, msg any, n int) (int, error) {
	if _, ok := msg.(noex.Publication); ok && n == 0 {
		if _, err := noex.SendAfter(ctx, noex.Self(ctx), flush{}, time.Second); err != nil {
			return n, err
		}
	}
	return n + 1, nil
}

// story sends a notification that is delivered and one whose channel
// handler panics, then lets the flush timer fire.
func story(ctx context.Context) error { return storyWaiting(ctx, 2*time.Second) }

// storyWaiting is story ending with a sleep of wait.
func storyWaiting(ctx context.Context, wait time.Duration) error {
	if _, err := noex.StartBus(ctx, noex.WithName(string(EventBus))); err != nil {
		return err
	}
	for _, ch := range []string{"email", "sms"} {
		if _, err := noex.Start(ctx, channel{}, noex.WithName("channel-"+ch)); err != nil {
			return err
		}
	}
	if _, err := noex.Start(ctx, analytics{}, noex.WithName("analytics")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, router{}, noex.WithName(string(Router))); err != nil {
		return err
	}
	if _, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "Welcome"}}); err != nil {
		return err
	}
	if _, err := noex.Call(ctx, Router, Send{Notification{ID: 2, Channel: "sms", Title: "panic"}}); !errors.Is(err, noex.ErrCrashed) {
		return errors.New("want a crash")
	}
	return noex.Sleep(ctx, wait)
}

// record runs body in a runtime made with opts, shuts it down and returns
// the events.
func record(t testing.TB, body func(context.Context) error, opts ...noex.Option) []noex.Event {
	t.Helper()
	rec := noextest.NewRecorder()
	rt := noex.NewRuntime(append(opts, noex.WithObserver(rec.Observe))...)
	ctx := context.Background()
	if err := rt.Run(ctx, body); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	return rec.Raw()
}

// supervisedStory runs the channel handlers and the router under a
// supervisor; the sms handler crashes once and is restarted.
func supervisedStory(ctx context.Context) error {
	if _, err := noex.StartBus(ctx, noex.WithName(string(EventBus))); err != nil {
		return err
	}
	_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
		Strategy: noex.OneForOne,
		Children: []noex.ChildSpec{
			noex.ServerChild("channel-sms", channel{}, noex.WithName("channel-sms")),
			noex.ServerChild("router", router{}, noex.WithName(string(Router))),
		},
	}, noex.WithName("supervisor"))
	if err != nil {
		return err
	}
	if _, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "sms", Title: "panic"}}); !errors.Is(err, noex.ErrCrashed) {
		return errors.New("want a crash")
	}
	_, err = noex.Call(ctx, Router, Send{Notification{ID: 2, Channel: "sms", Title: "Welcome"}})
	return err
}
