// corpus: escape — the sleep hides in a helper of the same package.
package corpus

import (
	"context"
	"time"
)

type HelperWorker struct{ Nothing }

func (HelperWorker) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	simulate(t.Cost)
	return n + 1, nil
}

func simulate(cost int) { time.Sleep(time.Duration(cost) * time.Millisecond) }
