// corpus: escape — an EventBus handler logs with the wall clock's time.
package corpus

import (
	"context"
	"log"
	"time"

	"github.com/noex-go/noex/noex"
)

func Watch(ctx context.Context) error {
	_, err := noex.Subscribe(ctx, Bus, "task.*", func(ctx context.Context, msg any, topic string) {
		log.Printf("%s %s: %v", time.Now().Format(time.TimeOnly), topic, msg)
	})
	return err
}
