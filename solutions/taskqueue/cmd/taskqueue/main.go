// Command taskqueue runs the chapter's task-queue demo on the reference
// solution: it enqueues five tasks, lets the workers run for a second and
// prints what the monitor recorded.
//
//	go run ./solutions/taskqueue/cmd/taskqueue            # real mode
//	go run ./solutions/taskqueue/cmd/taskqueue -seed 7    # deterministic mode, seed 7
//	go run ./solutions/taskqueue/cmd/taskqueue -seed 7 -events
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/solutions/taskqueue"
)

func main() {
	seed := flag.Uint64("seed", 0, "run in deterministic mode with this `seed` (0: real mode)")
	events := flag.Bool("events", false, "print the runtime's event log after the run")
	flag.Parse()
	if err := run(os.Stdout, *seed, *events); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// payloads are the chapter's five tasks.
var payloads = []string{"Process image 1", "Process image 2", "Process image 3", "Send email 1", "Send email 2"}

// run runs the demo, printing to out; seed 0 means real mode.
func run(out io.Writer, seed uint64, events bool) error {
	var opts []noex.Option
	if seed != 0 {
		opts = append(opts, noex.WithSeed(seed))
	}
	var log []noex.Event
	if events {
		opts = append(opts, noex.WithObserver(func(e noex.Event) { log = append(log, e) }))
	}
	rt := noex.NewRuntime(opts...)
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		sys, err := taskqueue.Start(ctx)
		if err != nil {
			return err
		}
		defer sys.Shutdown(ctx)
		for _, p := range payloads {
			id, err := sys.Enqueue(ctx, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "enqueued %s: %s\n", id, p)
		}
		if err := noex.Sleep(ctx, time.Second); err != nil { // the chapter's "wait for processing"
			return err
		}
		done, err := sys.Completions(ctx)
		if err != nil {
			return err
		}
		for _, c := range done {
			fmt.Fprintf(out, "completed %s by %s\n", c.TaskID, c.Worker)
		}
		return sys.Shutdown(ctx)
	})
	err = errors.Join(err, rt.Shutdown(ctx))
	for _, e := range log {
		fmt.Fprintln(out, e)
	}
	return err
}
