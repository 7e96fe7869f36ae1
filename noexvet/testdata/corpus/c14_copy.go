// corpus: clean — Init copies a map of defaults.
package corpus

import (
	"context"
	"maps"

	"github.com/noex-go/noex/noex"
)

var defaults = map[string]int{"retries": 3, "width": 4}

type Settings struct{}

func (Settings) Init(ctx context.Context) (map[string]int, error) {
	out := make(map[string]int, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	return maps.Clone(out), nil
}

func (Settings) HandleCall(ctx context.Context, key string, st map[string]int) (int, map[string]int, error) {
	return st[key], st, nil
}

func (Settings) HandleCast(ctx context.Context, _ noex.None, st map[string]int) (map[string]int, error) {
	return st, nil
}
