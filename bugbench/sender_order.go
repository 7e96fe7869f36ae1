package bugbench

import (
	"context"
	"slices"

	"github.com/noex-go/noex/noex"
)

// The order service tells the audit log that an order was created, then
// asks the payment service to charge it, and the payment service tells the
// audit log that the order was paid. Created is sent before Paid, but by
// another process: nothing orders messages from different senders, so the
// audit log can receive Paid first. A log that assumes the order rejects
// the payment of an order it does not know.

type audited struct {
	OrderID string
	Paid    bool // false: created
}

type auditEntries struct{}

// auditLog records the history of each order. Strict, it assumes that an
// order's creation reaches it before its payment; otherwise it keeps a
// payment that arrives first until the creation comes.
type auditLog struct{ strict bool }

type auditState struct {
	entries []string
	early   []string // orders paid before they were known
}

func (auditLog) Init(context.Context) (auditState, error) { return auditState{}, nil }

func (a auditLog) HandleCast(_ context.Context, e audited, s auditState) (auditState, error) {
	switch {
	case !e.Paid:
		s.entries = append(s.entries, e.OrderID+" created")
		if i := slices.Index(s.early, e.OrderID); i >= 0 {
			s.early = slices.Delete(s.early, i, i+1)
			s.entries = append(s.entries, e.OrderID+" paid")
		}
	case slices.Contains(s.entries, e.OrderID+" created"):
		s.entries = append(s.entries, e.OrderID+" paid")
	case a.strict:
		s.entries = append(s.entries, e.OrderID+" paid before it was created: rejected")
	default:
		s.early = append(s.early, e.OrderID)
	}
	return s, nil
}

func (auditLog) HandleCall(_ context.Context, _ auditEntries, s auditState) ([]string, auditState, error) {
	return s.entries, s, nil
}

var auditName = noex.Name[auditEntries, audited, []string]("audit")

type charge struct{ OrderID string }

// payments charges orders and records the payment in the audit log.
type payments struct{}

func (payments) Init(context.Context) (int, error) { return 0, nil }

func (payments) HandleCall(ctx context.Context, c charge, n int) (bool, int, error) {
	return true, n + 1, noex.Cast(ctx, auditName, audited{OrderID: c.OrderID, Paid: true})
}

func (payments) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

var paymentsName = noex.Name[charge, noex.None, bool]("payments")

func senderOrder() Kernel {
	return Kernel{
		Name:   "sender-order",
		Title:  "an audit log assumes that messages from two senders arrive in the order they were sent",
		Source: `the chapter, "Example: Building a Notification System": the printed order`,
		Depth:  1,
		Why:    "the audit log handles the payment service's Paid before the order service's Created",
		Buggy:  senderOrderProgram(true),
		Fixed:  senderOrderProgram(false),
	}
}

func senderOrderProgram(strict bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, auditLog{strict: strict}, noex.WithName(auditName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, payments{}, noex.WithName(paymentsName.String())); err != nil {
				return err
			}
			orders, err := startActor(ctx, "orders", act(func(ctx context.Context) error {
				if err := noex.Cast(ctx, auditName, audited{OrderID: "o1"}); err != nil {
					return err
				}
				_, err := noex.Call(ctx, paymentsName, charge{OrderID: "o1"})
				return err
			}))
			if err != nil {
				return err
			}
			return kickAll(ctx, orders)
		}, func(ctx context.Context) error {
			entries, err := noex.Call(ctx, auditName, auditEntries{})
			if err != nil {
				return err
			}
			if !slices.Equal(entries, []string{"o1 created", "o1 paid"}) {
				return violation("audit log is %q, want [\"o1 created\" \"o1 paid\"]", entries)
			}
			return nil
		})
	}
}
