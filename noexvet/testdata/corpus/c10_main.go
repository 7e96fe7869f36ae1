// corpus: clean — the program times the whole run from outside it.
package corpus

import (
	"context"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

func TimedRun() error {
	began := time.Now()
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		_, err := noex.Start(ctx, RightWorker{})
		return err
	})
	fmt.Println("took", time.Since(began))
	return err
}
