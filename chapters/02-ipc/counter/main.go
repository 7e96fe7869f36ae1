// Counter: cast for writes, call for reads. Three increments are cast
// without waiting; the call that follows sees all three.
//
//	go run ./chapters/02-ipc/counter
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// listing: counter-behavior
// Get reads the counter.
type Get struct{}

// CounterCast changes the counter: Increment or Decrement.
type CounterCast interface{ isCounterCast() }

type Increment struct{}
type Decrement struct{}

func (Increment) isCounterCast() {}
func (Decrement) isCounterCast() {}

// Counter holds an int; casts change it, the Get call reads it.
type Counter struct{}

func (Counter) Init(ctx context.Context) (int, error) { return 0, nil }

func (Counter) HandleCall(ctx context.Context, _ Get, value int) (int, int, error) {
	return value, value, nil
}

func (Counter) HandleCast(ctx context.Context, msg CounterCast, value int) (int, error) {
	switch msg.(type) {
	case Increment:
		return value + 1, nil
	case Decrement:
		return value - 1, nil
	}
	return value, fmt.Errorf("counter: unknown cast %T", msg)
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: counter-usage
	counter, err := noex.Start(ctx, Counter{})
	if err != nil {
		return err
	}

	// Fast writes: fire-and-forget.
	for range 3 {
		if err := counter.Cast(ctx, Increment{}); err != nil {
			return err
		}
	}

	// Read when needed. Messages from one sender are handled in the order
	// they were sent, so the call sees all three increments.
	value, err := counter.Call(ctx, Get{})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, value) // 3
	// end listing
	return nil
}
