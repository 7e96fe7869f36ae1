// corpus: escape — processes share a cache guarded by a mutex.
package corpus

import (
	"context"
	"sync"
)

type sharedCache struct {
	mu   sync.Mutex
	data map[string]int
}

type CacheReader struct{ Cache *sharedCache }

func (CacheReader) Init(ctx context.Context) (int, error) { return 0, nil }

func (c CacheReader) HandleCall(ctx context.Context, key string, n int) (int, int, error) {
	c.Cache.mu.Lock()
	defer c.Cache.mu.Unlock()
	return c.Cache.data[key], n + 1, nil
}

func (CacheReader) HandleCast(ctx context.Context, _ string, n int) (int, error) { return n, nil }
