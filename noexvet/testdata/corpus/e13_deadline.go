// corpus: escape — a call bounded by a wall-clock context deadline.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type Asker struct{ Nothing }

func (Asker) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := noex.Call(cctx, Producer, t.ID)
	return n, err
}
