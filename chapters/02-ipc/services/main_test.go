package main

import (
	"context"
	"errors"
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutput(t *testing.T) {
	want := []string{
		"created order-1 for u1: [book pen]",
		"create for u9: user not found: u9",
		"create for u2: user service unavailable",
		"still there: order-1 [book pen]",
	}
	chaptertest.Lines(t, want, 20, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "services", res)
}

// The errors are sentinels: callers test them with errors.Is, and the order
// service's state is untouched by a failed create.
func TestErrors(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		if err := startServices(ctx); err != nil {
			return err
		}
		_, err := OrderServiceName.Call(ctx, CreateOrder{UserID: "nobody"})
		if !errors.Is(err, ErrUserNotFound) {
			t.Errorf("create for an unknown user = %v, want ErrUserNotFound", err)
		}
		order, err := OrderServiceName.Call(ctx, CreateOrder{UserID: "u2"})
		if err != nil || order.ID != "order-1" {
			t.Errorf("create after a failed one = %v, %v; want order-1 (failures take no id)", order, err)
		}
		if err := noex.Stop(ctx, UserServiceName, nil); err != nil {
			return err
		}
		_, err = OrderServiceName.Call(ctx, CreateOrder{UserID: "u1"})
		if !errors.Is(err, ErrUserServiceUnavailable) {
			t.Errorf("create without the user service = %v, want ErrUserServiceUnavailable", err)
		}
		return nil
	})
}

// A restarted user service is a new process under the same name. The
// order service that was handed a Ref still points at the old, stopped one;
// the one that calls by name finds the new one.
func TestRefVersusName(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		users, err := noex.Start(ctx, UserService{}, noex.WithName("user-service"))
		if err != nil {
			return err
		}
		coupled, err := noex.Start(ctx, OrderService{Users: users})
		if err != nil {
			return err
		}
		loose, err := noex.Start(ctx, OrderService{Users: UserServiceName})
		if err != nil {
			return err
		}
		if err := noex.Stop(ctx, users, nil); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, UserService{}, noex.WithName("user-service")); err != nil {
			return err
		}
		if _, err := coupled.Call(ctx, CreateOrder{UserID: "u1"}); !errors.Is(err, ErrUserServiceUnavailable) {
			t.Errorf("coupled create after the restart = %v, want ErrUserServiceUnavailable", err)
		}
		if _, err := loose.Call(ctx, CreateOrder{UserID: "u1"}); err != nil {
			t.Errorf("create by name after the restart = %v, want success", err)
		}
		return nil
	})
}

// The coupled start works as long as nothing restarts.
func TestCoupledStart(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		orders, err := startServicesCoupled(ctx)
		if err != nil {
			return err
		}
		order, err := orders.Call(ctx, CreateOrder{UserID: "u1"})
		if err != nil || order.UserID != "u1" {
			t.Errorf("coupled create = %v, %v", order, err)
		}
		return nil
	})
}

// naiveOrderService is the chapter's order service translated literally:
// look the user service up with Whereis, then call the process found.
type naiveOrderService struct{ OrderService }

func (n naiveOrderService) HandleCall(ctx context.Context, msg OrderCall, s OrderState) (*Order, OrderState, error) {
	if m, ok := msg.(CreateOrder); ok {
		pid, ok := noex.RuntimeOf(ctx).Registry().Whereis("user-service")
		if !ok {
			return nil, s, ErrUserServiceUnavailable
		}
		user, err := noex.RefOf[GetUser, noex.None, *User](pid).Call(ctx, GetUser{ID: m.UserID})
		if err != nil {
			return nil, s, err
		}
		if user == nil {
			return nil, s, ErrUserNotFound
		}
		return &Order{ID: "order-1", UserID: m.UserID}, s, nil
	}
	return n.OrderService.HandleCall(ctx, msg, s)
}

// stopper stops the user service when told to.
type stopper struct{}

func (stopper) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (stopper) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (stopper) HandleCast(ctx context.Context, _ struct{}, s struct{}) (struct{}, error) {
	return s, noex.Stop(ctx, UserServiceName, nil)
}

// race creates an order while another process stops the user service, and
// stores the create's error.
func race(orders noex.Behavior[OrderState, OrderCall, noex.None, *Order], result *error) run.Phase {
	return func(ctx context.Context, _ io.Writer) error {
		if _, err := noex.Start(ctx, UserService{}, noex.WithName("user-service")); err != nil {
			return err
		}
		o, err := noex.Start(ctx, orders)
		if err != nil {
			return err
		}
		s, err := noex.Start(ctx, stopper{})
		if err != nil {
			return err
		}
		if err := s.Cast(ctx, struct{}{}); err != nil {
			return err
		}
		_, *result = o.Call(ctx, CreateOrder{UserID: "u1"})
		return nil
	}
}

// A user service that is stopping is still registered until it has
// stopped. The naive Whereis-then-call finds it and then gets the
// runtime's ErrNotRunning, not the service's own error; calling by Name and
// mapping both errors gives ErrUserServiceUnavailable under every seed.
func TestStoppingUserService(t *testing.T) {
	ok := func(err error) bool { return err == nil || errors.Is(err, ErrUserServiceUnavailable) }
	for seed := uint64(1); seed <= uint64(chaptertest.Seeds()); seed++ {
		var err error
		chaptertest.Run(t, seed, race(OrderService{Users: UserServiceName}, &err))
		if !ok(err) {
			t.Fatalf("seed %d: create = %v, want success or ErrUserServiceUnavailable", seed, err)
		}
	}
	var naiveErr error
	seed, found := chaptertest.FindSeed(chaptertest.SearchSeeds, func(seed uint64) bool {
		chaptertest.Run(t, seed, race(naiveOrderService{OrderService{Users: UserServiceName}}, &naiveErr))
		return !ok(naiveErr)
	})
	if !found {
		t.Fatal("no seed caught the naive version calling a user service that was stopping")
	}
	if !errors.Is(naiveErr, noex.ErrNotRunning) {
		t.Errorf("seed %d: naive create = %v, want ErrNotRunning", seed, naiveErr)
	}
	t.Logf("seed %d: the naive order service got %q", seed, naiveErr)
}
