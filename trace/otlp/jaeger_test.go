package otlp_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"github.com/noex-go/noex/trace/internal/jaegertest"
	"github.com/noex-go/noex/trace/otlp"
)

// TestJaegerEndToEnd exports the notification flow over OTLP/HTTP to a
// real Jaeger and reads it back through Jaeger's query API. Without a
// Jaeger binary it is skipped with the build hint (CI builds one and sets
// NOEX_REQUIRE_JAEGER=1).
func TestJaegerEndToEnd(t *testing.T) {
	j := jaegertest.Start(t)
	const service = "noex-e2e"
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", j.OTLPEndpoint())
	t.Setenv("OTEL_SERVICE_NAME", service)
	ctx := context.Background()

	// The same seed twice: two traces, not one merged trace.
	began := time.Now()
	for range 2 {
		if err := runFlow(t, 42); err != nil {
			t.Fatalf("export to Jaeger: %v", err)
		}
	}
	ended := time.Now()

	// Found by a search of recent traces, as the UI's default search does:
	// Setup placed the virtual time at the wall clock.
	found, err := j.FindTraces(ctx, service, began.Add(-time.Hour).UnixMicro(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tr := range found {
		if root := rootOf(tr); root != nil && root.OperationName == "call notification-router" {
			ids = append(ids, tr.TraceID)
		}
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("want two distinct notification traces, found %v among %d traces", ids, len(found))
	}

	for _, id := range ids {
		tr, err := j.Trace(ctx, id)
		if err != nil {
			t.Fatalf("trace %s: %v", id, err)
		}
		checkJaegerTrace(t, tr, service, began, ended)
	}
}

// TestJaegerFailedCall exports a call whose handler returns an error and
// reads back, as Jaeger shows them, the status and the error.type of both
// of its spans.
func TestJaegerFailedCall(t *testing.T) {
	j := jaegertest.Start(t)
	const service = "noex-e2e-failure"
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", j.OTLPEndpoint())
	t.Setenv("OTEL_SERVICE_NAME", service)
	ctx := context.Background()
	began := time.Now()
	if err := runBody(t, 9, failedDelivery); err != nil {
		t.Fatalf("export to Jaeger: %v", err)
	}
	found, err := j.FindTraces(ctx, service, began.Add(-time.Hour).UnixMicro(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var tr *jaegertest.Trace
	for i := range found {
		if root := rootOf(found[i]); root != nil && root.OperationName == "call channel-email" {
			tr = &found[i]
		}
	}
	if tr == nil {
		t.Fatalf("no trace of the failed call among %d traces", len(found))
	}
	for _, name := range []string{"call channel-email", "handle_call channel-email"} {
		var s *jaegertest.Span
		for i := range tr.Spans {
			if tr.Spans[i].OperationName == name {
				s = &tr.Spans[i]
			}
		}
		if s == nil {
			t.Errorf("no span %q", name)
			continue
		}
		want := map[string]any{"error.type": "*errors.errorString", "otel.status_code": "ERROR",
			"otel.status_description": "undeliverable", "error": true}
		got := map[string]any{}
		for k := range want {
			v, _ := s.Tag(k)
			got[k] = v
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q tags mismatch (-want +got):\n%s", name, diff)
		}
	}
}

// rootOf returns the span of tr without a parent reference.
func rootOf(tr jaegertest.Trace) *jaegertest.Span {
	for i, s := range tr.Spans {
		if len(s.References) == 0 {
			return &tr.Spans[i]
		}
	}
	return nil
}

func checkJaegerTrace(t *testing.T, tr *jaegertest.Trace, service string, began, ended time.Time) {
	t.Helper()
	if len(tr.Warnings) > 0 {
		t.Errorf("trace %s has warnings (merged runs?): %v", tr.TraceID, tr.Warnings)
	}
	byID := map[string]jaegertest.Span{}
	for _, s := range tr.Spans {
		if s.Warnings != nil {
			t.Errorf("span %q has warnings: %v", s.OperationName, s.Warnings)
		}
		byID[s.SpanID] = s
	}
	// Names and parent/child references. A consumer span's parent is also
	// its link (the message's creation context); Jaeger then shows that
	// parent as one FOLLOWS_FROM reference instead of a CHILD_OF, which its
	// UI nests as a child all the same.
	got := map[string]string{}
	for _, s := range tr.Spans {
		parent := ""
		for _, r := range s.References {
			if r.RefType != "CHILD_OF" && r.RefType != "FOLLOWS_FROM" {
				continue
			}
			if r.TraceID != tr.TraceID {
				t.Errorf("%q: parent in another trace %s", s.OperationName, r.TraceID)
			}
			if parent == "" || r.RefType == "CHILD_OF" {
				parent = byID[r.SpanID].OperationName
			}
		}
		if _, dup := got[s.OperationName]; dup {
			t.Errorf("span %q appears twice in trace %s", s.OperationName, tr.TraceID)
		}
		got[s.OperationName] = parent
	}
	if diff := cmp.Diff(wantTree, got); diff != "" {
		t.Errorf("trace %s tree mismatch (-want +got):\n%s", tr.TraceID, diff)
	}

	// Attributes, kinds and the service: by the messaging conventions,
	// every send is a producer, every handling a consumer.
	kinds := map[string]string{
		"call notification-router": "producer", "handle_call notification-router": "consumer",
		"call channel-email": "producer", "handle_call channel-email": "consumer",
		"cast event-bus": "producer", "handle_cast event-bus": "consumer",
		"publish notification.sent.email": "producer", "deliver notification.sent.email": "producer",
		"handle_info analytics": "consumer",
	}
	for _, s := range tr.Spans {
		want := map[string]any{
			"span.kind":                kinds[s.OperationName],
			"messaging.system":         "noex",
			"noex.seed":                "42",
			"otel.scope.name":          trace.ScopeName,
			"messaging.operation.type": map[bool]string{true: "send", false: "process"}[kinds[s.OperationName] == "producer"],
		}
		gotTags := map[string]any{}
		for k := range want {
			v, _ := s.Tag(k)
			gotTags[k] = v
		}
		if diff := cmp.Diff(want, gotTags); diff != "" {
			t.Errorf("%q tags mismatch (-want +got):\n%s", s.OperationName, diff)
		}
		if p := tr.Processes[s.ProcessID]; p.ServiceName != service {
			t.Errorf("%q: service %q, want %q", s.OperationName, p.ServiceName, service)
		}
	}
	span := func(name string) jaegertest.Span {
		for _, s := range tr.Spans {
			if s.OperationName == name {
				return s
			}
		}
		t.Fatalf("no span %q", name)
		return jaegertest.Span{}
	}
	for name, dest := range map[string]string{
		"call channel-email":              "channel-email",
		"handle_info analytics":           "analytics",
		"publish notification.sent.email": "notification.sent.email",
	} {
		if v, _ := span(name).Tag("messaging.destination.name"); v != dest {
			t.Errorf("%q: messaging.destination.name = %v, want %q", name, v, dest)
		}
	}
	if v, _ := span("deliver notification.sent.email").Tag("messaging.destination.subscription.name"); v != "notification.sent.*" {
		t.Errorf("delivery: subscription pattern %v", v)
	}
	// A handling links to the send of its message: Jaeger shows the link as
	// a FOLLOWS_FROM reference to the producer span.
	for _, s := range tr.Spans {
		if kinds[s.OperationName] != "consumer" {
			continue
		}
		var link string
		for _, r := range s.References {
			if r.RefType == "FOLLOWS_FROM" {
				link = byID[r.SpanID].OperationName
			}
		}
		if link == "" || link != wantTree[s.OperationName] {
			t.Errorf("%q: references %+v, want a link to its send %q", s.OperationName, s.References, wantTree[s.OperationName])
		}
	}
	client, server := span("call channel-email"), span("handle_call channel-email")
	if a, _ := client.Tag("messaging.message.id"); a == nil || a != first(server.Tag("messaging.message.id")) {
		t.Errorf("client and server spans of one call should share messaging.message.id: %v", a)
	}

	// Timestamps: within the wall-clock run, virtual durations kept.
	for _, s := range tr.Spans {
		start := time.UnixMicro(s.StartTime)
		if start.Before(began.Add(-time.Millisecond)) || start.After(ended.Add(time.Second)) {
			t.Errorf("%q starts at %v, outside the run %v..%v", s.OperationName, start, began, ended)
		}
	}
	// Events of one virtual instant are spread 1µs apart in event order
	// (see trace.WithTimeOrigin): the 10ms of virtual time the channel
	// handler sleeps are kept, plus a few microseconds.
	within := func(got, want int64) bool { return got >= want && got < want+1000 }
	if !within(server.Duration, 10_000) || !within(client.Duration, 10_000) {
		t.Errorf("the channel handler sleeps 10ms of virtual time: durations client %dµs, server %dµs",
			client.Duration, server.Duration)
	}
	root, cast := span("call notification-router"), span("cast event-bus")
	if !(root.StartTime < client.StartTime && client.StartTime < server.StartTime) || !within(cast.StartTime-root.StartTime, 10_000) {
		t.Errorf("virtual offsets not kept: root %d, client %d, server %d, cast %d",
			root.StartTime, client.StartTime, server.StartTime, cast.StartTime)
	}
	var logs []string
	for _, l := range server.Logs {
		ev, _ := l.Field("event")
		logs = append(logs, ev.(string))
	}
	if !slices.Equal(logs, []string{"timer.set", "timer.fired"}) {
		t.Errorf("the sleep's span events: %v", logs)
	}
}

func first(v any, _ bool) any { return v }

// TestJaegerVirtualTime exports with the virtual timestamps kept: the
// trace is stamped at 2000-01-01, outside the default search window, and
// found by a search from the Unix epoch.
func TestJaegerVirtualTime(t *testing.T) {
	j := jaegertest.Start(t)
	const service = "noex-virtual"
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", j.OTLPEndpoint())
	t.Setenv("OTEL_SERVICE_NAME", service)
	ctx := context.Background()
	if err := runFlow(t, 7, otlp.WithTraceOptions(trace.WithTimeOrigin(time.Time{}), trace.WithRunID(0))); err != nil {
		t.Fatal(err)
	}
	recent, err := j.FindTraces(ctx, service, time.Now().Add(-48*time.Hour).UnixMicro(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 0 {
		t.Errorf("a search of the last 48 hours should miss a run stamped at %v, found %d traces", noex.Epoch, len(recent))
	}
	all, err := j.FindTraces(ctx, service, 0, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var root *jaegertest.Span
	for _, tr := range all {
		if r := rootOf(tr); r != nil && r.OperationName == "call notification-router" {
			root = r
		}
	}
	if root == nil {
		t.Fatalf("the search from start=0 should find the run; found %d traces", len(all))
	}
	if got := time.UnixMicro(root.StartTime).UTC(); !got.Equal(noex.Epoch) {
		t.Errorf("root span starts at %v, want the virtual epoch %v", got, noex.Epoch)
	}
}
