package trace

import (
	"context"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// callEvents are the events of one call round trip from a to b, as the
// runtime emits them, with sequence numbers from seq.
func callEvents(a, b noex.PID, seq, ref uint64) [4]noex.Event {
	now := time.Now()
	return [4]noex.Event{
		{Seq: seq, Time: now, Kind: noex.MessageSent, PID: a, Label: "main", Peer: b, PeerLbl: "echo", Ref: ref, MsgKind: noex.KindCall, Msg: 1},
		{Seq: seq + 1, Time: now, Kind: noex.MessageReceived, PID: b, Label: "echo", Peer: a, PeerLbl: "main", Ref: ref, MsgKind: noex.KindCall, Msg: 1, Parent: seq},
		{Seq: seq + 2, Time: now, Kind: noex.ReplySent, PID: b, Label: "echo", Peer: a, PeerLbl: "main", Ref: ref, MsgKind: noex.KindReply, Msg: 1, Parent: seq + 1},
		{Seq: seq + 3, Time: now, Kind: noex.MessageHandled, PID: b, Label: "echo", Ref: ref, MsgKind: noex.KindCall, Parent: seq + 1},
	}
}

// BenchmarkTranslate measures the translation of a call round trip into its
// two spans (an SDK provider that exports nothing) beside the same SDK
// starting and ending two spans with as many attributes directly, in
// alternating chunks of one run, and reports the ratio (x-sdk-floor): what
// the translator adds to the SDK's own cost.
func BenchmarkTranslate(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	tr := tp.Tracer(ScopeName)
	var pa, pb noex.PID // zero PIDs are enough for the translator
	t := newTranslator(noex.NewRuntime(), tr, config{})
	var seq, ref uint64 = 1, 1
	translate := func() {
		for _, ev := range callEvents(pa, pb, seq, ref) {
			t.observe(ev)
		}
		seq += 4
		ref++
	}
	attrs := make([]attribute.KeyValue, 10)
	for i := range attrs {
		attrs[i] = attribute.String(string(rune('a'+i)), "value")
	}
	floor := func() {
		now := time.Now()
		_, c := tr.Start(context.Background(), "call echo", oteltrace.WithTimestamp(now),
			oteltrace.WithSpanKind(oteltrace.SpanKindClient), oteltrace.WithAttributes(attrs...))
		ctx := oteltrace.ContextWithSpanContext(context.Background(), c.SpanContext())
		_, s := tr.Start(ctx, "handle_call echo", oteltrace.WithTimestamp(now),
			oteltrace.WithSpanKind(oteltrace.SpanKindServer), oteltrace.WithAttributes(attrs...))
		c.SetAttributes(attribute.String(keyReply, "1"))
		s.End(oteltrace.WithTimestamp(now))
		c.End(oteltrace.WithTimestamp(now))
	}
	const chunk = 1000
	var tf, tt time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		start := time.Now()
		for range n {
			floor()
		}
		tf += time.Since(start)
		start = time.Now()
		for range n {
			translate()
		}
		tt += time.Since(start)
		done += n
	}
	b.ReportMetric(float64(tt.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(tf.Nanoseconds())/float64(b.N), "sdk-floor-ns/op")
	b.ReportMetric(float64(tt)/float64(tf), "x-sdk-floor")
	if len(t.msgs) != 0 || len(t.causes) != 0 {
		b.Fatalf("translator keeps %d messages and %d causes after complete round trips", len(t.msgs), len(t.causes))
	}
}
