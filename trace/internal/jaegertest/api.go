package jaegertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ErrNotFound is returned by Trace when Jaeger has no trace with that id.
var ErrNotFound = errors.New("jaegertest: trace not found")

// Trace is a trace as Jaeger's query API v1 returns it. Spans are in storage
// order, not sorted.
type Trace struct {
	TraceID   string             `json:"traceID"`
	Spans     []Span             `json:"spans"`
	Processes map[string]Process `json:"processes"` // by Span.ProcessID
	Warnings  []string           `json:"warnings"`
}

// Span is a span in API v1 form. OpenTelemetry concepts map to it as
// follows: the parent and links become References (CHILD_OF, FOLLOWS_FROM;
// links lose their attributes), events become Logs, and kind, status and
// instrumentation scope become Tags ("span.kind", "otel.status_code",
// "otel.status_description", "otel.scope.name", ...).
type Span struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	OperationName string      `json:"operationName"`
	References    []Reference `json:"references"`
	StartTime     int64       `json:"startTime"` // microseconds since the Unix epoch
	Duration      int64       `json:"duration"`  // microseconds
	Tags          []KeyValue  `json:"tags"`
	Logs          []Log       `json:"logs"`
	ProcessID     string      `json:"processID"`
	Warnings      []string    `json:"warnings"`
}

// Reference links a span to another: RefType is "CHILD_OF" (the parent) or
// "FOLLOWS_FROM" (a link).
type Reference struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

// KeyValue is a tag or log field. Type is "string", "bool", "int64",
// "float64" or "binary", and Value is then a string, bool, int64, float64
// or []byte.
type KeyValue struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Log is a span event: Timestamp in microseconds since the Unix epoch; the
// event name is the field "event".
type Log struct {
	Timestamp int64      `json:"timestamp"`
	Fields    []KeyValue `json:"fields"`
}

// Process is the emitter of spans: the resource. ServiceName is the
// service.name attribute, Tags are the other resource attributes.
type Process struct {
	ServiceName string     `json:"serviceName"`
	Tags        []KeyValue `json:"tags"`
}

// Tag returns the value of the span's first tag named key.
func (s Span) Tag(key string) (any, bool) {
	return lookup(s.Tags, key)
}

// Field returns the value of the log's first field named key.
func (l Log) Field(key string) (any, bool) {
	return lookup(l.Fields, key)
}

// Tag returns the value of the process's first tag named key.
func (p Process) Tag(key string) (any, bool) {
	return lookup(p.Tags, key)
}

func lookup(kvs []KeyValue, key string) (any, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// UnmarshalJSON decodes Value by Type: API v1 sends int64 values outside
// ±(2^53-1) as strings and binary values as base64.
func (kv *KeyValue) UnmarshalJSON(b []byte) error {
	var raw struct {
		Key   string          `json:"key"`
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	kv.Key, kv.Type, kv.Value = raw.Key, raw.Type, nil
	if len(raw.Value) == 0 {
		return nil
	}
	var err error
	switch raw.Type {
	case "int64":
		var n json.Number
		if err = json.Unmarshal(raw.Value, &n); err == nil {
			kv.Value, err = strconv.ParseInt(n.String(), 10, 64)
		}
	case "float64":
		var f float64
		err = json.Unmarshal(raw.Value, &f)
		kv.Value = f
	case "bool":
		var v bool
		err = json.Unmarshal(raw.Value, &v)
		kv.Value = v
	case "binary":
		var s string
		if err = json.Unmarshal(raw.Value, &s); err == nil {
			kv.Value, err = base64.StdEncoding.DecodeString(s)
		}
	case "string":
		var s string
		err = json.Unmarshal(raw.Value, &s)
		kv.Value = s
	default:
		var v any
		err = json.Unmarshal(raw.Value, &v)
		kv.Value = v
	}
	if err != nil {
		return fmt.Errorf("tag %q of type %q: %w", raw.Key, raw.Type, err)
	}
	return nil
}

// response is the envelope of every API v1 answer.
type response[T any] struct {
	Data   T `json:"data"`
	Errors []struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	} `json:"errors"`
}

func get[T any](ctx context.Context, j *Jaeger, path string, query url.Values) (T, error) {
	var zero T
	u := j.QueryURL() + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return zero, err
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return zero, fmt.Errorf("jaegertest: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return zero, fmt.Errorf("jaegertest: GET %s: %w", u, err)
	}
	var r response[T]
	decErr := json.Unmarshal(body, &r)
	if resp.StatusCode == http.StatusNotFound {
		return zero, ErrNotFound
	}
	if resp.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		var msgs []string
		for _, e := range r.Errors {
			msgs = append(msgs, e.Msg)
		}
		if len(msgs) == 0 {
			msgs = append(msgs, string(bytes.TrimSpace(body)))
		}
		return zero, fmt.Errorf("jaegertest: GET %s: %s: %s", u, resp.Status, strings.Join(msgs, "; "))
	}
	if decErr != nil {
		return zero, fmt.Errorf("jaegertest: GET %s: decoding: %w", u, decErr)
	}
	return r.Data, nil
}

// Trace fetches one trace by its 32-digit hex id (GET /api/traces/{id}). It
// returns ErrNotFound if Jaeger has no such trace. The lookup by id is not
// limited to the last 48 hours, unlike FindTraces.
func (j *Jaeger) Trace(ctx context.Context, traceID string) (*Trace, error) {
	traces, err := get[[]Trace](ctx, j, "/api/traces/"+url.PathEscape(traceID), nil)
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, ErrNotFound
	}
	return &traces[0], nil
}

// Services lists the service names Jaeger has seen (GET /api/services), in
// no particular order.
func (j *Jaeger) Services(ctx context.Context) ([]string, error) {
	services, err := get[[]string](ctx, j, "/api/services", nil)
	if err != nil {
		return nil, err
	}
	if services == nil {
		services = []string{}
	}
	return services, nil
}

// FindTraces searches the traces of a service with spans that start between
// startMicros and endMicros, microseconds since the Unix epoch (GET
// /api/traces?service=&start=&end=&limit=). Jaeger's defaults apply when a
// bound is omitted, and they cover only the last 48 hours; so always pass
// startMicros (0 for "since 1970", which finds traces stamped with a virtual
// clock), and pass endMicros 0 for "now". limit 0 means Jaeger's default
// (100). Traces come in storage order.
func (j *Jaeger) FindTraces(ctx context.Context, service string, startMicros, endMicros int64, limit int) ([]Trace, error) {
	q := url.Values{}
	q.Set("service", service)
	q.Set("start", strconv.FormatInt(startMicros, 10))
	if endMicros != 0 {
		q.Set("end", strconv.FormatInt(endMicros, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	traces, err := get[[]Trace](ctx, j, "/api/traces", q)
	if err != nil {
		return nil, err
	}
	if traces == nil {
		traces = []Trace{}
	}
	return traces, nil
}
