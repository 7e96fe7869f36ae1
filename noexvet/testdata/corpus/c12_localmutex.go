// corpus: clean — a mutex in the process's own state, which only the
// process touches, so it never waits (the analyzer reports it).
package corpus

import (
	"context"
	"sync"

	"github.com/noex-go/noex/noex"
)

type guarded struct {
	mu sync.Mutex
	n  int
}

type Guarded struct{}

func (Guarded) Init(ctx context.Context) (*guarded, error) { return &guarded{}, nil }

func (Guarded) HandleCall(ctx context.Context, _ noex.None, st *guarded) (int, *guarded, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.n, st, nil
}

func (Guarded) HandleCast(ctx context.Context, _ noex.None, st *guarded) (*guarded, error) {
	st.n++
	return st, nil
}
