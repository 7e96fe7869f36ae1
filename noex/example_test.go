package noex_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// Counter is the chapter's counter: casts write, calls read.
type Counter struct{}

type Get struct{}
type Increment struct{}

func (Counter) Init(ctx context.Context) (int, error) { return 0, nil }
func (Counter) HandleCall(ctx context.Context, _ Get, n int) (int, int, error) {
	return n, n, nil
}
func (Counter) HandleCast(ctx context.Context, _ Increment, n int) (int, error) {
	return n + 1, nil
}

func ExampleStart() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		counter, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if err != nil {
			return err
		}
		fmt.Println("started", counter.PID().Label())
		return nil
	})
	// Output: started counter
}

func ExampleCall() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		counter, _ := noex.Start(ctx, Counter{})
		value, err := noex.Call(ctx, counter, Get{})
		fmt.Println(value, err)
		return nil
	})
	// Output: 0 <nil>
}

func ExampleCast() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		counter, _ := noex.Start(ctx, Counter{})
		// Fast writes: fire and forget.
		noex.Cast(ctx, counter, Increment{})
		noex.Cast(ctx, counter, Increment{})
		noex.Cast(ctx, counter, Increment{})
		// The call comes after the casts from the same sender, so it sees all three.
		value, _ := noex.Call(ctx, counter, Get{})
		fmt.Println(value)
		return nil
	})
	// Output: 3
}

func ExampleStop() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		counter, _ := noex.Start(ctx, Counter{}, noex.WithName("temp-service"))
		fmt.Println(rt.Registry().IsRegistered("temp-service"))
		noex.Stop(ctx, counter, nil)
		fmt.Println(rt.Registry().IsRegistered("temp-service"))
		err := counter.Cast(ctx, Increment{})
		fmt.Println(errors.Is(err, noex.ErrNotRunning))
		return nil
	})
	// Output:
	// true
	// false
	// true
}

func ExampleRegistry_Lookup() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		reg := rt.Registry()
		noex.Start(ctx, Counter{}, noex.WithName("counter"))
		if _, err := reg.Lookup("user-service"); errors.Is(err, noex.ErrNotRegistered) {
			fmt.Println("user service not available:", err)
		}
		if pid, ok := reg.Whereis("counter"); ok {
			fmt.Println("counter is", pid)
		}
		// A typed name resolves at each use.
		counter := noex.Name[Get, Increment, int]("counter")
		counter.Cast(ctx, Increment{})
		n, _ := counter.Call(ctx, Get{})
		fmt.Println(n, reg.Names(), reg.Count())
		return nil
	})
	// Output:
	// user service not available: noex: lookup "user-service": name not registered
	// counter is p2
	// 1 [counter] 1
}

// A seeded run prints the same event log every time.
func ExampleWithSeed() {
	rt := noex.NewRuntime(noex.WithSeed(42))
	defer rt.Shutdown(context.Background())
	rt.Observe(func(e noex.Event) {
		switch e.Kind {
		case noex.MessageSent, noex.MessageReceived, noex.ReplySent:
			fmt.Println(e)
		}
	})
	rt.Run(context.Background(), func(ctx context.Context) error {
		counter, _ := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		counter.Cast(ctx, Increment{})
		counter.Call(ctx, Get{})
		return nil
	})
	// Output:
	// 3 00:00:00.000000 main sent cast to counter #2 Increment{}
	// 4 00:00:00.000000 main sent call to counter #3 Get{}
	// 5 00:00:00.000000 counter received cast from main #2 Increment{} <- 3
	// 7 00:00:00.000000 counter received call from main #3 Get{} <- 4
	// 8 00:00:00.000000 counter reply to main #3 1 <- 7
}
