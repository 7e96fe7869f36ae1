// Package goroutines holds the cases of the goroutine rule.
package goroutines

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// Spawner is a Behavior that starts goroutines from its handlers.
type Spawner struct{}

func (Spawner) Init(ctx context.Context) (int, error) { return 0, nil }

func (Spawner) HandleCall(ctx context.Context, n int, st int) (int, int, error) { // want HandleCall:"starts a goroutine"
	go work(n) // want `^go statement starts a goroutine the runtime does not schedule; start a process \(noex\.Start\) or send a message \(noex\.Send, noex\.SendAfter\)$`
	return n, st, nil
}

func (Spawner) HandleCast(ctx context.Context, n int, st int) (int, error) { // want HandleCast:"starts a goroutine"
	// The body of the goroutine is not reported again: the statement is the
	// escape.
	go func() { // want `^go statement`
		go work(n)
	}()
	return st, nil
}

func work(int) {}

// Starter starts a process instead: nothing to report.
type Starter struct{}

func (Starter) Init(ctx context.Context) (int, error) { return 0, nil }

func (Starter) HandleCall(ctx context.Context, n int, st int) (int, int, error) {
	_, err := noex.Start(ctx, Spawner{})
	return n, st, err
}

func (Starter) HandleCast(ctx context.Context, n int, st int) (int, error) {
	return st, noex.Send(ctx, noex.Self(ctx), n)
}

// Background starts a goroutine, but not on the deterministic path.
func Background() { go work(1) } // want Background:"starts a goroutine"
