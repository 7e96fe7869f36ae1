package noextest_test

import (
	"context"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// The listings of docs/exploration.md.

// Account keeps a balance; Withdraw takes an amount only if it is there.
type Account struct{}

type Balance struct{}
type Withdraw struct{ Amount int }

func (Account) Init(context.Context) (int, error) { return 100, nil }
func (Account) HandleCall(_ context.Context, c any, balance int) (int, int, error) {
	if w, ok := c.(Withdraw); ok && w.Amount <= balance {
		balance -= w.Amount
	}
	return balance, balance, nil
}
func (Account) HandleCast(_ context.Context, _ noex.None, balance int) (int, error) {
	return balance, nil
}

var account = noex.Name[any, noex.None, int]("account")

// Shopper withdraws 80 when it is told to.
type Shopper struct{}

func (Shopper) Init(context.Context) (int, error) { return 0, nil }
func (Shopper) HandleCall(_ context.Context, _ noex.None, s int) (int, int, error) {
	return s, s, nil
}
func (Shopper) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) {
	_, err := noex.Call(ctx, account, any(Withdraw{Amount: 80}))
	return s, err
}

// listing: sample
func TestNeverOverdrawn(t *testing.T) {
	noextest.Seeds(t, 200, func(t *testing.T, rt *noextest.Runtime) {
		overdraw(t, rt)
	}, noextest.WithStrategy("pct:d=2"))
}

// end listing

// listing: prove
func TestNeverOverdrawnProved(t *testing.T) {
	noextest.Explore(t, overdraw)
}

// overdraw has two shoppers withdraw 80 each from an account of 100: one
// must be refused.
func overdraw(t noextest.TB, rt *noextest.Runtime) {
	rt.Run(func(ctx context.Context) error {
		if _, err := noex.Start(ctx, Account{}, noex.WithName("account")); err != nil {
			return err
		}
		for _, name := range []string{"ann", "bo"} {
			s, err := noex.Start(ctx, Shopper{}, noex.WithName(name))
			if err != nil {
				return err
			}
			noex.Cast(ctx, s, noex.None{})
		}
		return nil
	})
	var balance int
	rt.Run(func(ctx context.Context) (err error) {
		balance, err = noex.Call(ctx, account, any(Balance{}))
		return err
	})
	if balance != 20 {
		t.Errorf("balance is %d after two withdrawals of 80 from 100, want 20", balance)
	}
	rt.Run(func(ctx context.Context) error {
		for _, name := range []string{"ann", "bo", "account"} {
			if err := noex.Stop(ctx, noex.Name[noex.None, noex.None, int](name), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// end listing
