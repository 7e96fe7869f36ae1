package trace_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/trace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// evenTraces samples the traces whose id ends in an even byte, by trace id
// alone (as TraceIDRatioBased does), and records what it was asked.
type evenTraces struct {
	mu   sync.Mutex
	asks []ask
}

type ask struct {
	name          string
	parentSampled bool // the parent is valid and sampled
	parentValid   bool
	keys          []string
}

func (s *evenTraces) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	psc := oteltrace.SpanContextFromContext(p.ParentContext)
	a := ask{name: p.Name, parentValid: psc.IsValid(), parentSampled: psc.IsSampled()}
	for _, kv := range p.Attributes {
		a.keys = append(a.keys, string(kv.Key))
	}
	s.mu.Lock()
	s.asks = append(s.asks, a)
	s.mu.Unlock()
	if sampled(p.TraceID.String()) {
		return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample}
	}
	return sdktrace.SamplingResult{Decision: sdktrace.Drop}
}

func (*evenTraces) Description() string { return "evenTraces" }

// sampled reports whether evenTraces samples the trace with this id.
func sampled(traceID string) bool { return (traceID[len(traceID)-1]-'0')%2 == 0 }

// TestSampledOutTraces runs the story with a sampler that drops some
// traces: the spans of the traces it keeps are exactly those of a run that
// records everything, the sampler is never asked about a span whose parent
// it dropped, and it sees only the attributes meant for sampling.
func TestSampledOutTraces(t *testing.T) {
	all := traced(t, seeded(7), story, trace.WithRunID(0))
	var want []span
	for _, s := range all {
		if sampled(s.Trace) {
			want = append(want, s)
		}
	}
	if len(want) == 0 || len(want) == len(all) {
		t.Fatalf("the sampler keeps %d of %d spans; the test needs some of both", len(want), len(all))
	}

	sampler := &evenTraces{}
	r := newRecorder()
	r.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.rec),
		sdktrace.WithIDGenerator(trace.NewIDGenerator()), sdktrace.WithSampler(sampler))
	got := tracedWith(t, r, seeded(7), story, trace.WithRunID(0))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans of the sampled traces (-all sampled, filtered +sampled by the provider):\n%s", diff)
	}

	forSampling := []string{"messaging.destination.anonymous", "messaging.destination.name", "messaging.operation.name",
		"messaging.operation.type", "messaging.system", "noex.seed"}
	for _, a := range sampler.asks {
		if a.parentValid && !a.parentSampled {
			t.Errorf("asked about %q, whose parent was dropped", a.name)
		}
		for _, k := range a.keys {
			if !slices.Contains(forSampling, k) {
				t.Errorf("asked about %q with the attribute %s, which is not meant for sampling", a.name, k)
			}
		}
	}
}
