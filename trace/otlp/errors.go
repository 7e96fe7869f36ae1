package otlp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ErrExport is wrapped by the error of the shutdown function [Setup]
// returns when spans were not exported; see [ExportError].
var ErrExport = errors.New("otlp: spans not exported")

// ErrSetup is wrapped by the errors of [Setup] itself: a nil runtime,
// options that exclude each other, an exporter that cannot be built.
var ErrSetup = errors.New("otlp: setup failed")

// ExportError reports the spans of a run that did not reach the exporter's
// destination: Failed spans were in batches the exporter returned an error
// for (connection refused, an HTTP error status, a partial success), and
// Dropped spans never reached the exporter (the batch queue was full, or
// the shutdown's context ended first). Errs are the distinct export errors,
// in the order they first occurred. It wraps [ErrExport] and each of Errs.
type ExportError struct {
	Ended   int // spans that ended
	Failed  int
	Dropped int
	Errs    []error
}

func (e *ExportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "otlp: %d of %d spans not exported", e.Failed+e.Dropped, e.Ended)
	if e.Failed > 0 && e.Dropped > 0 {
		fmt.Fprintf(&b, " (%d failed, %d dropped)", e.Failed, e.Dropped)
	} else if e.Dropped > 0 {
		b.WriteString(" (dropped before export)")
	}
	for i, err := range e.Errs {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns [ErrExport] and the export errors.
func (e *ExportError) Unwrap() []error { return append([]error{ErrExport}, e.Errs...) }

// maxErrs bounds the export errors kept: a dead endpoint fails every batch
// with the same few errors.
const maxErrs = 8

// watch wraps the exporter to count what it was given and what failed;
// Shutdown of the provider does not report export errors.
type watch struct {
	sdktrace.SpanExporter
	stretch  bool // give spans without duration one nanosecond
	mu       sync.Mutex
	exported int
	failed   int
	errs     []error
	seen     map[string]bool
}

func (w *watch) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if w.stretch {
		spans = stretchInstants(spans)
	}
	err := w.SpanExporter.ExportSpans(ctx, spans)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		w.exported += len(spans)
		return nil
	}
	w.failed += len(spans)
	if msg := err.Error(); !w.seen[msg] && len(w.errs) < maxErrs {
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		w.seen[msg] = true
		w.errs = append(w.errs, err)
	}
	return err
}

// result returns the export failures given how many spans ended, or nil.
func (w *watch) result(ended int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	dropped := max(ended-w.exported-w.failed, 0)
	if w.failed == 0 && dropped == 0 {
		return nil
	}
	return &ExportError{Ended: ended, Failed: w.failed, Dropped: dropped, Errs: append([]error(nil), w.errs...)}
}

// stretchInstants returns spans with every span whose end is not after its
// start (an instant of virtual time) ending one nanosecond after it starts:
// Jaeger rejects zero durations with a warning on each span.
func stretchInstants(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for i, s := range spans {
		if s.StartTime().Before(s.EndTime()) {
			if out != nil {
				out = append(out, s)
			}
			continue
		}
		if out == nil {
			out = append(make([]sdktrace.ReadOnlySpan, 0, len(spans)), spans[:i]...)
		}
		out = append(out, instant{s})
	}
	if out == nil {
		return spans
	}
	return out
}

// instant is a span of no duration, given one nanosecond.
type instant struct{ sdktrace.ReadOnlySpan }

func (s instant) EndTime() time.Time { return s.StartTime().Add(time.Nanosecond) }

// counter is a span processor that counts ended spans.
type counter struct{ ended atomic.Int64 }

func (c *counter) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c *counter) OnEnd(sdktrace.ReadOnlySpan)                     { c.ended.Add(1) }
func (c *counter) Shutdown(context.Context) error                  { return nil }
func (c *counter) ForceFlush(context.Context) error                { return nil }

var (
	_ sdktrace.SpanExporter  = (*watch)(nil)
	_ sdktrace.SpanProcessor = (*counter)(nil)
)
