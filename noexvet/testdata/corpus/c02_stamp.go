// corpus: clean — a handler stamps its state with the runtime's time.
package corpus

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

type RightStamper struct{}

func (RightStamper) Init(ctx context.Context) (time.Time, error) { return noex.Now(ctx), nil }

func (RightStamper) HandleCall(ctx context.Context, _ noex.None, at time.Time) (time.Duration, time.Time, error) {
	return noex.Now(ctx).Sub(at), at, nil
}

func (RightStamper) HandleCast(ctx context.Context, _ noex.None, at time.Time) (time.Time, error) {
	return noex.Now(ctx), nil
}
