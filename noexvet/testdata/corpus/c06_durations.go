// corpus: clean — durations and times computed, never read from the clock.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type Budget struct{}

func (Budget) Init(ctx context.Context) (time.Duration, error) { return time.Second, nil }

func (Budget) HandleCall(ctx context.Context, t Task, left time.Duration) (bool, time.Duration, error) {
	cost := time.Duration(t.Cost) * time.Millisecond
	return cost <= left, left - cost.Round(time.Millisecond), nil
}

func (Budget) HandleCast(ctx context.Context, d time.Duration, left time.Duration) (time.Duration, error) {
	deadline := noex.Now(ctx).Add(d)
	return left + deadline.Sub(noex.Now(ctx)).Truncate(time.Millisecond), nil
}
