package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// Two clients withdraw 80 from an account that holds 100, each by asking
// for the balance (one call) and withdrawing if it is enough (a second
// call). Each call is atomic, the pair is not: both can see 100, and the
// account ends at -60.

// accountCall is the account's call: read the balance, withdraw (the
// account trusts the caller to have checked), or withdraw if the balance
// covers it (the account checks: the fix). The reply is the balance, or
// the amount withdrawn.
type accountCall struct {
	Op     string // "balance", "withdraw" or "withdraw-if-funded"
	Amount int
}

type account struct{}

func (account) Init(context.Context) (int, error) { return 100, nil }

func (account) HandleCall(_ context.Context, c accountCall, balance int) (int, int, error) {
	switch c.Op {
	case "withdraw":
		return c.Amount, balance - c.Amount, nil
	case "withdraw-if-funded":
		if balance < c.Amount {
			return 0, balance, nil
		}
		return c.Amount, balance - c.Amount, nil
	}
	return balance, balance, nil
}

func (account) HandleCast(_ context.Context, _ noex.None, balance int) (int, error) {
	return balance, nil
}

func checkThenAct() Kernel {
	return Kernel{
		Name:   "check-then-act",
		Title:  "two clients withdraw after checking the balance in a separate call",
		Source: "classic atomicity violation across two calls",
		Depth:  2,
		Why: "both balance checks come before either withdrawal: client-1's check is handled before client-2's withdrawal, " +
			"and client-2's check before client-1's withdrawal",
		Buggy: checkThenActProgram(func(ctx context.Context, acc noex.Ref[accountCall, noex.None, int]) error {
			b, err := noex.Call(ctx, acc, accountCall{Op: "balance"})
			if err != nil || b < 80 {
				return err
			}
			_, err = noex.Call(ctx, acc, accountCall{Op: "withdraw", Amount: 80})
			return err
		}),
		Fixed: checkThenActProgram(func(ctx context.Context, acc noex.Ref[accountCall, noex.None, int]) error {
			_, err := noex.Call(ctx, acc, accountCall{Op: "withdraw-if-funded", Amount: 80})
			return err
		}),
	}
}

func checkThenActProgram(withdraw func(context.Context, noex.Ref[accountCall, noex.None, int]) error) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var acc noex.Ref[accountCall, noex.None, int]
		var clients []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			var err error
			if acc, err = noex.Start(ctx, account{}, noex.WithName("account")); err != nil {
				return err
			}
			for _, name := range []string{"client-1", "client-2"} {
				c, err := startActor(ctx, name, act(func(ctx context.Context) error { return withdraw(ctx, acc) }))
				if err != nil {
					return err
				}
				clients = append(clients, c)
			}
			return kickAll(ctx, clients...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, clients...); err != nil {
				return err
			}
			b, err := noex.Call(ctx, acc, accountCall{Op: "balance"})
			if err != nil {
				return err
			}
			if b < 0 {
				return violation("balance is %d after two withdrawals of 80 from 100", b)
			}
			return nil
		})
	}
}
