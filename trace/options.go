package trace

import (
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"
)

// Option configures [Attach]. Options are sealed: only this package
// implements them. A nil Option is ignored; when an option is given twice,
// the last one wins.
type Option interface{ apply(*config) }

type config struct {
	tp        oteltrace.TracerProvider
	origin    time.Time
	runID     uint64
	hasRunID  bool
	noMessage bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithTracerProvider makes [Attach] start its spans with a tracer from tp.
// A nil tp (the default) means otel.GetTracerProvider() at the time of
// Attach.
func WithTracerProvider(tp oteltrace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithTimeOrigin places a deterministic run's virtual time at t for export:
// the virtual instant [noex.Epoch] (2000-01-01T00:00:00Z) is stamped as t
// and later instants keep their distance from it, plus 1µs per event (the
// event's Seq), so that the many events of one virtual instant keep their
// order on a backend's timeline and spans nest as backends expect; a span
// that takes no virtual time lasts 1ns. A run of n events thus stretches by
// n µs. Use it for export (for example WithTimeOrigin(time.Now()) just
// before the run), so that a trace backend whose search looks at recent
// traces (Jaeger: the last 48 hours by default) finds the run. The zero t
// (the default) keeps the virtual timestamps exactly, which golden tests
// want. In real mode spans carry the wall clock and the option has no
// effect.
func WithTimeOrigin(t time.Time) Option {
	return optionFunc(func(c *config) { c.origin = t })
}

// WithRunID mixes id into the trace and span ids of a deterministic run
// (they are derived from the seed, the run id and the Seq of the event that
// started the span) and records it as the attribute noex.run.id (16 hex
// digits). By default Attach picks a random run id, so two runs of the same
// seed exported to one backend give distinct traces instead of merging into
// one. WithRunID(0) derives the ids from the seed alone: the same seed then
// yields the same ids in every process, which golden tests compare. Ids take
// effect only with a TracerProvider that uses [NewIDGenerator]. In real mode
// the option has no effect.
func WithRunID(id uint64) Option {
	return optionFunc(func(c *config) { c.runID, c.hasRunID = id, true })
}

// WithoutMessages leaves the message values out of the spans: by default
// each message span carries the attribute noex.message (and a call's client
// span noex.reply) rendered with [noex.FormatMessage]. Leave them out when
// messages hold data that must not leave the process, or to save the cost
// of formatting.
func WithoutMessages() Option {
	return optionFunc(func(c *config) { c.noMessage = true })
}
