package otlp_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

// The chapter's notification flow: the router finds the channel handler by
// name and calls it; the handler replies; the router publishes the result
// on the event bus; analytics, subscribed to "notification.sent.*", gets
// it in its mailbox.

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

var (
	Router   = noex.Name[Send, noex.None, bool]("notification-router")
	EventBus = noex.BusName("event-bus")
)

type channel struct{}

func (channel) Init(context.Context) (int, error) { return 0, nil }

func (channel) HandleCall(ctx context.Context, m Deliver, n int) (bool, int, error) {
	if m.N.Title == "fail" {
		return false, n, errUndeliverable
	}
	// Delivering takes 10ms of virtual time.
	if err := noex.Sleep(ctx, 10*time.Millisecond); err != nil {
		return false, n, err
	}
	return true, n + 1, nil
}

func (channel) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

type router struct{}

func (router) Init(context.Context) (int, error) { return 0, nil }

func (router) HandleCall(ctx context.Context, m Send, n int) (bool, int, error) {
	ch := noex.Name[Deliver, noex.None, bool]("channel-" + m.N.Channel)
	ok, err := noex.Call(ctx, ch, Deliver(m))
	if err != nil || !ok {
		return false, n, err
	}
	err = noex.Publish(ctx, EventBus, "notification.sent."+m.N.Channel, Sent{ID: m.N.ID, Channel: m.N.Channel})
	return ok, n + 1, err
}

func (router) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

type analytics struct{}

func (analytics) Init(ctx context.Context) (map[string]int, error) {
	_, err := noex.SubscribeMailbox(ctx, EventBus, "notification.sent.*")
	return map[string]int{}, err
}

func (analytics) HandleCall(_ context.Context, _ noex.None, s map[string]int) (noex.None, map[string]int, error) {
	return noex.None{}, s, nil
}

func (analytics) HandleCast(_ context.Context, _ noex.None, s map[string]int) (map[string]int, error) {
	return s, nil
}

func (analytics) HandleInfo(_ context.Context, msg any, s map[string]int) (map[string]int, error) {
	if p, ok := msg.(noex.Publication); ok {
		if sent, ok := p.Msg.(Sent); ok {
			s[sent.Channel]++
		}
	}
	return s, nil
}

// notificationFlow starts the system and sends one notification.
func notificationFlow(ctx context.Context) error {
	if _, err := noex.StartBus(ctx, noex.WithName(string(EventBus))); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, channel{}, noex.WithName("channel-email")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, analytics{}, noex.WithName("analytics")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, router{}, noex.WithName(string(Router))); err != nil {
		return err
	}
	ok, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "Welcome"}})
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("notification not delivered")
	}
	return nil
}

var errUndeliverable = errors.New("undeliverable")

// failedDelivery calls a channel handler that fails: the call's error
// goes back to the caller.
func failedDelivery(ctx context.Context) error {
	ch, err := noex.Start(ctx, channel{}, noex.WithName("channel-email"))
	if err != nil {
		return err
	}
	if _, err := noex.Call(ctx, ch, Deliver{Notification{ID: 1, Channel: "email", Title: "fail"}}); !errors.Is(err, errUndeliverable) {
		return fmt.Errorf("want errUndeliverable, got %v", err)
	}
	return nil
}

// wantTree is the span tree of one notification: each span's parent.
var wantTree = map[string]string{
	"call notification-router":        "",
	"handle_call notification-router": "call notification-router",
	"call channel-email":              "handle_call notification-router",
	"handle_call channel-email":       "call channel-email",
	"cast event-bus":                  "handle_call notification-router",
	"handle_cast event-bus":           "cast event-bus",
	"publish notification.sent.email": "handle_cast event-bus",
	"deliver notification.sent.email": "publish notification.sent.email",
	"handle_info analytics":           "deliver notification.sent.email",
}
