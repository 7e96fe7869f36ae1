// corpus: escape — a report lists the map's keys in map order.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

type Counter struct{}

func (Counter) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (Counter) HandleCall(ctx context.Context, _ noex.None, counts map[string]int) ([]string, map[string]int, error) {
	var names []string
	for name := range counts {
		names = append(names, name)
	}
	return names, counts, nil
}

func (Counter) HandleCast(ctx context.Context, name string, counts map[string]int) (map[string]int, error) {
	counts[name]++
	return counts, nil
}
