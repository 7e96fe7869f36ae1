package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/noex-go/noex/exercises/taskqueue"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// payloads are the chapter's five tasks.
var payloads = []string{"Process image 1", "Process image 2", "Process image 3", "Send email 1", "Send email 2"}

// demo enqueues the tasks, waits a second (virtual in deterministic mode)
// for the workers and prints what the monitor recorded.
func demo(ctx context.Context, out io.Writer) error {
	sys, err := taskqueue.Start(ctx)
	if err != nil {
		return err
	}
	for _, p := range payloads {
		id, err := sys.Enqueue(ctx, p)
		if err != nil {
			return errors.Join(err, sys.Shutdown(ctx))
		}
		fmt.Fprintf(out, "enqueued %s: %s\n", id, p)
	}
	if err := noex.Sleep(ctx, time.Second); err != nil { // the chapter's "wait for processing"
		return errors.Join(err, sys.Shutdown(ctx))
	}
	done, err := sys.Completions(ctx)
	for _, c := range done {
		fmt.Fprintf(out, "completed %s by %s\n", c.TaskID, c.Worker)
	}
	return errors.Join(err, sys.Shutdown(ctx))
}
