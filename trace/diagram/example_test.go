package diagram_test

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// greeter answers a name with a greeting.
type greeter struct{}

func (greeter) Init(context.Context) (int, error) { return 0, nil }
func (greeter) HandleCall(_ context.Context, name string, n int) (string, int, error) {
	return "hello, " + name, n + 1, nil
}
func (greeter) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// events runs a greeting in a deterministic runtime and returns its events.
func events() []noex.Event {
	var evs []noex.Event
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithObserver(func(e noex.Event) { evs = append(evs, e) }))
	ctx := context.Background()
	_ = rt.Run(ctx, func(ctx context.Context) error {
		g, err := noex.Start(ctx, greeter{}, noex.WithName("greeter"))
		if err != nil {
			return err
		}
		_, err = g.Call(ctx, "Ada")
		return err
	})
	_ = rt.Shutdown(ctx)
	return evs
}

func ExampleText() {
	fmt.Print(diagram.Text(events()))
	// Output:
	// processes: main, greeter
	//   main ──start──▶ greeter
	//   main ──call "Ada"──▶ greeter
	//   greeter ┄┄reply "hello, Ada"┄┄▶ main
	//   main ──stop: shutdown──▶ greeter
	//   greeter: ■ stopped: shutdown
}

func ExampleMermaid() {
	fmt.Print(diagram.Mermaid(events()))
	// Output:
	// sequenceDiagram
	//     participant P1 as main
	//     participant P2 as greeter
	//     P1->>P2: start
	//     P1->>P2: call "Ada"
	//     P2-->>P1: reply "hello, Ada"
	//     P1->>P2: stop: shutdown
	//     Note over P2: ■ stopped: shutdown
}

func ExampleLanes() {
	fmt.Print(diagram.Lanes(events(), diagram.WithWidth(60)))
	// Output:
	// main                         greeter
	//   │──start────────────────────▶│
	//   │──call "Ada"───────────────▶│
	//   │◀┄reply "hello, Ada"┄┄┄┄┄┄┄┄│
	//   │──stop: shutdown───────────▶│
	//   │                            ■ stopped: shutdown
}
