package trace_test

import (
	"context"
	"errors"
	"time"

	"github.com/noex-go/noex/noex"
)

// The servers of the chapter's notification system, reduced to what the
// span tests need: a router that calls a channel handler found by name and
// reports to an analytics server.

type Notification struct {
	ID      int
	Channel string
	Title   string
}

type Send struct{ N Notification }

type Deliver struct{ N Notification }

type Track struct {
	Channel string
	ID      int
}

var (
	Router    = noex.Name[Send, noex.None, bool]("notification-router")
	Analytics = noex.Name[noex.None, Track, noex.None]("analytics")
)

func channelName(ch string) noex.Name[Deliver, noex.None, bool] {
	return noex.Name[Deliver, noex.None, bool]("channel-" + ch)
}

var errUndeliverable = errors.New("undeliverable")

// channel delivers a notification after 10ms; the title "fail" makes it
// return an error and "panic" makes it panic.
type channel struct{}

func (channel) Init(context.Context) (int, error) { return 0, nil }

func (channel) HandleCall(ctx context.Context, m Deliver, sent int) (bool, int, error) {
	if err := noex.Sleep(ctx, 10*time.Millisecond); err != nil {
		return false, sent, err
	}
	switch m.N.Title {
	case "fail":
		return false, sent, errUndeliverable
	case "panic":
		panic("channel handler bug")
	}
	return true, sent + 1, nil
}

func (channel) HandleCast(_ context.Context, _ noex.None, s int) (int, error) { return s, nil }

// router forwards a notification to its channel and tracks it.
type router struct{}

func (router) Init(context.Context) (struct{}, error) { return struct{}{}, nil }

func (router) HandleCall(ctx context.Context, m Send, s struct{}) (bool, struct{}, error) {
	ok, err := noex.Call(ctx, channelName(m.N.Channel), Deliver(m))
	if err != nil {
		return false, s, err
	}
	if err := noex.Cast(ctx, Analytics, Track{Channel: m.N.Channel, ID: m.N.ID}); err != nil {
		return false, s, err
	}
	return ok, s, nil
}

func (router) HandleCast(_ context.Context, _ noex.None, s struct{}) (struct{}, error) { return s, nil }

// analytics counts notifications per channel and, once a second after the
// first, flushes (an info message from a timer).
type analytics struct{}

type flush struct{}

func (analytics) Init(context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (analytics) HandleCall(_ context.Context, _ noex.None, s map[string]int) (noex.None, map[string]int, error) {
	return noex.None{}, s, nil
}

func (analytics) HandleCast(ctx context.Context, m Track, s map[string]int) (map[string]int, error) {
	s[m.Channel]++
	if s[m.Channel] == 1 {
		if _, err := noex.SendAfter(ctx, noex.Self(ctx), flush{}, time.Second); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (analytics) HandleInfo(_ context.Context, _ any, s map[string]int) (map[string]int, error) {
	return s, nil
}

// startSystem starts the channel handlers for chans, analytics and the
// router.
func startSystem(ctx context.Context, chans ...string) error {
	for _, ch := range chans {
		if _, err := noex.Start(ctx, channel{}, noex.WithName("channel-"+ch)); err != nil {
			return err
		}
	}
	if _, err := noex.Start(ctx, analytics{}, noex.WithName(string(Analytics))); err != nil {
		return err
	}
	_, err := noex.Start(ctx, router{}, noex.WithName(string(Router)))
	return err
}

// notify is the basic scenario: one notification through the system.
func notify(ctx context.Context) error {
	if err := startSystem(ctx, "email"); err != nil {
		return err
	}
	_, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "hello"}})
	return err
}
