// Logger: cast() is fire-and-forget. The caller queues log entries without
// waiting; a later call reads them back, and a flush empties the buffer.
//
//	go run ./chapters/02-ipc/logger
package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// listing: logger-behavior
// Entry is one log line.
type Entry struct {
	Level     string
	Message   string
	Timestamp time.Time
}

// LoggerCast is a message the logger takes without replying: Log or Flush.
type LoggerCast interface{ isLoggerCast() }

type Log struct{ Level, Message string }
type Flush struct{}

func (Log) isLoggerCast()   {}
func (Flush) isLoggerCast() {}

// GetLogs asks for the buffered entries.
type GetLogs struct{}

// Logger buffers entries until it is flushed; Flush writes to out.
type Logger struct{ out io.Writer }

func (l Logger) Init(ctx context.Context) ([]Entry, error) { return nil, nil }

func (l Logger) HandleCall(ctx context.Context, _ GetLogs, logs []Entry) ([]Entry, []Entry, error) {
	return logs, logs, nil
}

func (l Logger) HandleCast(ctx context.Context, msg LoggerCast, logs []Entry) ([]Entry, error) {
	switch m := msg.(type) {
	case Log:
		// noex.Now is the runtime's clock: virtual in deterministic mode.
		e := Entry{Level: m.Level, Message: m.Message, Timestamp: noex.Now(ctx)}
		return append(logs[:len(logs):len(logs)], e), nil
	case Flush:
		// Write logs to a file, send them to a server, etc.
		fmt.Fprintln(l.out, "Flushing", len(logs), "logs")
		return nil, nil
	}
	return logs, fmt.Errorf("logger: unknown cast %T", msg)
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: logger-usage
	logger, err := noex.Start(ctx, Logger{out: out})
	if err != nil {
		return err
	}

	// Cast returns at once; it fails only if the logger is not running.
	if err := logger.Cast(ctx, Log{Level: "info", Message: "Server started"}); err != nil {
		return err
	}
	if err := logger.Cast(ctx, Log{Level: "warn", Message: "High memory usage"}); err != nil {
		return err
	}

	// The casts are queued and handled in order, before this call, which
	// comes from the same sender.
	logs, err := logger.Call(ctx, GetLogs{})
	if err != nil {
		return err
	}
	for _, e := range logs {
		fmt.Fprintf(out, "%s [%s] %s\n", e.Timestamp.Format(time.TimeOnly), e.Level, e.Message)
	}

	if err := logger.Cast(ctx, Flush{}); err != nil {
		return err
	}
	logs, err = logger.Call(ctx, GetLogs{})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "after flush:", len(logs), "logs")
	// end listing
	return nil
}
