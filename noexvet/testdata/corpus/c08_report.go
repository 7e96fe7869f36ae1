// corpus: clean — a report lists the map's keys, sorted after the loop.
package corpus

import (
	"context"
	"sort"

	"github.com/noex-go/noex/noex"
)

type RightCounter struct{}

func (RightCounter) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (RightCounter) HandleCall(ctx context.Context, _ noex.None, counts map[string]int) ([]string, map[string]int, error) {
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, counts, nil
}

func (RightCounter) HandleCast(ctx context.Context, name string, counts map[string]int) (map[string]int, error) {
	counts[name]++
	return counts, nil
}
