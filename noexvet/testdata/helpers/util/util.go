// Package util holds helpers that other packages of the module call from
// their handlers: the analyzer follows those calls through facts.
package util

import (
	"context"
	"time"

	"github.com/noex-go/noex/noex"
)

// Wait sleeps on the wall clock.
func Wait(d time.Duration) { // want Wait:"^calls time.Sleep at util.go:14$"
	time.Sleep(d)
}

// Deep reaches time.Now through an unexported helper.
func Deep() int64 { // want Deep:"^calls util.stamp, which calls time.Now at util.go:22$"
	return stamp()
}

func stamp() int64 { return time.Now().UnixNano() }

// Pacer paces work.
type Pacer struct{ Step time.Duration }

// Pause waits for one step, on the wall clock.
func (p *Pacer) Pause() { // want Pause:"^calls util.Wait, which calls time.Sleep at util.go:14$"
	Wait(p.Step)
}

// Right waits for one step on the runtime's clock: no fact.
func (p *Pacer) Right(ctx context.Context) error {
	return noex.Sleep(ctx, p.Step)
}

// Handle is an EventBus handler that sleeps.
func Handle(ctx context.Context, msg any, topic string) { // want Handle:"calls time.Sleep"
	time.Sleep(time.Millisecond)
}

// Clean does nothing the runtime cannot replay: no fact.
func Clean(n int) int { return n * 2 }

// Retry is generic, and sleeps between tries.
func Retry[T any](f func() (T, error)) (T, error) { // want Retry:"calls time.Sleep"
	v, err := f()
	for i := 0; err != nil && i < 3; i++ {
		time.Sleep(time.Millisecond)
		v, err = f()
	}
	return v, err
}

// Sleeper is implemented by types that sleep.
type Sleeper interface{ Sleep() }

// WallSleeper sleeps on the wall clock.
type WallSleeper struct{}

func (WallSleeper) Sleep() { time.Sleep(time.Millisecond) } // want Sleep:"calls time.Sleep"

// Step is one step of a program run by Steps: each runs as a Run body.
//
//noexvet:root
type Step func(ctx context.Context) error // want Step:"noexvet:root"

// Steps runs steps, one after the other, on a runtime.
func Steps(rt *noex.Runtime, steps ...Step) error {
	for _, s := range steps {
		if err := rt.Run(context.Background(), s); err != nil {
			return err
		}
	}
	return nil
}

// Base gives a Behavior its HandleInfo, which sleeps.
type Base struct{}

func (Base) HandleInfo(ctx context.Context, msg any, n int) (int, error) { // want HandleInfo:"calls time.Sleep"
	time.Sleep(time.Millisecond)
	return n, nil
}
