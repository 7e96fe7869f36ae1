package otlp

import (
	"io"

	"github.com/noex-go/noex/trace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Option configures [Setup]. Options are sealed: only this package
// implements them. A nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	stdout   io.Writer
	exporter sdktrace.SpanExporter
	trace    []trace.Option
	conflict bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithStdout writes the spans to w as indented JSON (the stdouttrace
// exporter) instead of sending them over OTLP, each span as it ends. A nil
// w means os.Stdout. It cannot be combined with [WithExporter].
func WithStdout(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if c.exporter != nil {
			c.conflict = true
		}
		if w == nil {
			w = stdout()
		}
		c.stdout = w
	})
}

// WithExporter hands the spans to e instead of sending them over OTLP,
// each span as it ends (a synchronous span processor), for example to
// tracetest.NewInMemoryExporter() in tests; read an in-memory exporter's
// spans before calling the shutdown function, which shuts e down too. A nil
// e is ignored. It cannot be combined with [WithStdout].
func WithExporter(e sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) {
		if e == nil {
			return
		}
		if c.stdout != nil {
			c.conflict = true
		}
		c.exporter = e
	})
}

// WithTraceOptions passes opts to [trace.Attach], after the defaults of
// Setup, so that they override them: for example
// WithTraceOptions(trace.WithTimeOrigin(time.Time{})) keeps a deterministic
// run's virtual timestamps, and trace.WithRunID(0) its seed-only ids. A
// trace.WithTracerProvider among them is ignored: the spans go to Setup's
// provider.
func WithTraceOptions(opts ...trace.Option) Option {
	return optionFunc(func(c *config) { c.trace = append(c.trace, opts...) })
}
