package noexrapid_test

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// listing: replay
// The schedule that rapid shrank the lost update to replays it with noex
// alone; the natural order ("") does not lose the update.
func Example_replay() {
	for _, schedule := range []string{"0:1,1:1,2:1", ""} {
		rt := noex.NewRuntime(noex.WithSeed(0), noex.WithSchedule(schedule))
		var got int
		err := rt.Run(context.Background(), func(ctx context.Context) (err error) {
			got, err = addTwice(ctx, 1, 1)
			return err
		})
		fmt.Printf("schedule %q: counter %d, %v\n", schedule, got, err)
		rt.Shutdown(context.Background())
	}
	// Output:
	// schedule "0:1,1:1,2:1": counter 1, <nil>
	// schedule "": counter 2, <nil>
}

// end listing
