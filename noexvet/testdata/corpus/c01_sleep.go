// corpus: clean — a worker simulates its work on the runtime's clock.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type RightWorker struct{ Nothing }

func (RightWorker) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	if err := noex.Sleep(ctx, time.Duration(t.Cost)*time.Millisecond); err != nil {
		return n, err
	}
	return n + 1, noex.Cast(ctx, Producer, Done{ID: t.ID})
}
