package noex_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

// exCounter is a small named service for the supervision examples.
type exCounter struct{}

type exGet struct{}
type exAdd struct{ N int }

func (exCounter) Init(ctx context.Context) (int, error) { return 0, nil }
func (exCounter) HandleCall(ctx context.Context, _ exGet, n int) (int, int, error) {
	return n, n, nil
}
func (exCounter) HandleCast(ctx context.Context, m exAdd, n int) (int, error) { return n + m.N, nil }

var exCounterName = noex.Name[exGet, exAdd, int]("counter")

// A supervisor restarts its named child after a crash; the name then points
// to the new process, which starts from a fresh state.
func ExampleStartSupervisor() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	rt.Observe(func(e noex.Event) {
		if e.Kind == noex.ChildRestarted {
			fmt.Printf("%s restarted %q as %v (it ended with %s)\n", e.Label, e.Name, e.Peer, noex.ReasonString(e.Reason))
		}
	})
	ctx := context.Background()
	rt.Run(ctx, func(ctx context.Context) error {
		_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
			Strategy: noex.OneForOne,
			Children: []noex.ChildSpec{noex.ServerChild("counter", exCounter{}, noex.WithName("counter"))},
		}, noex.WithName("app"))
		if err != nil {
			return err
		}
		exCounterName.Cast(ctx, exAdd{N: 5})
		n, _ := exCounterName.Call(ctx, exGet{})
		before, _ := rt.Registry().Lookup("counter")
		fmt.Println("counter is", before, "holding", n)
		return noex.Kill(ctx, before, errors.New("disk on fire"))
	})
	rt.Run(ctx, func(ctx context.Context) error {
		after, _ := rt.Registry().Lookup("counter")
		n, _ := exCounterName.Call(ctx, exGet{})
		fmt.Println("counter is", after, "holding", n)
		kids, _ := noex.Children(ctx, noex.SupervisorName("app"))
		fmt.Printf("%s: running=%v restarts=%d\n", kids[0].ID, kids[0].Running, kids[0].Restarts)
		return nil
	})
	// Output:
	// counter is p4 holding 5
	// app restarted "counter" as p5 (it ended with "disk on fire")
	// counter is p5 holding 0
	// counter: running=true restarts=1
}

// Restart intensity runs on the runtime's clock: in deterministic mode the
// clock is virtual, so crashes seconds apart take no wall time. Under the
// default intensity (3 restarts within 5s), crashes 2s apart go on for
// ever; a burst of three is still fine; a fourth within 5s ends the
// supervisor with a *MaxRestartsError.
func ExampleSupervisorSpec() {
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	ctx := context.Background()
	var sup noex.Supervisor
	rt.Run(ctx, func(ctx context.Context) error {
		var err error
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
			Children: []noex.ChildSpec{noex.ServerChild("counter", exCounter{}, noex.WithName("counter"))},
		}, noex.WithName("app"))
		return err
	})
	crash := func(after time.Duration) {
		rt.Run(ctx, func(ctx context.Context) error {
			noex.Sleep(ctx, after)
			pid, err := rt.Registry().Lookup("counter")
			if err != nil {
				return err
			}
			return noex.Kill(ctx, pid, errors.New("crash"))
		})
	}
	for range 10 {
		crash(2 * time.Second)
	}
	fmt.Println(rt.Now().Format("15:04:05"), "10 crashes 2s apart: alive", rt.IsAlive(sup.PID()))
	crash(5 * time.Second)
	crash(0)
	crash(0)
	fmt.Println(rt.Now().Format("15:04:05"), "3 crashes at once:   alive", rt.IsAlive(sup.PID()))
	crash(0)
	fmt.Println(rt.Now().Format("15:04:05"), "a 4th one:           alive", rt.IsAlive(sup.PID()))
	reason, _ := rt.ExitReason(sup.PID())
	fmt.Println(reason)
	fmt.Println(errors.Is(reason, noex.ErrMaxRestarts))
	// Output:
	// 00:00:20 10 crashes 2s apart: alive true
	// 00:00:25 3 crashes at once:   alive true
	// 00:00:25 a 4th one:           alive false
	// noex: supervisor app exceeded its restart intensity (3 restarts within 5s): child "counter" ended: crash
	// true
}
