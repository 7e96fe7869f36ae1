// Registry: register a process by name (after it started, or as it starts),
// then find it by name with Lookup (an error when the name is missing) or
// Whereis (an ok flag).
//
//	go run ./chapters/02-ipc/registry
package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// User and Order are what the services hold.
type User struct{ ID, Name string }
type Order struct{ ID, UserID string }

// GetUser and GetOrder are the services' only calls; the reply is nil when
// the id is unknown.
type GetUser struct{ ID string }
type GetOrder struct{ ID string }

// UserService answers GetUser from a fixed table.
type UserService struct{}

func (UserService) Init(ctx context.Context) (map[string]User, error) {
	return map[string]User{"u1": {ID: "u1", Name: "Alice"}}, nil
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

// OrderService answers GetOrder from a fixed table.
type OrderService struct{}

func (OrderService) Init(ctx context.Context) (map[string]Order, error) {
	return map[string]Order{"o1": {ID: "o1", UserID: "u1"}}, nil
}
func (OrderService) HandleCall(ctx context.Context, m GetOrder, s map[string]Order) (*Order, map[string]Order, error) {
	if o, ok := s[m.ID]; ok {
		return &o, s, nil
	}
	return nil, s, nil
}
func (OrderService) HandleCast(ctx context.Context, _ noex.None, s map[string]Order) (map[string]Order, error) {
	return s, nil
}

func demo(ctx context.Context, out io.Writer) error {
	reg := noex.RuntimeOf(ctx).Registry()
	if err := lookupUser(ctx, out, reg); err != nil { // nothing registered yet
		return err
	}

	// listing: registry-register
	// Start a service, then register it by name.
	userService, err := noex.Start(ctx, UserService{})
	if err != nil {
		return err
	}
	if err := reg.Register("user-service", userService.PID()); err != nil {
		return err
	}

	// Or register at start: the name is taken before the server can
	// receive its first message.
	if _, err := noex.Start(ctx, OrderService{}, noex.WithName("order-service")); err != nil {
		return err
	}
	// end listing
	fmt.Fprintln(out, "registered:", reg.Names())

	if err := lookupUser(ctx, out, reg); err != nil {
		return err
	}
	if err := whereisOrder(ctx, out, reg, "order-service"); err != nil {
		return err
	}
	return whereisOrder(ctx, out, reg, "archive-service") // never started
}

// listing: registry-lookup
// lookupUser finds the user service with Lookup, which fails with an error
// wrapping noex.ErrNotRegistered when the name is missing.
func lookupUser(ctx context.Context, out io.Writer, reg *noex.Registry) error {
	pid, err := reg.Lookup("user-service")
	if errors.Is(err, noex.ErrNotRegistered) {
		fmt.Fprintln(out, "User service not available")
		return nil
	}
	if err != nil {
		return err
	}
	users := noex.RefOf[GetUser, noex.None, *User](pid)
	user, err := users.Call(ctx, GetUser{ID: "u1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "user u1: %+v\n", *user)
	return nil
}

// whereisOrder finds an order service with Whereis, which reports a missing
// name with ok == false instead of an error.
func whereisOrder(ctx context.Context, out io.Writer, reg *noex.Registry, name string) error {
	pid, ok := reg.Whereis(name)
	if !ok {
		fmt.Fprintf(out, "%s not available\n", name)
		return nil
	}
	order, err := noex.RefOf[GetOrder, noex.None, *Order](pid).Call(ctx, GetOrder{ID: "o1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "order o1 from %s: %+v\n", name, *order)
	return nil
}

// end listing
