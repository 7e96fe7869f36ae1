package trace_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goldenfile "github.com/noex-go/noex/internal/golden"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// span is a recorded span as plain data, for cmp.Diff and golden files.
type span struct {
	Name    string
	Kind    string
	Trace   string
	ID      string
	Parent  string
	Start   time.Time
	End     time.Time
	Status  string
	Attrs   map[string]string
	Events  []event
	Links   []string
	Dropped int
}

type event struct {
	Name  string
	Time  time.Time
	Attrs map[string]string
}

// recorder is an SDK provider that keeps ended spans in memory and gives
// deterministic ids through trace.NewIDGenerator.
type recorder struct {
	tp  *sdktrace.TracerProvider
	rec *tracetest.SpanRecorder
}

var _ sdktrace.IDGenerator = (*trace.IDGenerator)(nil)

func newRecorder() *recorder {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(rec),
		sdktrace.WithIDGenerator(trace.NewIDGenerator()),
		sdktrace.WithResource(resource.Empty()))
	return &recorder{tp: tp, rec: rec}
}

// spans returns the spans ended so far, in the order they ended.
func (r *recorder) spans() []span {
	return toSpans(tracetest.SpanStubsFromReadOnlySpans(r.rec.Ended()))
}

func (r *recorder) shutdown(t testing.TB) {
	t.Helper()
	if err := r.tp.Shutdown(context.Background()); err != nil {
		t.Fatalf("TracerProvider.Shutdown: %v", err)
	}
}

func toSpans(stubs tracetest.SpanStubs) []span {
	out := make([]span, 0, len(stubs))
	for _, s := range stubs {
		d := span{
			Name:    s.Name,
			Kind:    s.SpanKind.String(),
			Trace:   s.SpanContext.TraceID().String(),
			ID:      s.SpanContext.SpanID().String(),
			Start:   s.StartTime,
			End:     s.EndTime,
			Status:  s.Status.Code.String(),
			Attrs:   attrMap(s.Attributes),
			Dropped: s.DroppedAttributes + s.DroppedEvents + s.DroppedLinks,
		}
		if s.Status.Description != "" {
			d.Status += ": " + s.Status.Description
		}
		if s.Parent.IsValid() {
			d.Parent = s.Parent.SpanID().String()
		}
		for _, e := range s.Events {
			d.Events = append(d.Events, event{Name: e.Name, Time: e.Time, Attrs: attrMap(e.Attributes)})
		}
		for _, l := range s.Links {
			d.Links = append(d.Links, l.SpanContext.SpanID().String())
		}
		out = append(out, d)
	}
	return out
}

// attrMap renders attributes as strings. The stack of a crash changes with
// the goroutine numbers and paths, so it is replaced by a marker; tests that
// care read it from the raw stubs.
func attrMap(kvs []attribute.KeyValue) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		v := kv.Value.String()
		if kv.Key == "exception.stacktrace" && v != "" {
			v = "<stack>"
		}
		m[string(kv.Key)] = v
	}
	return m
}

// byID indexes spans by span id.
func byID(spans []span) map[string]span {
	m := make(map[string]span, len(spans))
	for _, s := range spans {
		m[s.ID] = s
	}
	return m
}

// find returns the spans named name, in end order.
func find(spans []span, name string) []span {
	var out []span
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the only span named name, failing the test otherwise.
func one(t testing.TB, spans []span, name string) span {
	t.Helper()
	f := find(spans, name)
	if len(f) != 1 {
		t.Fatalf("want one span %q, got %d; spans:\n%s", name, len(f), render(spans))
	}
	return f[0]
}

// render draws the spans as trees, one per trace, children under their
// parent, each level in start order (ties in end order), with times as
// offsets from the first span's start.
func render(spans []span) string {
	if len(spans) == 0 {
		return "(no spans)\n"
	}
	t0 := spans[0].Start
	for _, s := range spans {
		if s.Start.Before(t0) {
			t0 = s.Start
		}
	}
	ids := byID(spans)
	children := map[string][]span{}
	var roots []span
	for _, s := range spans {
		if _, ok := ids[s.Parent]; s.Parent != "" && ok {
			children[s.Parent] = append(children[s.Parent], s)
		} else {
			roots = append(roots, s)
		}
	}
	order := func(list []span) {
		slices.SortStableFunc(list, func(a, b span) int { return a.Start.Compare(b.Start) })
	}
	order(roots)
	var b strings.Builder
	var walk func(s span, depth int)
	walk = func(s span, depth int) {
		ind := strings.Repeat("  ", depth)
		fmt.Fprintf(&b, "%s%s [%s] %s..%s id=%s", ind, s.Name, s.Kind, s.Start.Sub(t0), s.End.Sub(t0), s.ID)
		if s.Parent != "" {
			if _, ok := ids[s.Parent]; !ok {
				fmt.Fprintf(&b, " parent=%s(missing)", s.Parent)
			}
		}
		if s.Status != "Unset" {
			fmt.Fprintf(&b, " status=%s", s.Status)
		}
		b.WriteByte('\n')
		for _, k := range slices.Sorted(maps.Keys(s.Attrs)) {
			fmt.Fprintf(&b, "%s    %s=%s\n", ind, k, s.Attrs[k])
		}
		for _, e := range s.Events {
			fmt.Fprintf(&b, "%s    @%s %s", ind, e.Time.Sub(t0), e.Name)
			for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
				fmt.Fprintf(&b, " %s=%s", k, e.Attrs[k])
			}
			b.WriteByte('\n')
		}
		for _, l := range s.Links {
			fmt.Fprintf(&b, "%s    link %s\n", ind, l)
		}
		kids := children[s.ID]
		order(kids)
		for _, c := range kids {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		fmt.Fprintf(&b, "trace %s\n", r.Trace)
		walk(r, 1)
	}
	return b.String()
}

// traced runs body in a runtime made with rtOpts, with spans recorded
// through Attach (given opts after WithTracerProvider), shuts the runtime
// down and detaches, and returns the spans.
func traced(t testing.TB, rtOpts []noex.Option, body func(ctx context.Context) error, opts ...trace.Option) []span {
	t.Helper()
	return tracedWith(t, newRecorder(), rtOpts, body, opts...)
}

// tracedWith is traced with the spans recorded by r.
func tracedWith(t testing.TB, r *recorder, rtOpts []noex.Option, body func(ctx context.Context) error, opts ...trace.Option) []span {
	t.Helper()
	rt := noex.NewRuntime(rtOpts...)
	detach := trace.Attach(rt, append([]trace.Option{trace.WithTracerProvider(r.tp)}, opts...)...)
	ctx := context.Background()
	if err := rt.Run(ctx, body); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	detach()
	spans := r.spans()
	r.shutdown(t)
	return spans
}

// seeded is the runtime options of a deterministic run.
func seeded(seed uint64) []noex.Option { return []noex.Option{noex.WithSeed(seed)} }

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got, *update)
}
