package jaegertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/trace/internal/jaegertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// export sends the spans made by fn to j over OTLP/HTTP, synchronously, and
// shuts the exporter down.
func export(t *testing.T, j *jaegertest.Jaeger, service string, fn func(trace.Tracer)) {
	t.Helper()
	ctx := t.Context()
	// A transport of our own, so its idle connections can be closed here
	// rather than linger until Jaeger stops.
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(j.OTLPEndpoint()+"/v1/traces"),
		otlptracehttp.WithInsecure(),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: transport}),
	)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", service),
			attribute.String("deployment.environment.name", "test"),
		)),
	)
	fn(tp.Tracer("jaegertest"))
	// tp.Shutdown returns nil even when an export failed: the test must
	// check at the receiver, which it does by reading the trace back.
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// getTrace reads a trace back. With the no-batch configuration it is
// queryable as soon as the export has returned; the bounded loop only guards
// against a slow machine.
func getTrace(t *testing.T, j *jaegertest.Jaeger, id trace.TraceID) *jaegertest.Trace {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	polled := false
	for {
		tr, err := j.Trace(ctx, id.String())
		if err == nil {
			return tr
		}
		if !errors.Is(err, jaegertest.ErrNotFound) {
			t.Fatalf("Trace(%s): %v", id, err)
		}
		if !polled {
			polled = true
			t.Logf("trace %s not queryable yet; polling", id)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Trace(%s): not found within 10s\njaeger output:\n%s", id, j.Log())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestRoundTrip(t *testing.T) {
	j := jaegertest.Start(t)

	var parent, child trace.SpanContext
	export(t, j, "jaegertest-svc", func(tr trace.Tracer) {
		ctx, p := tr.Start(context.Background(), "parent",
			trace.WithAttributes(attribute.String("k", "v"), attribute.Int64("n", 42), attribute.Bool("b", true),
				attribute.Int64("big", 1<<60)))
		_, c := tr.Start(ctx, "child", trace.WithSpanKind(trace.SpanKindServer))
		c.AddEvent("hello", trace.WithAttributes(attribute.Float64("f", 1.5)))
		c.End()
		p.SetStatus(codes.Error, "boom")
		p.End()
		parent, child = p.SpanContext(), c.SpanContext()
	})

	got := getTrace(t, j, parent.TraceID())
	if got.TraceID != parent.TraceID().String() {
		t.Errorf("TraceID = %q, want %q", got.TraceID, parent.TraceID())
	}
	if len(got.Spans) != 2 {
		t.Fatalf("got %d spans, want 2: %+v", len(got.Spans), got.Spans)
	}
	byName := map[string]jaegertest.Span{}
	for _, s := range got.Spans {
		byName[s.OperationName] = s
	}
	p, c := byName["parent"], byName["child"]
	if p.SpanID != parent.SpanID().String() || c.SpanID != child.SpanID().String() {
		t.Errorf("span ids = %q, %q; want %s, %s", p.SpanID, c.SpanID, parent.SpanID(), child.SpanID())
	}
	for key, want := range map[string]any{
		"k": "v", "n": int64(42), "b": true, "big": int64(1 << 60),
		"span.kind": "internal", "otel.scope.name": "jaegertest",
		"otel.status_code": "ERROR", "otel.status_description": "boom", "error": true,
	} {
		if v, ok := p.Tag(key); !ok || v != want {
			t.Errorf("parent tag %q = %#v, %v; want %#v", key, v, ok, want)
		}
	}
	if v, ok := c.Tag("span.kind"); v != "server" {
		t.Errorf("child tag span.kind = %#v, %v; want \"server\"", v, ok)
	}
	wantRef := jaegertest.Reference{RefType: "CHILD_OF", TraceID: parent.TraceID().String(), SpanID: parent.SpanID().String()}
	if !slices.Contains(c.References, wantRef) {
		t.Errorf("child references = %+v, want %+v among them", c.References, wantRef)
	}
	if len(c.Logs) != 1 {
		t.Fatalf("child logs = %+v, want one", c.Logs)
	}
	if v, _ := c.Logs[0].Field("event"); v != "hello" {
		t.Errorf("log event = %#v, want \"hello\"", v)
	}
	if v, _ := c.Logs[0].Field("f"); v != 1.5 {
		t.Errorf("log field f = %#v, want 1.5", v)
	}
	if p.StartTime <= 0 || p.Duration < 0 || c.StartTime < p.StartTime {
		t.Errorf("times: parent %d+%d, child %d+%d", p.StartTime, p.Duration, c.StartTime, c.Duration)
	}
	proc, ok := got.Processes[p.ProcessID]
	if !ok || proc.ServiceName != "jaegertest-svc" {
		t.Errorf("process %q = %+v, %v; want service jaegertest-svc", p.ProcessID, proc, ok)
	}
	if v, _ := proc.Tag("deployment.environment.name"); v != "test" {
		t.Errorf("process tag deployment.environment.name = %#v, want \"test\"", v)
	}

	if _, err := j.Trace(t.Context(), strings.Repeat("ab", 16)); !errors.Is(err, jaegertest.ErrNotFound) {
		t.Errorf("Trace(unknown id) error = %v, want ErrNotFound", err)
	}

	services, err := j.Services(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(services, "jaegertest-svc") {
		t.Errorf("Services() = %q, want jaegertest-svc among them", services)
	}
}

// TestVirtualTime checks what the docs say about Jaeger's search window: a
// trace stamped 2000-01-01 is found by id and by a search from start=0, not
// by a search over the last 48 hours.
func TestVirtualTime(t *testing.T) {
	j := jaegertest.Start(t)
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

	var sc trace.SpanContext
	export(t, j, "virtual", func(tr trace.Tracer) {
		_, s := tr.Start(context.Background(), "old", trace.WithTimestamp(t0))
		s.End(trace.WithTimestamp(t0.Add(1500 * time.Microsecond)))
		sc = s.SpanContext()
	})

	got := getTrace(t, j, sc.TraceID())
	if len(got.Spans) != 1 {
		t.Fatalf("got %d spans, want 1", len(got.Spans))
	}
	if s := got.Spans[0]; s.StartTime != t0.UnixMicro() || s.Duration != 1500 {
		t.Errorf("span time = %d+%dµs, want %d+1500µs", s.StartTime, s.Duration, t0.UnixMicro())
	}

	recent, err := j.FindTraces(t.Context(), "virtual", time.Now().Add(-48*time.Hour).UnixMicro(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 0 {
		t.Errorf("search over the last 48h found %d traces, want 0", len(recent))
	}
	all, err := j.FindTraces(t.Context(), "virtual", 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].TraceID != sc.TraceID().String() {
		t.Errorf("search from start=0 = %+v, want the one trace %s", all, sc.TraceID())
	}
}

func TestKeyValueJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`{"key":"k","type":"string","value":"v"}`, "v"},
		{`{"key":"k","type":"bool","value":true}`, true},
		{`{"key":"k","type":"int64","value":42}`, int64(42)},
		{`{"key":"k","type":"int64","value":"1152921504606846976"}`, int64(1 << 60)},
		{`{"key":"k","type":"float64","value":1.5}`, 1.5},
		{`{"key":"k","type":"binary","value":"AQI="}`, []byte{1, 2}},
	} {
		var kv jaegertest.KeyValue
		if err := json.Unmarshal([]byte(tc.in), &kv); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if kv.Key != "k" || !reflect.DeepEqual(kv.Value, tc.want) {
			t.Errorf("%s: got %+v (%T), want value %#v", tc.in, kv, kv.Value, tc.want)
		}
	}
}

func TestBinaryMissing(t *testing.T) {
	t.Setenv(jaegertest.EnvBin, filepath.Join(t.TempDir(), "nonexistent"))
	_, err := jaegertest.Binary()
	if err == nil || !strings.Contains(err.Error(), "bash .ci/jaeger.sh build") {
		t.Errorf("Binary() error = %v, want the build hint", err)
	}
}

func TestCachePath(t *testing.T) {
	t.Setenv(jaegertest.EnvCache, "/c")
	if p, _ := jaegertest.CachePath(); p != "/c/jaeger" {
		t.Errorf("with %s=/c: CachePath() = %q", jaegertest.EnvCache, p)
	}
	t.Setenv(jaegertest.EnvCache, "")
	t.Setenv("XDG_CACHE_HOME", "/x")
	if p, _ := jaegertest.CachePath(); p != "/x/noex/jaeger-v1.76.0/jaeger" {
		t.Errorf("with XDG_CACHE_HOME=/x: CachePath() = %q", p)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/h")
	if p, _ := jaegertest.CachePath(); p != "/h/.cache/noex/jaeger-v1.76.0/jaeger" {
		t.Errorf("with HOME=/h: CachePath() = %q", p)
	}
}

// TestConfigInSync keeps the embedded config equal to the one .ci/jaeger.sh
// uses.
func TestConfigInSync(t *testing.T) {
	a, err := os.ReadFile("jaeger-ci.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "jaegerbin", "jaeger-ci.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("jaeger-ci.yaml differs from ../jaegerbin/jaeger-ci.yaml; keep the two copies identical")
	}
}
