// corpus: clean — a heartbeat armed with SendAfter and re-armed on each tick.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type Heartbeat struct{ Nothing }

type beat struct{}

func (Heartbeat) HandleCast(ctx context.Context, _ noex.None, n int) (int, error) {
	_, err := noex.SendAfter(ctx, noex.Self(ctx), beat{}, time.Second)
	return n, err
}

func (Heartbeat) HandleInfo(ctx context.Context, msg any, n int) (int, error) {
	if _, ok := msg.(beat); ok {
		_, err := noex.SendAfter(ctx, noex.Self(ctx), beat{}, time.Second)
		return n + 1, err
	}
	return n, nil
}
