// corpus: clean — a listing built from the sorted keys.
package corpus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/noex-go/noex/noex"
)

type Lister struct{}

func (Lister) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (Lister) HandleCall(ctx context.Context, _ noex.None, st map[string]int) (string, map[string]int, error) {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(st)) {
		fmt.Fprintf(&b, "%s=%d\n", k, st[k])
	}
	return b.String(), st, nil
}

func (Lister) HandleCast(ctx context.Context, k string, st map[string]int) (map[string]int, error) {
	st[k]++
	return st, nil
}
