// Package worker is what a newcomer writes first: a worker that sleeps on
// the wall clock to simulate its work.
package worker

import (
	"context"
	"time"

	"example.com/newcomer/pace"
	"github.com/noex-go/noex/noex"
)

// Worker runs tasks.
type Worker struct{}

var _ noex.Behavior[int, noex.None, string, noex.None] = Worker{}

func (Worker) Init(ctx context.Context) (int, error) { return 0, nil }

func (Worker) HandleCall(ctx context.Context, _ noex.None, done int) (noex.None, int, error) {
	return noex.None{}, done, nil
}

// listing: newcomer
// HandleCast runs one task.
func (Worker) HandleCast(ctx context.Context, task string, done int) (int, error) {
	time.Sleep(20 * time.Millisecond) // simulate the work
	pace.Wait(time.Millisecond)       // and pace the next one
	return done + 1, nil
}

// end listing
