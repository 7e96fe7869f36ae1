package noex_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

// Ticker sends itself a tick every second of (virtual) time.
type Ticker struct{}

func (Ticker) Init(ctx context.Context) (int, error) {
	_, err := noex.SendAfter(ctx, noex.Self(ctx), "tick", time.Second)
	return 0, err
}
func (Ticker) HandleCall(ctx context.Context, _ Get, n int) (int, int, error)  { return n, n, nil }
func (Ticker) HandleCast(ctx context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (Ticker) HandleInfo(ctx context.Context, msg any, n int) (int, error) {
	fmt.Printf("%s tick %d\n", noex.Now(ctx).Format("15:04:05"), n+1)
	_, err := noex.SendAfter(ctx, noex.Self(ctx), "tick", time.Second)
	return n + 1, err
}

// Virtual time starts at 2000-01-01 and jumps to the next timer whenever
// nothing else can run: a minute of ticks takes microseconds.
func Example_virtualTime() {
	// listing: virtual-time
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		ticker, err := noex.Start(ctx, Ticker{})
		if err != nil {
			return err
		}
		noex.Sleep(ctx, 3*time.Second) // the clock jumps from timer to timer
		n, _ := ticker.Call(ctx, Get{})
		fmt.Println("ticks:", n, "at", rt.Now().Format(time.DateTime))
		return nil
	})
	// end listing

	// Output:
	// 00:00:01 tick 1
	// 00:00:02 tick 2
	// 00:00:03 tick 3
	// ticks: 3 at 2000-01-01 00:00:03
}

// Sleeper handles each cast by sleeping on the runtime's clock, then
// counting it.
type Sleeper struct{}

func (Sleeper) Init(ctx context.Context) (int, error)                          { return 0, nil }
func (Sleeper) HandleCall(ctx context.Context, _ Get, n int) (int, int, error) { return n, n, nil }
func (Sleeper) HandleCast(ctx context.Context, d time.Duration, n int) (int, error) {
	return n + 1, noex.Sleep(ctx, d)
}

// Run returns once no message is queued or being handled: a handler
// sleeping in the middle of a message keeps it going (in deterministic mode
// the virtual clock moves on for it), while a timer on its own does not.
func Example_quiescence() {
	// listing: quiescence
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	var s noex.Ref[Get, time.Duration, int]
	rt.Run(context.Background(), func(ctx context.Context) error {
		s, _ = noex.Start(ctx, Sleeper{})
		s.Cast(ctx, time.Second)                   // handled in a 1 s sleep
		noex.SendAfter(ctx, s, "later", time.Hour) // a timer alone: not waited for
		return nil
	})
	fmt.Println("Run returned at", rt.Now().Format(time.TimeOnly), "with", rt.PendingTimers(), "timer pending")
	rt.Run(context.Background(), func(ctx context.Context) error {
		n, _ := s.Call(ctx, Get{})
		fmt.Println("casts handled:", n)
		return nil
	})
	// end listing

	// Output:
	// Run returned at 00:00:01 with 1 timer pending
	// casts handled: 1
}

// Two clients increment a shared counter by "get, then set": a lost
// update. Which interleaving happens depends on the seed, and each seed
// always gives the same one.
type Register struct{}

type Set struct{ N int }

func (Register) Init(ctx context.Context) (int, error)                          { return 0, nil }
func (Register) HandleCall(ctx context.Context, _ Get, n int) (int, int, error) { return n, n, nil }
func (Register) HandleCast(ctx context.Context, s Set, n int) (int, error)      { return s.N, nil }

type Client struct{ reg noex.Ref[Get, Set, int] }

func (c Client) Init(ctx context.Context) (int, error) {
	return 0, noex.Send(ctx, noex.Self(ctx), "go")
}
func (c Client) HandleCall(ctx context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (c Client) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) { return s, nil }

// listing: lost-update-client
func (c Client) HandleInfo(ctx context.Context, _ any, s int) (int, error) {
	n, err := c.reg.Call(ctx, Get{}) // read...
	if err != nil {
		return s, err
	}
	return s, c.reg.Cast(ctx, Set{N: n + 1}) // ...then write: not atomic
}

// end listing

// lostUpdate runs the race under one seed and returns the final count.
func lostUpdate(seed uint64) (final int, schedule string) {
	// listing: lost-update
	rt := noex.NewRuntime(noex.WithSeed(seed))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		reg, _ := noex.Start(ctx, Register{})
		noex.Start(ctx, Client{reg: reg})
		noex.Start(ctx, Client{reg: reg})
		noex.Sleep(ctx, time.Second) // let both clients finish
		final, _ = reg.Call(ctx, Get{})
		return nil
	})
	return final, rt.Schedule()
	// end listing
}

// Different seeds explore different interleavings; one seed always replays
// the same one.
func Example_seeds() {
	counts := map[int]int{}
	for seed := uint64(1); seed <= 20; seed++ {
		final, _ := lostUpdate(seed)
		counts[final]++
	}
	fmt.Println("final count 2 (both updates kept):", counts[2] > 0)
	fmt.Println("final count 1 (an update lost):", counts[1] > 0)
	a, _ := lostUpdate(7)
	b, _ := lostUpdate(7)
	fmt.Println("seed 7 twice:", a == b)
	// Output:
	// final count 2 (both updates kept): true
	// final count 1 (an update lost): true
	// seed 7 twice: true
}

// A run that blocks outside the runtime fails with the process's name and
// stack instead of hanging.
func Example_escape() {
	// listing: escape
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithWatchdog(50*time.Millisecond))
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		time.Sleep(200 * time.Millisecond) // wrong in deterministic mode: use noex.Sleep
		return nil
	})
	var escape *noex.EscapeError
	fmt.Println(errors.As(err, &escape), escape.Process)
	// end listing

	// Output: true main
}
