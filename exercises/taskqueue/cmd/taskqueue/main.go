// Command taskqueue runs the chapter's task-queue demo on your solution of
// the exercise: it enqueues five tasks, lets the workers run for a second
// and prints what the monitor recorded. Until Enqueue is implemented it
// stops with "taskqueue: not implemented".
//
//	go run ./exercises/taskqueue/cmd/taskqueue            # real mode
//	go run ./exercises/taskqueue/cmd/taskqueue -seed 7    # deterministic mode, seed 7
//	go run ./exercises/taskqueue/cmd/taskqueue -seed 7 -events
//
// With -otlp the run is exported as OpenTelemetry spans over OTLP/HTTP, as
// the OTEL_* environment variables say (see docs/jaeger.md):
//
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 go run ./exercises/taskqueue/cmd/taskqueue -seed 7 -otlp
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/noex-go/noex/exercises/taskqueue"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/otlp"
)

func main() {
	var cfg config
	flag.Uint64Var(&cfg.seed, "seed", 0, "run in deterministic mode with this `seed` (0: real mode)")
	flag.BoolVar(&cfg.events, "events", false, "print the runtime's event log after the run")
	flag.BoolVar(&cfg.otlp, "otlp", false, "export the run over OTLP/HTTP (OTEL_* environment variables)")
	flag.Parse()
	if err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// config is the demo's command line.
type config struct {
	seed     uint64 // 0: real mode
	events   bool
	otlp     bool
	otlpOpts []otlp.Option // for tests: where the spans go instead of OTLP/HTTP
}

// payloads are the chapter's five tasks.
var payloads = []string{"Process image 1", "Process image 2", "Process image 3", "Send email 1", "Send email 2"}

// run runs the demo, printing to out.
func run(out io.Writer, cfg config) (err error) {
	var opts []noex.Option
	if cfg.seed != 0 {
		opts = append(opts, noex.WithSeed(cfg.seed))
	}
	var (
		mu  sync.Mutex
		log []noex.Event
	)
	if cfg.events {
		opts = append(opts, noex.WithObserver(func(e noex.Event) {
			mu.Lock()
			log = append(log, e)
			mu.Unlock()
		}))
	}
	rt := noex.NewRuntime(opts...)
	ctx := context.Background()
	if cfg.otlp {
		shutdown, err := otlp.Setup(ctx, rt, cfg.otlpOpts...)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, shutdown(context.Background())) }()
	}
	err = rt.Run(ctx, func(ctx context.Context) error {
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
	})
	err = errors.Join(err, rt.Shutdown(ctx))
	mu.Lock()
	defer mu.Unlock()
	for _, e := range log {
		fmt.Fprintln(out, e)
	}
	return err
}
