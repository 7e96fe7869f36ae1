// corpus: clean — task ids drawn from the runtime's random source.
package corpus

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

type RightIDMaker struct{}

func (RightIDMaker) Init(ctx context.Context) (int, error) { return 0, nil }

func (RightIDMaker) HandleCall(ctx context.Context, payload string, seq int) (string, int, error) {
	return fmt.Sprintf("task-%d-%04x", seq, noex.Rand(ctx).IntN(1<<16)), seq + 1, nil
}

func (RightIDMaker) HandleCast(ctx context.Context, _ noex.None, seq int) (int, error) {
	return seq, nil
}
