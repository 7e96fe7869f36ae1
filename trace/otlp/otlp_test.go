package otlp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"github.com/noex-go/noex/trace/otlp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// runFlow runs the notification flow with seed, exporting through Setup
// with opts, and returns the shutdown function's result.
func runFlow(t *testing.T, seed uint64, opts ...otlp.Option) error {
	t.Helper()
	return runBody(t, seed, notificationFlow, opts...)
}

// runBody is runFlow with another body.
func runBody(t *testing.T, seed uint64, body func(context.Context) error, opts ...otlp.Option) error {
	t.Helper()
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(seed))
	shutdown, err := otlp.Setup(ctx, rt, opts...)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if err := rt.Run(ctx, body); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatalf("runtime Shutdown: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return shutdown(sctx)
}

// tree maps the name of each span in the trace of the root span "call
// notification-router" to its parent's name.
func tree(stubs tracetest.SpanStubs) map[string]string {
	names := map[string]string{}
	var root tracetest.SpanStub
	for _, s := range stubs {
		names[s.SpanContext.SpanID().String()] = s.Name
		if s.Name == "call notification-router" {
			root = s
		}
	}
	out := map[string]string{}
	for _, s := range stubs {
		if s.SpanContext.TraceID() == root.SpanContext.TraceID() {
			out[s.Name] = names[s.Parent.SpanID().String()]
		}
	}
	return out
}

func TestSetupWithExporter(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
	exp := tracetest.NewInMemoryExporter()
	before := time.Now()
	if err := runFlow(t, 42, otlp.WithExporter(exp)); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// Shutdown of the in-memory exporter forgets its spans: the check
	// reads them through a second run that stops before the shutdown.
	exp2 := tracetest.NewInMemoryExporter()
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(42))
	shutdown, err := otlp.Setup(ctx, rt, otlp.WithExporter(exp2))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Run(ctx, notificationFlow); err != nil {
		t.Fatal(err)
	}
	stubs := exp2.GetSpans()
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantTree, tree(stubs)); diff != "" {
		t.Errorf("span tree mismatch (-want +got):\n%s", diff)
	}
	res := stubs[0].Resource.Set()
	if v, _ := res.Value("service.name"); v.AsString() != otlp.DefaultServiceName {
		t.Errorf("service.name = %q, want %q when the environment names none", v.AsString(), otlp.DefaultServiceName)
	}
	if v, _ := res.Value("deployment.environment"); v.AsString() != "test" {
		t.Errorf("OTEL_RESOURCE_ATTRIBUTES not applied: deployment.environment = %q", v.AsString())
	}
	if v, _ := res.Value("telemetry.sdk.name"); v.AsString() != "opentelemetry" {
		t.Errorf("telemetry.sdk.name = %q", v.AsString())
	}
	// By default virtual time starts at the wall-clock time of Setup.
	for _, s := range stubs {
		if s.StartTime.Before(before) || s.StartTime.After(time.Now().Add(time.Minute)) {
			t.Errorf("%q starts at %v, want near the wall clock of the run (%v)", s.Name, s.StartTime, before)
		}
	}
}

func TestSetupKeepsVirtualTimeOnRequest(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(42))
	shutdown, err := otlp.Setup(ctx, rt, otlp.WithExporter(exp),
		otlp.WithTraceOptions(trace.WithTimeOrigin(time.Time{}), trace.WithRunID(0), trace.WithTracerProvider(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Run(ctx, notificationFlow); err != nil {
		t.Fatal(err)
	}
	stubs := exp.GetSpans()
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if len(stubs) == 0 {
		t.Fatal("no spans: WithTraceOptions must not replace Setup's provider")
	}
	for _, s := range stubs {
		if s.StartTime.Before(noex.Epoch) || s.StartTime.After(noex.Epoch.Add(time.Second)) {
			t.Errorf("%q starts at %v, want the virtual clock", s.Name, s.StartTime)
		}
	}
}

func TestSetupStdout(t *testing.T) {
	var buf bytes.Buffer
	if err := runFlow(t, 42, otlp.WithStdout(&buf)); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	dec := json.NewDecoder(&buf)
	names := map[string]bool{}
	for {
		var s struct{ Name string }
		if err := dec.Decode(&s); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("stdout output is not a JSON stream: %v", err)
		}
		names[s.Name] = true
	}
	for name := range wantTree {
		if !names[name] {
			t.Errorf("span %q not written; got %v", name, names)
		}
	}
}

// collector is an OTLP/HTTP receiver that keeps what it is sent and
// answers with status (and body, if any).
type collector struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []*coltracepb.ExportTraceServiceRequest
	status int
	body   []byte
}

func newCollector(t *testing.T, status int, body []byte) *collector {
	c := &collector{status: status, body: body}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" {
			http.NotFound(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(raw, req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.reqs = append(c.reqs, req)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(c.status)
		w.Write(c.body)
	}))
	t.Cleanup(c.srv.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", c.srv.URL)
	return c
}

