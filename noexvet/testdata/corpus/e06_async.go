// corpus: escape — work is done in a goroutine that casts back when done.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

type AsyncWorker struct{ Nothing }

func (AsyncWorker) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	go func() {
		_ = noex.Cast(ctx, Producer, Done{ID: t.ID})
	}()
	return n + 1, nil
}
