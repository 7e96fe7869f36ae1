// corpus: clean — totals over a map, whose order cannot show.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

type Totals struct{}

func (Totals) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (Totals) HandleCall(ctx context.Context, _ noex.None, counts map[string]int) (int, map[string]int, error) {
	total, most := 0, 0
	for _, n := range counts {
		total += n
		most = max(most, n)
	}
	return total - most, counts, nil
}

func (Totals) HandleCast(ctx context.Context, name string, counts map[string]int) (map[string]int, error) {
	counts[name]++
	return counts, nil
}
