package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// The chapter's inventory service subscribes to "order.created" in init
// without waiting for the subscription. Its start returns before the bus
// has the subscription, so an order published right after the start can
// reach the bus first and is never seen.

var eventBus = noex.BusName("event-bus")

type orderCreated struct{ OrderID string }

type subscribeNow struct{}

type reservations struct{}

// inventory counts the orders it reserved stock for. Lazy, it asks itself
// to subscribe later, as a subscription that is not waited for does;
// otherwise it subscribes in Init and waits for the bus.
type inventory struct{ lazy bool }

func (i inventory) Init(ctx context.Context) ([]string, error) {
	if i.lazy {
		return nil, noex.Send(ctx, noex.Self(ctx), subscribeNow{})
	}
	_, err := noex.SubscribeMailbox(ctx, eventBus, "order.created")
	return nil, err
}

func (inventory) HandleInfo(ctx context.Context, msg any, reserved []string) ([]string, error) {
	switch m := msg.(type) {
	case subscribeNow:
		_, err := noex.SubscribeMailbox(ctx, eventBus, "order.created")
		return reserved, err
	case noex.Publication:
		if o, ok := m.Msg.(orderCreated); ok {
			return append(reserved, o.OrderID), nil
		}
	}
	return reserved, nil
}

func (inventory) HandleCall(_ context.Context, _ reservations, reserved []string) ([]string, []string, error) {
	return reserved, reserved, nil
}

func (inventory) HandleCast(_ context.Context, _ noex.None, reserved []string) ([]string, error) {
	return reserved, nil
}

func lazySubscribe() Kernel {
	return Kernel{
		Name:   "lazy-subscribe",
		Title:  "a service subscribes in Init without waiting and misses an event",
		Source: `the chapter, "Practical Example: Order Processing Pipeline": the inventory's init`,
		Depth:  1,
		Why:    "the bus handles the publication of order.created before the inventory's Subscribe",
		Buggy:  lazySubscribeProgram(true),
		Fixed:  lazySubscribeProgram(false),
	}
}

func lazySubscribeProgram(lazy bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var inv noex.Ref[reservations, noex.None, []string]
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.StartBus(ctx, noex.WithName(eventBus.String())); err != nil {
				return err
			}
			var err error
			if inv, err = noex.Start(ctx, inventory{lazy: lazy}, noex.WithName("inventory")); err != nil {
				return err
			}
			return noex.Publish(ctx, eventBus, "order.created", orderCreated{OrderID: "o1"})
		}, func(ctx context.Context) error {
			reserved, err := noex.Call(ctx, inv, reservations{})
			if err != nil {
				return err
			}
			if len(reserved) != 1 {
				return violation("inventory reserved stock for %d orders, want 1: it subscribed after order o1 was published", len(reserved))
			}
			return nil
		})
	}
}
