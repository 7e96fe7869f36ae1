// Command taskqueue runs the chapter's task-queue demo on the reference
// solution: it enqueues five tasks, lets the workers run for a second and
// prints what the monitor recorded. It takes the flags of every example of
// the course (deterministic mode with seed 1 by default):
//
//	go run ./solutions/taskqueue/cmd/taskqueue                 # seed 1
//	go run ./solutions/taskqueue/cmd/taskqueue -seed 7 -events # another seed, with the event log
//	go run ./solutions/taskqueue/cmd/taskqueue -real           # real mode
//	go run ./solutions/taskqueue/cmd/taskqueue -diagram        # with a lane diagram
//	go run ./solutions/taskqueue/cmd/taskqueue -html run.html  # a page to step through the run
//	go run ./solutions/taskqueue/cmd/taskqueue -step           # you choose the order of its steps
//	go run ./solutions/taskqueue/cmd/taskqueue -explore=100000 # every distinct schedule, once each
//
// With -otlp (in a build with the otlp tag, which links the OpenTelemetry
// SDK) the run is exported over OTLP/HTTP, configured by the standard
// OTEL_* variables, for example to a local Jaeger:
//
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 go run -tags otlp ./solutions/taskqueue/cmd/taskqueue -seed 7 -otlp
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/solutions/taskqueue"
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
