// corpus: escape — a handler stamps its state with the wall clock.
package corpus

import (
	"context"
	"time"
)

type Stamper struct{ Nothing }

type stamped struct{ at time.Time }

func (Stamper) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	last := stamped{at: time.Now()}
	_ = last
	return n + 1, nil
}
