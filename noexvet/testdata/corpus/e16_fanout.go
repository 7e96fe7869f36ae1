// corpus: escape — a handler fans work out to goroutines and waits for them.
package corpus

import (
	"context"
	"sync"
)

type FanOut struct{ Nothing }

func (FanOut) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	var wg sync.WaitGroup
	for i := 0; i < t.Cost; i++ {
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	wg.Wait()
	return n + t.Cost, nil
}
