// corpus: escape — map order reaches a send through a helper; the analyzer
// looks for sends in the loop's own body only.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

type Notifier struct{}

func (Notifier) Init(ctx context.Context) (map[string]bool, error) { return map[string]bool{}, nil }

func (Notifier) HandleCall(ctx context.Context, name string, on map[string]bool) (bool, map[string]bool, error) {
	on[name] = true
	return true, on, nil
}

func (Notifier) HandleCast(ctx context.Context, msg string, on map[string]bool) (map[string]bool, error) {
	for name := range on {
		notify(ctx, name, msg)
	}
	return on, nil
}

func notify(ctx context.Context, name, msg string) {
	_ = noex.Cast(ctx, noex.Name[string, string, string](name), msg)
}
