// corpus: escape — a retry loop waits with time.After in a select.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type Retrier struct{ Nothing }

func (Retrier) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	for i := 0; i < 3; i++ {
		if err := noex.Cast(ctx, Producer, Done{ID: t.ID}); err == nil {
			return n, nil
		}
		select {
		case <-time.After(time.Duration(i) * 10 * time.Millisecond):
		case <-ctx.Done():
			return n, ctx.Err()
		}
	}
	return n, nil
}
