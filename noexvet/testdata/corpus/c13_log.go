// corpus: clean — a handler logs what it does.
package corpus

import (
	"context"
	"log"
)

type Logged struct{ Nothing }

func (Logged) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	log.Printf("task %s costs %d", t.ID, t.Cost)
	return n + 1, nil
}
