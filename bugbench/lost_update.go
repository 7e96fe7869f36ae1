package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// The chapter's counter takes casts to change it and a call to read it.
// Two clients that increment it by reading it (a call) and then writing
// the value plus one (a cast) can both read 0 and both write 1.

type counterGet struct{}

// counterCast is the counter's cast: set it to N, or add one to it.
type counterCast struct {
	Set bool
	N   int
}

type counter struct{}

func (counter) Init(context.Context) (int, error) { return 0, nil }

func (counter) HandleCall(_ context.Context, _ counterGet, n int) (int, int, error) { return n, n, nil }

func (counter) HandleCast(_ context.Context, c counterCast, n int) (int, error) {
	if c.Set {
		return c.N, nil
	}
	return n + 1, nil
}

func lostUpdate() Kernel {
	return Kernel{
		Name:   "lost-update",
		Title:  "two clients increment a counter by get-then-set",
		Source: `the chapter, "Combining call() and cast()": the counter`,
		Depth:  2,
		Why: "both reads come before either write: client-1's Get is handled before client-2's Set, " +
			"and client-2's Get before client-1's Set",
		Buggy: lostUpdateProgram(func(ctx context.Context, c noex.Ref[counterGet, counterCast, int]) error {
			n, err := noex.Call(ctx, c, counterGet{})
			if err != nil {
				return err
			}
			return noex.Cast(ctx, c, counterCast{Set: true, N: n + 1})
		}),
		Fixed: lostUpdateProgram(func(ctx context.Context, c noex.Ref[counterGet, counterCast, int]) error {
			return noex.Cast(ctx, c, counterCast{}) // the counter adds one itself
		}),
	}
}

func lostUpdateProgram(increment func(context.Context, noex.Ref[counterGet, counterCast, int]) error) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var c noex.Ref[counterGet, counterCast, int]
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			var err error
			if c, err = noex.Start(ctx, counter{}, noex.WithName("counter")); err != nil {
				return err
			}
			inc := func(ctx context.Context) error { return increment(ctx, c) }
			a, err := startActor(ctx, "client-1", act(inc))
			if err != nil {
				return err
			}
			b, err := startActor(ctx, "client-2", act(inc))
			if err != nil {
				return err
			}
			return kickAll(ctx, a, b)
		}, func(ctx context.Context) error {
			n, err := noex.Call(ctx, c, counterGet{})
			if err != nil {
				return err
			}
			if n != 2 {
				return violation("counter is %d after two increments", n)
			}
			return nil
		})
	}
}
