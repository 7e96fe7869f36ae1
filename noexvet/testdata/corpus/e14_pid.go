// corpus: escape — a worker names itself after the OS process id, which
// differs on every run; the analyzer has no rule for it.
package corpus

import (
	"context"
	"fmt"
	"os"

	"github.com/noex-go/noex/noex"
)

type Named struct{}

func (Named) Init(ctx context.Context) (string, error) {
	return fmt.Sprintf("worker-%d", os.Getpid()), nil
}

func (Named) HandleCall(ctx context.Context, _ noex.None, name string) (string, string, error) {
	return name, name, nil
}

func (Named) HandleCast(ctx context.Context, _ noex.None, name string) (string, error) {
	return name, noex.Publish(ctx, Bus, Topic, name)
}
