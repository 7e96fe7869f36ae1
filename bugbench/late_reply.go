package bugbench

import (
	"context"
	"errors"
	"time"

	"github.com/noex-go/noex/noex"
)

// A shopper pays through a checkout service with a 100 ms timeout and, on
// a timeout, pays again. The checkout debits a bank that takes 60 ms per
// request. If a statement request reaches the bank first, the debit is
// done at 120 ms: the shopper has given up at 100 ms, but the debit still
// happens, and the retry debits a second time. A timeout says the reply
// did not come in time, not that the request was not done: the fix is an
// idempotent checkout, which remembers the orders it has paid.

// bankCall is a debit of an order, or (Order empty) a statement.
type bankCall struct{ Order string }

type bank struct{}

var bankName = noex.Name[bankCall, noex.None, []string]("bank")

func (bank) Init(context.Context) ([]string, error) { return nil, nil }

func (bank) HandleCall(ctx context.Context, c bankCall, debits []string) ([]string, []string, error) {
	if err := noex.Sleep(ctx, 60*time.Millisecond); err != nil {
		return nil, debits, err
	}
	if c.Order != "" {
		debits = append(debits, c.Order)
	}
	return debits, debits, nil
}

func (bank) HandleCast(_ context.Context, _ noex.None, debits []string) ([]string, error) {
	return debits, nil
}

type pay struct{ Order string }

// checkout pays orders by debiting the bank. Idempotent, it pays each
// order once, and answers a repeated request with the first one's result.
type checkout struct{ idempotent bool }

var checkoutName = noex.Name[pay, noex.None, bool]("checkout")

func (checkout) Init(context.Context) (map[string]bool, error) { return map[string]bool{}, nil }

func (c checkout) HandleCall(ctx context.Context, p pay, paid map[string]bool) (bool, map[string]bool, error) {
	if c.idempotent && paid[p.Order] {
		return true, paid, nil
	}
	if _, err := noex.Call(ctx, bankName, bankCall(p)); err != nil {
		return false, paid, err
	}
	paid[p.Order] = true
	return true, paid, nil
}

func (checkout) HandleCast(_ context.Context, _ noex.None, paid map[string]bool) (map[string]bool, error) {
	return paid, nil
}

func lateReply() Kernel {
	return Kernel{
		Name:   "late-reply",
		Title:  "a client retries after a timeout although the late request still succeeds",
		Source: "classic timeout racing a late reply",
		Depth:  1,
		Why:    "the bank handles the reporter's statement before the checkout's debit, which then ends after the shopper's timeout",
		Buggy:  lateReplyProgram(false),
		Fixed:  lateReplyProgram(true),
	}
}

func lateReplyProgram(idempotent bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var actors []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, bank{}, noex.WithName(bankName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, checkout{idempotent: idempotent}, noex.WithName(checkoutName.String())); err != nil {
				return err
			}
			shopper, err := startActor(ctx, "shopper", act(func(ctx context.Context) error {
				_, err := noex.Call(ctx, checkoutName, pay{Order: "o1"}, noex.WithTimeout(100*time.Millisecond))
				if errors.Is(err, noex.ErrTimeout) {
					_, err = noex.Call(ctx, checkoutName, pay{Order: "o1"}, noex.WithTimeout(100*time.Millisecond))
				}
				return err
			}))
			if err != nil {
				return err
			}
			reporter, err := startActor(ctx, "reporter", act(func(ctx context.Context) error {
				_, err := noex.Call(ctx, bankName, bankCall{})
				return err
			}))
			if err != nil {
				return err
			}
			actors = []actorRef{shopper, reporter}
			return kickAll(ctx, actors...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, actors...); err != nil {
				return err
			}
			debits, err := noex.Call(ctx, bankName, bankCall{})
			if err != nil {
				return err
			}
			if len(debits) != 1 {
				return violation("order o1 was debited %d times for one purchase", len(debits))
			}
			return nil
		})
	}
}
