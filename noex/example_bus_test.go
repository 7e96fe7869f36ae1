package noex_test

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// A wildcard subscription: "user.*" matches one more segment, so it gets
// user.created and user.deleted, but not user.profile.updated (two more
// segments) nor order.created.
func ExampleSubscribe() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		if _, err := noex.StartBus(ctx, noex.WithName("event-bus")); err != nil {
			return err
		}
		bus := noex.BusName("event-bus")
		_, err := noex.Subscribe(ctx, bus, "user.*", func(ctx context.Context, msg any, topic string) {
			fmt.Printf("%s: %v\n", topic, msg)
		})
		if err != nil {
			return err
		}
		for _, topic := range []string{"user.created", "user.profile.updated", "order.created", "user.deleted"} {
			if err := noex.Publish(ctx, bus, topic, "u1"); err != nil {
				return err
			}
		}
		return nil // Run returns once the bus has handled every publication
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// user.created: u1
	// user.deleted: u1
}

// orderAnalytics counts order events in its own state: SubscribeMailbox makes
// the bus send each publication to its HandleInfo, so the state is only
// ever touched by the analytics process itself.
type orderAnalytics struct{}

func (orderAnalytics) Init(ctx context.Context) (map[string]int, error) {
	_, err := noex.SubscribeMailbox(ctx, noex.BusName("event-bus"), "order.*")
	return map[string]int{}, err
}

func (orderAnalytics) HandleCall(ctx context.Context, topic string, seen map[string]int) (int, map[string]int, error) {
	return seen[topic], seen, nil
}

func (orderAnalytics) HandleCast(ctx context.Context, _ noex.None, seen map[string]int) (map[string]int, error) {
	return seen, nil
}

func (orderAnalytics) HandleInfo(ctx context.Context, msg any, seen map[string]int) (map[string]int, error) {
	if p, ok := msg.(noex.Publication); ok {
		seen[p.Topic]++
		fmt.Printf("analytics: %s #%d (%v)\n", p.Topic, seen[p.Topic], p.Msg)
	}
	return seen, nil
}

// A mailbox subscription, made in Init as the chapter's services do; the
// subscription belongs to the analytics server and ends with it.
func ExampleSubscribeMailbox() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		bus, err := noex.StartBus(ctx, noex.WithName("event-bus"))
		if err != nil {
			return err
		}
		a, err := noex.Start(ctx, orderAnalytics{}, noex.WithName("analytics"))
		if err != nil {
			return err
		}
		for _, topic := range []string{"order.created", "order.paid", "user.created", "order.created"} {
			if err := noex.Publish(ctx, bus, topic, "o1"); err != nil {
				return err
			}
		}
		// PublishSync returns once the bus has handled this publication and
		// those before it, so all of them are queued at analytics; Stop
		// lets a server handle what is queued before it stops.
		if err := noex.PublishSync(ctx, bus, "order.shipped", "o1"); err != nil {
			return err
		}
		if err := noex.Stop(ctx, a, nil); err != nil {
			return err
		}
		n, _ := noex.SubscriptionCount(ctx, bus)
		fmt.Println("subscriptions after analytics stopped:", n)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// analytics: order.created #1 (o1)
	// analytics: order.paid #1 (o1)
	// analytics: order.created #2 (o1)
	// analytics: order.shipped #1 (o1)
	// subscriptions after analytics stopped: 0
}
