// Package ignoring holds the cases of //noexvet:ignore.
package ignoring

import (
	"context"
	"sync"
	"time"

	"github.com/noex-go/noex/noex"
)

// Quiet is a Behavior whose escapes are silenced, with reasons.
type Quiet struct{ mu *sync.Mutex }

func (q Quiet) Init(ctx context.Context) (int, error) {
	q.mu.Lock() //noexvet:ignore the lock is never held across a runtime operation
	q.mu.Unlock()
	//noexvet:ignore measuring wall time for a log line is the point here
	began := time.Now()
	_ = began
	return 0, nil
}

func (Quiet) HandleCall(ctx context.Context, n int, st int) (int, int, error) {
	debug() // silenced in debug itself
	return n, st, nil
}

// debug reads the wall clock for a debugging aid.
//
//noexvet:ignore debugging output only, never compared between runs
func debug() { _ = time.Now() }

func (Quiet) HandleCast(ctx context.Context, n int, st int) (int, error) { // want HandleCast:"calls time.Sleep"
	time.Sleep(time.Millisecond) //noexvet:ignore // want `^noexvet:ignore needs a reason: //noexvet:ignore <why this is safe>$` `^time\.Sleep blocks`
	//noexvet:ignored is another word: not a directive
	_ = time.Now() // want `^time\.Now reads`
	return st, nil
}

// HandleInfo is silenced as a whole.
//
//noexvet:ignore a fake clock for the demo; the runtime never runs this in deterministic mode
func (Quiet) HandleInfo(ctx context.Context, msg any, st int) (int, error) {
	time.Sleep(time.Millisecond)
	return st, nil
}

// Bench measures wall time around a run, and is silenced as a whole with
// the body it hands to the runtime.
//
//noexvet:ignore a benchmark measures wall time around the runtime's operations
func Bench(rt *noex.Runtime) time.Duration {
	var took time.Duration
	_ = rt.Run(context.Background(), func(ctx context.Context) error {
		began := time.Now()
		took = time.Since(began)
		return nil
	})
	return took
}
