package report_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/report"
)

// ExampleCausalSlice finds what led to a crash: a router's call brought
// the job that made the worker panic.
func ExampleCausalSlice() {
	var events []noex.Event
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithObserver(func(e noex.Event) { events = append(events, e) }))
	ctx := context.Background()
	_ = rt.Run(ctx, func(ctx context.Context) error {
		if _, err := noex.Start(ctx, worker{}, noex.WithName("worker")); err != nil {
			return err
		}
		r, err := noex.Start(ctx, router{}, noex.WithName("router"))
		if err != nil {
			return err
		}
		if _, err := noex.Call(ctx, r, job{"bad"}); !errors.Is(err, noex.ErrCrashed) {
			return err
		}
		return nil
	})
	_ = rt.Shutdown(ctx)

	failure, _ := report.FirstFailure(events)
	for _, e := range report.CausalSlice(events, failure.Seq) {
		fmt.Println(e)
	}
	// Output:
	// 5 00:00:00.000000 main sent call to router #3 job{Name:"bad"}
	// 6 00:00:00.000000 router received call from main #3 job{Name:"bad"} <- 5
	// 7 00:00:00.000000 router sent call to worker #5 job{Name:"bad"} <- 6
	// 8 00:00:00.000000 worker received call from router #5 job{Name:"bad"} <- 7
	// 9 00:00:00.000000 worker handled call #5 err="noex: worker crashed: worker bug" <- 8
}
