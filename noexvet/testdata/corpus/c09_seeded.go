// corpus: clean — a shuffle from a source seeded with the task's cost.
package corpus

import (
	"context"
	"math/rand/v2"
)

type Shuffler struct{ Nothing }

func (Shuffler) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	r := rand.New(rand.NewPCG(uint64(t.Cost), 7))
	order := r.Perm(5)
	return n + order[0], nil
}
