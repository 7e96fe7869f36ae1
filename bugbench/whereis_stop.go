package bugbench

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// The chapter's order service looks the user service up with whereis and
// then calls the process it found. A user service that is stopping is
// still registered until it has stopped, so whereis finds it and the call
// then fails with the runtime's "not running" error, which the order
// service passes on instead of its own "user service unavailable".

var errUsersUnavailable = errors.New("user service unavailable")

type getUser struct{ ID string }

type userService struct{}

func (userService) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (userService) HandleCall(_ context.Context, g getUser, s noex.None) (string, noex.None, error) {
	return "user " + g.ID, s, nil
}

func (userService) HandleCast(_ context.Context, _ noex.None, s noex.None) (noex.None, error) {
	return s, nil
}

var usersName = noex.Name[getUser, noex.None, string]("user-service")

type createOrder struct{ UserID string }

// orderService creates orders for users it asks the user service about;
// lookup is how it reaches the user service.
type orderService struct {
	lookup func(ctx context.Context, id string) (string, error)
}

func (orderService) Init(context.Context) (int, error) { return 0, nil }

func (o orderService) HandleCall(ctx context.Context, c createOrder, n int) (string, int, error) {
	user, err := o.lookup(ctx, c.UserID)
	if err != nil {
		return "", n, err
	}
	return fmt.Sprintf("order-%d for %s", n+1, user), n + 1, nil
}

func (orderService) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// whereisThenCall is the chapter's lookup: whereis, then call the process.
func whereisThenCall(ctx context.Context, id string) (string, error) {
	pid, ok := noex.RuntimeOf(ctx).Registry().Whereis(usersName.String())
	if !ok {
		return "", errUsersUnavailable
	}
	return noex.Call(ctx, noex.RefOf[getUser, noex.None, string](pid), getUser{ID: id})
}

// callByName calls the typed name, resolved at the call, and says
// "unavailable" whether the service is gone or on its way out.
func callByName(ctx context.Context, id string) (string, error) {
	u, err := noex.Call(ctx, usersName, getUser{ID: id})
	if errors.Is(err, noex.ErrNotRegistered) || errors.Is(err, noex.ErrNotRunning) {
		return "", errUsersUnavailable
	}
	return u, err
}

func whereisStop() Kernel {
	return Kernel{
		Name:   "whereis-stop",
		Title:  "whereis-then-call races a stop of the service found",
		Source: `the chapter, "Registry Decouples Components": the order service`,
		Depth:  2,
		Why: "the stopper's Stop begins before the order service's whereis, " +
			"and the whereis comes before the user service has finished stopping and released its name",
		Buggy: whereisStopProgram(whereisThenCall),
		Fixed: whereisStopProgram(callByName),
	}
}

func whereisStopProgram(lookup func(context.Context, string) (string, error)) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		return rt.Run(ctx, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, userService{}, noex.WithName(usersName.String())); err != nil {
				return err
			}
			orders, err := noex.Start(ctx, orderService{lookup: lookup}, noex.WithName("order-service"))
			if err != nil {
				return err
			}
			stopper, err := startActor(ctx, "stopper", act(func(ctx context.Context) error {
				return noex.Stop(ctx, usersName, nil)
			}))
			if err != nil {
				return err
			}
			if err := kickAll(ctx, stopper); err != nil {
				return err
			}
			_, err = noex.Call(ctx, orders, createOrder{UserID: "u1"})
			if err != nil && !errors.Is(err, errUsersUnavailable) {
				return violation("creating an order failed with %q instead of %q", err, errUsersUnavailable)
			}
			return nil
		})
	}
}