// spans returns the names of the spans received and the service.name of
// their resource.
func (c *collector) spans() (names []string, services map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	services = map[string]bool{}
	for _, req := range c.reqs {
		for _, rs := range req.ResourceSpans {
			for _, kv := range rs.Resource.Attributes {
				if kv.Key == "service.name" {
					services[kv.Value.GetStringValue()] = true
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
				}
			}
		}
	}
	return names, services
}

func TestSetupOTLPFromEnvironment(t *testing.T) {
	c := newCollector(t, http.StatusOK, nil)
	t.Setenv("OTEL_SERVICE_NAME", "chapter-02")
	if err := runFlow(t, 42); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	names, services := c.spans()
	got := map[string]bool{}
	for _, n := range names {
		got[n] = true
	}
	for name := range wantTree {
		if !got[name] {
			t.Errorf("the collector did not get %q; got %v", name, names)
		}
	}
	if diff := cmp.Diff(map[string]bool{"chapter-02": true}, services); diff != "" {
		t.Errorf("service.name from OTEL_SERVICE_NAME (-want +got):\n%s", diff)
	}
}

func TestShutdownReportsExportFailure(t *testing.T) {
	// A port that was free a moment ago: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+addr)

	err = runFlow(t, 42)
	if !errors.Is(err, otlp.ErrExport) {
		t.Fatalf("shutdown = %v, want an error wrapping ErrExport", err)
	}
	var ee *otlp.ExportError
	if !errors.As(err, &ee) {
		t.Fatalf("shutdown = %v, want an *ExportError", err)
	}
	if ee.Ended == 0 || ee.Failed+ee.Dropped != ee.Ended {
		t.Errorf("ExportError %+v: want every ended span failed or dropped", ee)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), addr) {
		t.Errorf("the error should say why and where: %v", err)
	}
}

func TestShutdownReportsRejection(t *testing.T) {
	newCollector(t, http.StatusBadRequest, []byte("no thanks"))
	err := runFlow(t, 42)
	var ee *otlp.ExportError
	if !errors.As(err, &ee) || ee.Failed == 0 || !strings.Contains(err.Error(), "400") {
		t.Fatalf("shutdown = %v, want an *ExportError with the HTTP status", err)
	}
}

func TestShutdownReportsPartialSuccess(t *testing.T) {
	body, err := proto.Marshal(&coltracepb.ExportTraceServiceResponse{
		PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 2, ErrorMessage: "span too old"}})
	if err != nil {
		t.Fatal(err)
	}
	newCollector(t, http.StatusOK, body)
	err = runFlow(t, 42)
	if !errors.Is(err, otlp.ErrExport) || !strings.Contains(err.Error(), "span too old") {
		t.Fatalf("shutdown = %v, want the partial success reported", err)
	}
}

func TestShutdownIsIdempotent(t *testing.T) {
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(1))
	shutdown, err := otlp.Setup(ctx, rt, otlp.WithExporter(tracetest.NewInMemoryExporter()))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Run(ctx, notificationFlow); err != nil {
		t.Fatal(err)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatalf("second shutdown = %v, want the first result (nil)", err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSetupErrors(t *testing.T) {
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(1))
	tests := []struct {
		reason string
		rt     *noex.Runtime
		opts   []otlp.Option
	}{
		{"a nil runtime has nothing to trace", nil, nil},
		{"stdout and an exporter are two destinations", rt, []otlp.Option{otlp.WithStdout(io.Discard), otlp.WithExporter(tracetest.NewInMemoryExporter())}},
		{"the conflict is found in either order", rt, []otlp.Option{otlp.WithExporter(tracetest.NewInMemoryExporter()), otlp.WithStdout(io.Discard)}},
	}
	for _, tc := range tests {
		shutdown, err := otlp.Setup(ctx, tc.rt, tc.opts...)
		if !errors.Is(err, otlp.ErrSetup) || shutdown != nil {
			t.Errorf("%s: Setup = %v, %v; want nil and an error wrapping ErrSetup", tc.reason, shutdown != nil, err)
		}
	}
	// Nil options and a nil exporter are ignored.
	shutdown, err := otlp.Setup(ctx, rt, nil, otlp.WithExporter(nil), otlp.WithStdout(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestShutdownReportsDropped(t *testing.T) {
	newCollector(t, http.StatusOK, nil)
	ctx := context.Background()
	rt := noex.NewRuntime(noex.WithSeed(42))
	shutdown, err := otlp.Setup(ctx, rt)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Run(ctx, notificationFlow); err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel() // no time left to flush the batch
	err = shutdown(done)
	var ee *otlp.ExportError
	if !errors.As(err, &ee) || ee.Dropped == 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("shutdown with a dead context = %v, want dropped spans and context.Canceled", err)
	}
	// Whatever happens to the queue afterwards, a second call reports the same.
	if again := shutdown(ctx); again == nil || again.Error() != err.Error() {
		t.Errorf("second shutdown = %v, want the first result %v", again, err)
	}
}
