// Services: an order service that finds the user service by name, so
// neither has to be handed the other. A handler's error goes back to the
// caller and the server keeps running.
//
//	go run ./chapters/02-ipc/services
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// User is what the user service holds.
type User struct{ ID, Name string }

// GetUser asks the user service for a user; the reply is nil if there is
// no such user.
type GetUser struct{ ID string }

// UserService answers GetUser from a fixed table.
type UserService struct{}

func (UserService) Init(ctx context.Context) (map[string]User, error) {
	return map[string]User{"u1": {ID: "u1", Name: "Alice"}, "u2": {ID: "u2", Name: "Bob"}}, nil
}
func (UserService) HandleCall(ctx context.Context, m GetUser, s map[string]User) (*User, map[string]User, error) {
	if u, ok := s[m.ID]; ok {
		return &u, s, nil
	}
	return nil, s, nil
}
func (UserService) HandleCast(ctx context.Context, _ noex.None, s map[string]User) (map[string]User, error) {
	return s, nil
}

// listing: services-order
// UserServiceName is the user service's registered name, typed with its
// messages: every use resolves the name again, so whoever holds it now is
// the one called.
var UserServiceName = noex.Name[GetUser, noex.None, *User]("user-service")

// The order service's errors; test for them with errors.Is.
var (
	ErrUserServiceUnavailable = errors.New("user service unavailable")
	ErrUserNotFound           = errors.New("user not found")
)

// Order is one order.
type Order struct {
	ID, UserID string
	Items      []string
}

// OrderCall is a request to the order service: CreateOrder or GetOrder.
type OrderCall interface{ isOrderCall() }

type CreateOrder struct {
	UserID string
	Items  []string
}
type GetOrder struct{ ID string }

func (CreateOrder) isOrderCall() {}
func (GetOrder) isOrderCall()    {}

// OrderState holds the orders and the counter their ids come from.
type OrderState struct {
	Orders map[string]Order
	Next   int
}

// OrderService creates orders for users that Users knows. Users is where
// the user service is found: a Name (found by name at each call) or a Ref
// (one particular process).
type OrderService struct {
	Users noex.Target[GetUser, noex.None, *User]
}

func (o OrderService) Init(ctx context.Context) (OrderState, error) {
	return OrderState{Orders: map[string]Order{}}, nil
}

func (o OrderService) HandleCall(ctx context.Context, msg OrderCall, s OrderState) (*Order, OrderState, error) {
	switch m := msg.(type) {
	case CreateOrder:
		// Find the user service and verify that the user exists.
		user, err := noex.Call(ctx, o.Users, GetUser{ID: m.UserID})
		if errors.Is(err, noex.ErrNotRegistered) || errors.Is(err, noex.ErrNotRunning) {
			return nil, s, ErrUserServiceUnavailable
		}
		if err != nil {
			return nil, s, err
		}
		if user == nil {
			return nil, s, fmt.Errorf("%w: %s", ErrUserNotFound, m.UserID)
		}
		next := s.Next + 1
		order := Order{ID: fmt.Sprintf("order-%d", next), UserID: m.UserID, Items: m.Items}
		orders := maps.Clone(s.Orders)
		orders[order.ID] = order
		return &order, OrderState{Orders: orders, Next: next}, nil
	case GetOrder:
		if order, ok := s.Orders[m.ID]; ok {
			return &order, s, nil
		}
		return nil, s, nil
	}
	return nil, s, fmt.Errorf("order service: unknown call %T", msg)
}

func (o OrderService) HandleCast(ctx context.Context, _ noex.None, s OrderState) (OrderState, error) {
	return s, nil
}

// end listing

// listing: services-coupled
// startServicesCoupled hands the order service a Ref to the user service:
// the order service depends on that one process, and on being started
// after it.
func startServicesCoupled(ctx context.Context) (noex.Ref[OrderCall, noex.None, *Order], error) {
	users, err := noex.Start(ctx, UserService{})
	if err != nil {
		return noex.Ref[OrderCall, noex.None, *Order]{}, err
	}
	return noex.Start(ctx, OrderService{Users: users})
}

// end listing

// listing: services-loose
// OrderServiceName is the order service's registered name.
var OrderServiceName = noex.Name[OrderCall, noex.None, *Order]("order-service")

// startServices starts both services by name; they find each other
// through the Registry.
func startServices(ctx context.Context) error {
	if _, err := noex.Start(ctx, UserService{}, noex.WithName(UserServiceName.String())); err != nil {
		return err
	}
	_, err := noex.Start(ctx, OrderService{Users: UserServiceName}, noex.WithName(OrderServiceName.String()))
	return err
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: services-usage
	if err := startServices(ctx); err != nil {
		return err
	}
	create := func(userID string, items ...string) {
		order, err := OrderServiceName.Call(ctx, CreateOrder{UserID: userID, Items: items})
		if err != nil {
			fmt.Fprintf(out, "create for %s: %v\n", userID, err)
			return
		}
		fmt.Fprintf(out, "created %s for %s: %v\n", order.ID, order.UserID, order.Items)
	}
	create("u1", "book", "pen")
	create("u9", "lamp") // no such user

	// Without the user service, orders cannot be created, but the order
	// service keeps running and still answers.
	if err := noex.Stop(ctx, UserServiceName, nil); err != nil {
		return err
	}
	create("u2", "mug")
	order, err := OrderServiceName.Call(ctx, GetOrder{ID: "order-1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "still there: %s %v\n", order.ID, order.Items)
	// end listing
	return nil
}
