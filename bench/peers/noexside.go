package main

import (
	"context"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

// adder adds what it is sent to its state and replies with the state.
type adder struct{}

func (adder) Init(context.Context) (int, error) { return 0, nil }
func (adder) HandleCall(_ context.Context, n int, s int) (int, int, error) {
	return s + n, s + n, nil
}
func (adder) HandleCast(_ context.Context, n int, s int) (int, error) { return s + n, nil }

// stopper stops a noex server when its side closes.
func stopper(ctx context.Context, ref noex.Ref[int, int, int]) func() {
	return func() { _ = noex.Stop(ctx, ref, nil) }
}

func noexCallSide(env *env) (side, error) {
	ctx := env.ctx
	ref, err := noex.Start(ctx, adder{})
	if err != nil {
		return side{}, err
	}
	total := 0
	return side{run: func(n int) error {
		for range n {
			total++
			got, err := noex.Call(ctx, ref, 1)
			if err != nil {
				return err
			}
			if got != total {
				return countCheck("call", got, total)
			}
		}
		return nil
	}, close: stopper(ctx, ref)}, nil
}

// noexCastSide casts n times, then calls: the call returns once the casts
// are handled.
func noexCastSide(env *env) (side, error) {
	ctx := env.ctx
	ref, err := noex.Start(ctx, adder{})
	if err != nil {
		return side{}, err
	}
	total := 0
	return side{run: func(n int) error {
		for range n {
			if err := noex.Cast(ctx, ref, 1); err != nil {
				return err
			}
		}
		total += n
		got, err := noex.Call(ctx, ref, 0, noex.WithTimeout(time.Minute))
		if err != nil {
			return err
		}
		return countCheck("casts", got, total)
	}, close: stopper(ctx, ref)}, nil
}

func noexMillionSide(env *env) (side, error) { return millionOf(noexCastSide(env)) }

// millionOf makes a side whose operation is a million casts, then a call,
// from a side that casts n times, then calls.
func millionOf(s side, err error) (side, error) {
	if err != nil {
		return s, err
	}
	casts := s.run
	s.run = func(n int) error {
		for range n {
			if err := casts(million); err != nil {
				return err
			}
		}
		return nil
	}
	return s, nil
}

func noexStartStopSide(env *env) (side, error) {
	ctx := env.ctx
	return side{run: func(n int) error {
		for range n {
			ref, err := noex.Start(ctx, adder{})
			if err != nil {
				return err
			}
			if err := noex.Stop(ctx, ref, nil); err != nil {
				return err
			}
		}
		return nil
	}, close: func() {}}, nil
}

// burst asks a sender to cast n times to its target, then to say so on
// done.
type burst struct {
	n    int
	done chan<- struct{}
}

// castSender casts bursts to its target.
type castSender struct{ to noex.Ref[int, int, int] }

func (castSender) Init(context.Context) (int, error) { return 0, nil }
func (castSender) HandleCall(_ context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (c castSender) HandleCast(ctx context.Context, b burst, s int) (int, error) {
	for range b.n {
		if err := noex.Cast(ctx, c.to, 1); err != nil {
			return s, err
		}
	}
	b.done <- struct{}{}
	return s, nil
}

// noexSendersSide casts from k sender processes at once to one server.
func noexSendersSide(k int) maker {
	return func(env *env) (side, error) {
		ctx := env.ctx
		ref, err := noex.Start(ctx, adder{})
		if err != nil {
			return side{}, err
		}
		var senders []noex.Ref[noex.None, burst, noex.None]
		for range k {
			s, err := noex.Start(ctx, castSender{to: ref})
			if err != nil {
				return side{}, err
			}
			senders = append(senders, s)
		}
		done := make(chan struct{}, k)
		total := 0
		return side{run: func(n int) error {
			share := max(1, n/k)
			for _, s := range senders {
				if err := noex.Cast(ctx, s, burst{n: share, done: done}); err != nil {
					return err
				}
			}
			for range k {
				<-done
			}
			total += share * k
			got, err := noex.Call(ctx, ref, 0, noex.WithTimeout(time.Minute))
			if err != nil {
				return err
			}
			return countCheck("casts", got, total)
		}, close: func() {
			for _, s := range senders {
				_ = noex.Stop(ctx, s, nil)
			}
			_ = noex.Stop(ctx, ref, nil)
		}}, nil
	}
}

func noexBusSide(pattern string, subs int) maker {
	return func(env *env) (side, error) {
		ctx := env.ctx
		bus, err := noex.StartBus(ctx)
		if err != nil {
			return side{}, err
		}
		count := 0
		for range subs {
			if _, err := noex.Subscribe(ctx, bus, pattern, func(context.Context, any, string) { count++ }); err != nil {
				return side{}, err
			}
		}
		total := 0
		return side{run: func(n int) error {
			for i := range n {
				if err := noex.Publish(ctx, bus, "a.b", i); err != nil {
					return err
				}
			}
			// A call to the bus is handled after the publications queued
			// before it: a barrier that publishes nothing.
			if _, err := noex.SubscriptionCount(ctx, bus); err != nil {
				return err
			}
			total += n * subs
			return countCheck("deliveries", count, total)
		}, close: func() { _ = noex.Stop(ctx, bus, nil) }}, nil
	}
}

func noexLookupSide(env *env) (side, error) {
	ctx := env.ctx
	reg := noex.RuntimeOf(ctx).Registry()
	var refs []noex.Ref[int, int, int]
	for i := range registered {
		ref, err := noex.Start(ctx, adder{}, noex.WithName(svcName(i)))
		if err != nil {
			return side{}, err
		}
		refs = append(refs, ref)
	}
	return side{run: func(n int) error {
		for range n {
			pid, err := reg.Lookup("svc-042")
			if err != nil {
				return fmt.Errorf("lookup: %w", err)
			}
			sink += int(pid.ID())
		}
		return nil
	}, close: func() {
		for _, r := range refs {
			_ = noex.Stop(ctx, r, nil)
		}
	}}, nil
}
