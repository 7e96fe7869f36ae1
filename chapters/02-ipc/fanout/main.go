// Fan-out: one publication of "user.registered" and three independent
// subscribers (email, analytics, webhook) that the publisher knows nothing
// about. Each handles it in its own process and keeps what it did in its
// own state.
//
//	go run ./chapters/02-ipc/fanout
package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo, report) }

// EventBus is the bus's registered name.
var EventBus = noex.BusName("event-bus")

// UserRegistered is published on "user.registered".
type UserRegistered struct{ UserID string }

// listing: fanout-subscriber
// Subscriber is one independent reaction to "user.registered". Its state
// is the list of what it did.
type Subscriber struct {
	Name   string
	Action func(UserRegistered) string // what it does, as a line of output
	out    io.Writer
}

// Done asks a subscriber what it did.
type Done struct{}

func (s Subscriber) Init(ctx context.Context) ([]string, error) {
	// Subscribe returns once the bus has the subscription; if the bus is
	// not there, Init fails and so does Start.
	_, err := noex.SubscribeMailbox(ctx, EventBus, "user.registered")
	return nil, err
}

// HandleInfo receives the publications: in this server's own process, so
// it may update the state.
func (s Subscriber) HandleInfo(ctx context.Context, msg any, done []string) ([]string, error) {
	p, ok := msg.(noex.Publication)
	if !ok {
		return done, nil
	}
	u, ok := p.Msg.(UserRegistered)
	if !ok {
		return done, fmt.Errorf("%s: unexpected %T on %s", s.Name, p.Msg, p.Topic)
	}
	line := s.Action(u)
	fmt.Fprintf(s.out, "[%s] %s\n", s.Name, line)
	return append(slices.Clip(done), line), nil
}

func (s Subscriber) HandleCall(ctx context.Context, _ Done, done []string) ([]string, []string, error) {
	return done, done, nil
}

func (s Subscriber) HandleCast(ctx context.Context, _ noex.None, done []string) ([]string, error) {
	return done, nil
}

// end listing

// subscribers are the three reactions.
func subscribers(out io.Writer) []Subscriber {
	return []Subscriber{
		{Name: "email", out: out, Action: func(u UserRegistered) string { return "welcome message sent to " + u.UserID }},
		{Name: "analytics", out: out, Action: func(u UserRegistered) string { return "signup of " + u.UserID + " tracked" }},
		{Name: "webhook", out: out, Action: func(u UserRegistered) string { return "external system notified of " + u.UserID }},
	}
}

func demo(ctx context.Context, out io.Writer) error {
	if _, err := noex.StartBus(ctx, noex.WithName(EventBus.String())); err != nil {
		return err
	}
	for _, s := range subscribers(out) {
		if _, err := noex.Start(ctx, s, noex.WithName(s.Name)); err != nil {
			return err
		}
	}
	// listing: fanout-publish
	// The publisher knows the bus, not the subscribers.
	for _, id := range []string{"u1", "u2"} {
		if err := noex.Publish(ctx, EventBus, "user.registered", UserRegistered{UserID: id}); err != nil {
			return err
		}
	}
	// end listing
	return nil
}

// report runs once every publication has been handled (the runner waits
// until the system is quiescent between phases).
func report(ctx context.Context, out io.Writer) error {
	for _, s := range subscribers(out) {
		done, err := noex.Name[Done, noex.None, []string](s.Name).Call(ctx, Done{})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s did %d things\n", s.Name, len(done))
	}
	return nil
}
