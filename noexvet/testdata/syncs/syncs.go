// Package syncs holds the cases of the sync rule.
package syncs

import (
	"context"
	"sync"
	"sync/atomic"
)

// Shared is a Behavior whose state is shared with goroutines and guarded
// by sync primitives.
type Shared struct{}

type state struct {
	sync.Mutex // embedded: s.Lock() is the mutex's Lock
	mu         sync.RWMutex
	wg         sync.WaitGroup
	cond       *sync.Cond
	once       sync.Once
	hits       atomic.Int64
	n          int
}

func (Shared) Init(ctx context.Context) (*state, error) {
	st := &state{}
	st.cond = sync.NewCond(&st.Mutex)
	return st, nil
}

func (Shared) HandleCall(ctx context.Context, n int, st *state) (int, *state, error) { // want HandleCall:"calls sync.Mutex.Lock"
	st.Lock() // want `^sync\.Mutex\.Lock blocks outside the runtime; keep the state in one process and reach it with noex\.Call$`
	defer st.Unlock()
	st.mu.RLock() // want `^sync\.RWMutex\.RLock blocks outside the runtime`
	st.mu.RUnlock()
	st.mu.Lock() // want `^sync\.RWMutex\.Lock blocks`
	st.mu.Unlock()
	return st.n, st, nil
}

func (Shared) HandleCast(ctx context.Context, n int, st *state) (*state, error) { // want HandleCast:"calls sync.WaitGroup.Wait"
	st.wg.Wait()                  // want `^sync\.WaitGroup\.Wait blocks outside the runtime; wait for replies with noex\.Call, or for ends with noex\.Monitor$`
	st.cond.Wait()                // want `^sync\.Cond\.Wait blocks outside the runtime; wait for a message in HandleInfo$`
	st.once.Do(func() { st.n++ }) // want `^sync\.Once\.Do blocks outside the runtime; do one-time setup in Init$`
	return st, nil
}

// HandleInfo uses what does not wait: not reported.
func (Shared) HandleInfo(ctx context.Context, msg any, st *state) (*state, error) {
	st.hits.Add(1)
	if st.TryLock() {
		st.Unlock()
	}
	var m sync.Map
	m.Store(1, 2)
	return st, nil
}
