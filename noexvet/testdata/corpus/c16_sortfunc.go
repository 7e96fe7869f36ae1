// corpus: clean — tasks gathered from a map, then sorted by cost.
package corpus

import (
	"cmp"
	"context"
	"slices"

	"github.com/noex-go/noex/noex"
)

type Planner struct{}

func (Planner) Init(ctx context.Context) (map[string]Task, error) { return map[string]Task{}, nil }

func (Planner) HandleCall(ctx context.Context, _ noex.None, st map[string]Task) ([]Task, map[string]Task, error) {
	var plan []Task
	for _, t := range st {
		plan = append(plan, t)
	}
	slices.SortFunc(plan, func(a, b Task) int { return cmp.Or(cmp.Compare(a.Cost, b.Cost), cmp.Compare(a.ID, b.ID)) })
	return plan, st, nil
}

func (Planner) HandleCast(ctx context.Context, t Task, st map[string]Task) (map[string]Task, error) {
	st[t.ID] = t
	return st, nil
}
