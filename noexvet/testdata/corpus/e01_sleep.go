// corpus: escape — a worker simulates its work with time.Sleep.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type SleepWorker struct{ Nothing }

func (SleepWorker) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	time.Sleep(time.Duration(t.Cost) * time.Millisecond)
	return n + 1, noex.Cast(ctx, Producer, Done{ID: t.ID})
}
