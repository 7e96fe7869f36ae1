package step_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/step"
)

// greeter prints a greeting for every name it is cast.
type greeter struct{ out io.Writer }

func (g greeter) Init(context.Context) (int, error) { return 0, nil }
func (g greeter) HandleCall(_ context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (g greeter) HandleCast(_ context.Context, name string, n int) (int, error) {
	fmt.Fprintf(g.out, "hello, %s\n", name)
	return n + 1, nil
}

// greetings casts a name to each of two greeters: which greets first is
// the scheduler's choice, here the person's.
func greetings(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
	return rt.Run(ctx, func(ctx context.Context) error {
		for _, name := range []string{"en", "fr"} {
			g, err := noex.Start(ctx, greeter{out: out}, noex.WithName(name))
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, g, "Ada from "+name); err != nil {
				return err
			}
		}
		return nil
	})
}

// A scripted session: the answers are read as a person types them, and
// WithEcho writes them after the prompt, as a terminal would.
func Example() {
	answers := strings.NewReader("?\n1\nx\n1\nq\n")
	res, err := step.Run(context.Background(), greetings,
		step.WithInput(answers), step.WithOutput(os.Stdout), step.WithEcho(),
		step.WithName("greetings"))
	fmt.Println("schedule:", res.Schedule, "error:", err)
	// Output:
	// Step-through of greetings, seed 1: you are the scheduler.
	// Where two or more steps can run next, choose one by its number, or
	// n (the natural order: the oldest step; Enter too), r (random), u (undo),
	// d (diagram so far), c (natural order to the end), q (quit), ? (help).
	// Lines marked │ are the program's output.
	//
	// decision 0 at t=0s: 2 steps can run next
	//   0  main → en: cast "Ada from en"
	//   1  resume fr (new)
	// choose 0-1, or n r u d c q ?: ?
	//   0-1   take that step
	//   n     the natural order: the oldest step, 0 (an empty line too)
	//   r     a random step
	//   u     undo your last choice (the run is replayed from the start up to it)
	//   d     the lane diagram of the run so far
	//   c     continue in the natural order to the end of the run
	//   q     quit: print your choices so far and the command that replays them
	// choose 0-1, or n r u d c q ?: 1
	// → resume fr (new)
	//
	// decision 1 at t=0s: 2 steps can run next
	//   0  main → en: cast "Ada from en"
	//   1  resume main (start)
	// choose 0-1, or n r u d c q ?: x
	// "x" is not an answer: type a step's number (0-1), or n r u d c q (? explains them)
	// choose 0-1, or n r u d c q ?: 1
	// → resume main (start)
	//
	// decision 2 at t=0s: 2 steps can run next
	//   0  main → en: cast "Ada from en"
	//   1  main → fr: cast "Ada from fr"
	// choose 0-1, or n r u d c q ?: q
	//
	// Quit at decision 2. Your choices so far: schedule "0:1,1:1".
	// This replays them, then takes the natural order:
	//   noex.WithSeed(1), noex.WithSchedule("0:1,1:1")
	// schedule: 0:1,1:1 error: <nil>
}
