// Package sleepy is a worker that waits with time.Sleep in its handler:
// the grader's tests run the static analyzer (noexvet) on it.
package sleepy

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

// Worker works on a task by sleeping on the wall clock.
type Worker struct{}

func (Worker) Init(context.Context) (int, error) { return 0, nil }

func (Worker) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}

func (Worker) HandleCast(_ context.Context, d time.Duration, n int) (int, error) {
	time.Sleep(d)
	return n + 1, nil
}
