// Order processing pipeline: inventory, email and analytics services under
// a one_for_one supervisor, each subscribed to the order events it cares
// about; creating an order publishes "order.created" and all three react,
// each in its own process and its own state.
//
//	go run ./chapters/02-ipc/orders
package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo, report) }

// listing: orders-events
// EventBus is the bus's registered name.
var EventBus = noex.BusName("event-bus")

// The order events, published on "order.created", "order.paid" and
// "order.shipped".
type OrderCreated struct {
	OrderID, UserID string
	Items           []string
	Total           float64
}
type OrderPaid struct{ OrderID, PaymentID string }
type OrderShipped struct{ OrderID, TrackingNumber string }

// end listing

// GetState asks a service for its state.
type GetState struct{}

// The services' registered names, typed with their messages.
var (
	InventoryName = noex.Name[GetState, noex.None, map[string][]string]("inventory")
	EmailName     = noex.Name[GetState, noex.None, int]("email")
	AnalyticsName = noex.Name[GetState, noex.None, []Tracked]("analytics")
)

// listing: orders-inventory
// Inventory reserves the items of every new order: its state maps an order
// to its reserved items.
type Inventory struct{ out io.Writer }

func (i Inventory) Init(ctx context.Context) (map[string][]string, error) {
	// Subscribe before Init returns: a failure fails the start, and no
	// order published after the start is missed.
	if _, err := noex.SubscribeMailbox(ctx, EventBus, "order.created"); err != nil {
		return nil, err
	}
	return map[string][]string{}, nil
}

func (i Inventory) HandleInfo(ctx context.Context, msg any, reserved map[string][]string) (map[string][]string, error) {
	if p, ok := msg.(noex.Publication); ok {
		if e, ok := p.Msg.(OrderCreated); ok {
			fmt.Fprintf(i.out, "Reserving inventory for order %s\n", e.OrderID)
			reserved = maps.Clone(reserved)
			reserved[e.OrderID] = e.Items
		}
	}
	return reserved, nil
}

// end listing

func (i Inventory) HandleCall(ctx context.Context, _ GetState, reserved map[string][]string) (map[string][]string, map[string][]string, error) {
	return reserved, reserved, nil
}
func (i Inventory) HandleCast(ctx context.Context, _ noex.None, reserved map[string][]string) (map[string][]string, error) {
	return reserved, nil
}

// listing: orders-email
// Email sends one message per order event and counts them.
type Email struct{ out io.Writer }

func (e Email) Init(ctx context.Context) (int, error) {
	_, err := noex.SubscribeMailbox(ctx, EventBus, "order.*")
	return 0, err
}

func (e Email) HandleInfo(ctx context.Context, msg any, sent int) (int, error) {
	p, ok := msg.(noex.Publication)
	if !ok {
		return sent, nil
	}
	switch ev := p.Msg.(type) {
	case OrderCreated:
		fmt.Fprintf(e.out, "Sending order confirmation email for %s\n", ev.OrderID)
	case OrderPaid:
		fmt.Fprintf(e.out, "Sending payment receipt for %s\n", ev.OrderID)
	case OrderShipped:
		fmt.Fprintf(e.out, "Sending shipping notification for %s\n", ev.OrderID)
	default:
		return sent, nil
	}
	return sent + 1, nil
}

// end listing

func (e Email) HandleCall(ctx context.Context, _ GetState, sent int) (int, int, error) {
	return sent, sent, nil
}
func (e Email) HandleCast(ctx context.Context, _ noex.None, sent int) (int, error) { return sent, nil }

// listing: orders-analytics
// Tracked is one event analytics has seen.
type Tracked struct {
	Topic string
	At    time.Time
}

// Analytics tracks every event on the bus.
type Analytics struct{ out io.Writer }

func (a Analytics) Init(ctx context.Context) ([]Tracked, error) {
	_, err := noex.SubscribeMailbox(ctx, EventBus, "*")
	return nil, err
}

func (a Analytics) HandleInfo(ctx context.Context, msg any, events []Tracked) ([]Tracked, error) {
	if p, ok := msg.(noex.Publication); ok {
		fmt.Fprintf(a.out, "[Analytics] Event: %s\n", p.Topic)
		events = append(slices.Clip(events), Tracked{Topic: p.Topic, At: noex.Now(ctx)})
	}
	return events, nil
}

// end listing

func (a Analytics) HandleCall(ctx context.Context, _ GetState, events []Tracked) ([]Tracked, []Tracked, error) {
	return events, events, nil
}
func (a Analytics) HandleCast(ctx context.Context, _ noex.None, events []Tracked) ([]Tracked, error) {
	return events, nil
}

// listing: orders-start
// startOrderPipeline starts the bus, then the three services under a
// one_for_one supervisor: a service that crashes is restarted alone, under
// the same name, with one fresh subscription.
func startOrderPipeline(ctx context.Context, out io.Writer) (noex.Supervisor, error) {
	if _, err := noex.StartBus(ctx, noex.WithName(EventBus.String())); err != nil {
		return noex.Supervisor{}, err
	}
	return noex.StartSupervisor(ctx, noex.SupervisorSpec{
		Strategy: noex.OneForOne,
		Children: []noex.ChildSpec{
			noex.ServerChild("inventory", Inventory{out: out}, noex.WithName(InventoryName.String())),
			noex.ServerChild("email", Email{out: out}, noex.WithName(EmailName.String())),
			noex.ServerChild("analytics", Analytics{out: out}, noex.WithName(AnalyticsName.String())),
		},
	}, noex.WithName("order-services"))
}

// createOrder creates order number n and publishes "order.created"; every
// subscriber is notified, and the caller does not wait for any of them.
func createOrder(ctx context.Context, n int, userID string, items []string) (string, error) {
	orderID := fmt.Sprintf("order-%d", n)
	// Create the order...
	err := noex.Publish(ctx, EventBus, "order.created", OrderCreated{
		OrderID: orderID, UserID: userID, Items: items, Total: 99.99,
	})
	return orderID, err
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: orders-usage
	if _, err := startOrderPipeline(ctx, out); err != nil {
		return err
	}
	id, err := createOrder(ctx, 1, "u1", []string{"book", "pen"})
	if err != nil {
		return err
	}
	if err := noex.Publish(ctx, EventBus, "order.paid", OrderPaid{OrderID: id, PaymentID: "pay-1"}); err != nil {
		return err
	}
	if err := noex.Publish(ctx, EventBus, "order.shipped", OrderShipped{OrderID: id, TrackingNumber: "track-1"}); err != nil {
		return err
	}
	// end listing
	return nil
}

// report runs once every event has been handled (the runner waits until
// the system is quiescent between phases) and shows the services' state.
func report(ctx context.Context, out io.Writer) error {
	// listing: orders-report
	reserved, err := InventoryName.Call(ctx, GetState{})
	if err != nil {
		return err
	}
	sent, err := EmailName.Call(ctx, GetState{})
	if err != nil {
		return err
	}
	events, err := AnalyticsName.Call(ctx, GetState{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "inventory reserved: %v\n", reserved)
	fmt.Fprintf(out, "emails sent: %d\n", sent)
	fmt.Fprintf(out, "analytics tracked: %d events\n", len(events))
	// end listing
	return nil
}
