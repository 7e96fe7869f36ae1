package noextest

import (
	"context"
	"fmt"
	"slices"

	"github.com/noex-go/noex/noex"
)

// CheckSubscriptions checks, from a Run body or a handler, that the
// patterns of bus's live subscriptions are exactly patterns (in any order,
// each distinct pattern once, as [noex.Patterns] reports them); no patterns
// means the bus has no subscription at all.
func CheckSubscriptions(ctx context.Context, bus noex.BusAddr, patterns ...string) error {
	got, err := noex.Patterns(ctx, bus)
	if err != nil {
		return err
	}
	want := slices.Sorted(slices.Values(patterns))
	want = slices.Compact(want)
	if len(want) == 0 {
		n, err := noex.SubscriptionCount(ctx, bus)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return fmt.Errorf("%w: bus %v has %d subscriptions to %q, want none", ErrRegistry, bus, n, got)
	}
	if d := diff(want, got); d != "" {
		return fmt.Errorf("%w: subscription patterns of bus %v (-want +got):\n%s", ErrRegistry, bus, d)
	}
	return nil
}

// ExpectSubscriptions fails the test unless bus's live subscriptions have
// exactly patterns; see [CheckSubscriptions].
func (rt *Runtime) ExpectSubscriptions(bus noex.BusAddr, patterns ...string) {
	rt.t.Helper()
	err := rt.RunErr(func(ctx context.Context) error { return CheckSubscriptions(ctx, bus, patterns...) })
	rt.expect("ExpectSubscriptions", err)
}
