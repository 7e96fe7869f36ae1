package otlp

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// maxErrs bounds the export errors kept: a dead endpoint fails every batch
// with the same few errors.
const maxErrs = 8

// watch wraps the exporter to count what it was given and what failed;
// Shutdown of the provider does not report export errors.
type watch struct {
	sdktrace.SpanExporter
	stretch  bool        // give spans without duration one nanosecond
	closed   atomic.Bool // the shutdown function returned: export nothing more
	mu       sync.Mutex
	exported int
	failed   int
	errs     []error
	seen     map[string]bool
}

func (w *watch) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if w.closed.Load() {
		return errClosed // counted as dropped: after the report, nothing leaves
	}
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
	// Counted and kept for the shutdown function's report: returned to
	// the span processor, it would also go to otel.Handle, which logs it,
	// and the failure would be printed twice.
	return nil
}

var errClosed = errors.New("otlp: shutdown returned before these spans were exported")

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
