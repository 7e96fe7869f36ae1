// corpus: escape — a Run body waits for a goroutine's result on a channel.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

func RunWithResult(rt *noex.Runtime) error {
	return rt.Run(context.Background(), func(ctx context.Context) error {
		results := make(chan int)
		go func() { results <- 42 }()
		return noex.Publish(ctx, Bus, Topic, <-results)
	})
}
