package noex_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// CalcCall is the calculator's call type: a sum type, implemented by Add
// and Multiply.
type CalcCall interface{ isCalcCall() }

type Add struct{ A, B int }
type Multiply struct{ A, B int }

func (Add) isCalcCall()      {}
func (Multiply) isCalcCall() {}

// Calculator answers arithmetic calls; its state counts them.
type Calculator struct{}

func (Calculator) Init(ctx context.Context) (int, error) { return 0, nil }
func (Calculator) HandleCall(ctx context.Context, msg CalcCall, n int) (int, int, error) {
	switch m := msg.(type) {
	case Add:
		return m.A + m.B, n + 1, nil
	case Multiply:
		return m.A * m.B, n + 1, nil
	}
	return 0, n, errors.New("unknown operation")
}
func (Calculator) HandleCast(ctx context.Context, _ noex.None, n int) (int, error) { return n, nil }

// A runtime in deterministic mode, a server, and a call whose message is
// one case of the server's call type. (The package documentation quotes
// this example.)
func Example() {
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(1))
	err := rt.Run(ctx, func(ctx context.Context) error {
		calc, err := noex.Start(ctx, Calculator{})
		if err != nil {
			return err
		}
		sum, err := calc.Call(ctx, Add{A: 5, B: 3})
		if err != nil {
			return err
		}
		fmt.Println("5 + 3 =", sum)
		return nil
	})
	rt.Shutdown(ctx)
	fmt.Println("error:", err)
	// Output:
	// 5 + 3 = 8
	// error: <nil>
}

// The methods of a Ref take the server's own message types: Add and
// Multiply are accepted as the CalcCall they implement.
func ExampleRef_Call() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		calc, err := noex.Start(ctx, Calculator{})  // a Ref[CalcCall, None, int]
		sum, err := calc.Call(ctx, Add{A: 5, B: 3}) // Add implements CalcCall
		fmt.Println(sum, err)
		product, err := calc.Call(ctx, Multiply{A: 4, B: 7})
		fmt.Println(product, err)
		return nil
	})
	// Output:
	// 8 <nil>
	// 28 <nil>
}

func ExampleRef_Cast() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		counter, _ := noex.Start(ctx, Counter{})
		counter.Cast(ctx, Increment{}) // returns at once
		counter.Cast(ctx, Increment{})
		n, _ := counter.Call(ctx, Get{}) // handled after both casts
		fmt.Println(n)
		return nil
	})
	// Output: 2
}

// A typed name resolves in the registry at each use: a server restarted
// under the same name is found again.
func ExampleName() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Run(context.Background(), func(ctx context.Context) error {
		noex.Start(ctx, Counter{}, noex.WithName("counter"))
		var counter = noex.Name[Get, Increment, int]("counter")
		err := counter.Cast(ctx, Increment{})
		n, err := counter.Call(ctx, Get{})
		fmt.Println(n, err)
		_, err = noex.Name[Get, Increment, int]("gone").Call(ctx, Get{})
		fmt.Println(errors.Is(err, noex.ErrNotRegistered))
		return nil
	})
	// Output:
	// 1 <nil>
	// true
}
