package trace

import (
	"context"
	"encoding/binary"
	"math/rand/v2"

	oteltrace "go.opentelemetry.io/otel/trace"
)

// IDGenerator gives spans the ids [Attach] chose for them. It implements
// the OpenTelemetry SDK's IDGenerator interface
// (go.opentelemetry.io/otel/sdk/trace.IDGenerator), without this package
// importing the SDK; install it with sdktrace.WithIDGenerator:
//
//	tp := sdktrace.NewTracerProvider(..., sdktrace.WithIDGenerator(trace.NewIDGenerator()))
//
// For a span that Attach starts for a deterministic runtime, the ids are a
// pure function of the seed, the run id (see [WithRunID]) and the event
// that started the span, so the same seed gives the same ids in any
// process, whatever else the program traced before. Every other span gets
// random ids, as with the SDK's default generator. Its methods are safe for
// concurrent use.
type IDGenerator struct{}

// NewIDGenerator returns an [IDGenerator].
func NewIDGenerator() *IDGenerator { return &IDGenerator{} }

// spanIDs is what Attach puts into the context of a span it starts in
// deterministic mode; the generator hands it to the SDK.
type spanIDs struct {
	trace oteltrace.TraceID
	span  oteltrace.SpanID
}

type idKey struct{}

// NewIDs returns the trace and span id of a new root span.
func (*IDGenerator) NewIDs(ctx context.Context) (oteltrace.TraceID, oteltrace.SpanID) {
	if ids, ok := ctx.Value(idKey{}).(spanIDs); ok {
		return ids.trace, ids.span
	}
	var tid oteltrace.TraceID
	for !tid.IsValid() {
		binary.BigEndian.PutUint64(tid[:8], rand.Uint64())
		binary.BigEndian.PutUint64(tid[8:], rand.Uint64())
	}
	return tid, randomSpanID()
}

// NewSpanID returns the span id of a new span in the trace traceID.
func (*IDGenerator) NewSpanID(ctx context.Context, _ oteltrace.TraceID) oteltrace.SpanID {
	if ids, ok := ctx.Value(idKey{}).(spanIDs); ok {
		return ids.span
	}
	return randomSpanID()
}

func randomSpanID() oteltrace.SpanID {
	var sid oteltrace.SpanID
	for !sid.IsValid() {
		binary.BigEndian.PutUint64(sid[:], rand.Uint64())
	}
	return sid
}

// deriveIDs returns the ids of the span that the event seq starts (salt
// tells apart several spans started by one event), for a run of seed with
// run id run: splitmix64 steps over the inputs, so that nearby inputs give
// unrelated ids.
func deriveIDs(seed, run, seq, salt uint64) spanIDs {
	h := mix64(mix64(mix64(mix64(seed)^run)^seq) ^ salt)
	var ids spanIDs
	binary.BigEndian.PutUint64(ids.trace[:8], nonZero(mix64(h^1)))
	binary.BigEndian.PutUint64(ids.trace[8:], mix64(h^2))
	binary.BigEndian.PutUint64(ids.span[:], nonZero(mix64(h^3)))
	return ids
}

// mix64 is the splitmix64 finaliser applied to x plus the golden gamma.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func nonZero(x uint64) uint64 {
	if x == 0 {
		return 1
	}
	return x
}
