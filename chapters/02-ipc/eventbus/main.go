// EventBus: subscribe a handler to a topic, publish to it, unsubscribe.
//
//	go run ./chapters/02-ipc/eventbus
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// User is the message published on "user.created".
type User struct{ ID, Name string }

func demo(ctx context.Context, out io.Writer) error {
	// listing: eventbus
	bus, err := noex.StartBus(ctx)
	if err != nil {
		return err
	}

	// Subscribe returns once the bus has the subscription. The handler runs
	// inside the bus process, one handler at a time.
	unsubscribe, err := noex.Subscribe(ctx, bus, "user.created", func(ctx context.Context, msg any, topic string) {
		if u, ok := msg.(User); ok {
			fmt.Fprintf(out, "New user created: %s\n", u.Name)
		}
	})
	if err != nil {
		return err
	}

	// Publish is fire-and-forget: a cast to the bus.
	if err := noex.Publish(ctx, bus, "user.created", User{ID: "u1", Name: "Alice"}); err != nil {
		return err
	}

	// Unsubscribe when done. It is a call to the bus, queued behind the
	// publish (same sender), so Alice is delivered first.
	unsubscribe()

	// Nobody hears this one.
	if err := noex.Publish(ctx, bus, "user.created", User{ID: "u2", Name: "Bob"}); err != nil {
		return err
	}
	// end listing
	n, err := noex.SubscriptionCount(ctx, bus)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "subscriptions left:", n)
	return nil
}
