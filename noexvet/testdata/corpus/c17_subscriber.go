// corpus: clean — an EventBus handler forwards to its owner's mailbox.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

func Forward(ctx context.Context, owner noex.PID) error {
	_, err := noex.Subscribe(ctx, Bus, "task.*", func(ctx context.Context, msg any, topic string) {
		_ = noex.Send(ctx, owner, msg)
	})
	return err
}
