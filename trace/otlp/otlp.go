package otlp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// DefaultServiceName is the service.name of the spans when neither
// OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one.
const DefaultServiceName = "noex"

// Setup makes rt's spans go somewhere: it builds an OpenTelemetry SDK
// TracerProvider, attaches it to rt with [trace.Attach] and returns the
// function that detaches it, flushes the spans and shuts the provider
// down.
//
// By default the spans are exported over OTLP/HTTP in batches, configured
// by the standard environment variables: OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; when neither is set,
// [DefaultEndpoint], plain HTTP to a collector on this machine, such as a
// local Jaeger), OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT and
// the other OTEL_EXPORTER_OTLP_* variables of otlptracehttp.
// OTEL_TRACES_EXPORTER is honoured: otlp (the default), console (the
// spans go to standard output, as [WithStdout](nil)) or none (nothing is
// attached; the shutdown function does nothing); any other value is
// refused. OTEL_EXPORTER_OTLP_PROTOCOL (and its _TRACES_ form) may only
// be http/protobuf: grpc and http/json are refused with an error that
// says what to set instead. [WithStdout] and [WithExporter] take
// precedence over both variables. The resource comes from
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, with service.name
// [DefaultServiceName] if neither names one, and the telemetry.sdk.*
// attributes. [WithStdout] and [WithExporter] send the spans elsewhere.
//
// The provider uses [trace.NewIDGenerator], so a deterministic runtime's
// spans get ids derived from its seed and a random run id, and Setup
// places the virtual clock's epoch at the wall-clock time of the call
// ([trace.WithTimeOrigin](time.Now())), so that the run is found among
// recent traces; [WithTraceOptions] overrides both. Setup does not touch
// OpenTelemetry's global provider, propagators or error handler.
//
// shutdown detaches from rt, ends the spans still open, exports what is
// queued and shuts the exporter down, within ctx. Unlike the SDK's own
// Shutdown, which only hands export failures to otel.Handle, it returns
// them: an [*ExportError] (wrapping [ErrExport]) when spans were not
// exported, joined with any error of the shutdown itself (ctx's error if it
// ended first: the spans not exported by then are counted as dropped, and
// none is exported afterwards). It is safe to call more than once; later
// calls return the first result. Call it after the runtime's last
// [noex.Runtime.Run] (or [noex.Runtime.Shutdown]).
//
// Setup fails with an error wrapping [ErrSetup] for a nil rt, for
// [WithStdout] combined with [WithExporter], for an exporter or protocol
// the environment asks for and this package does not support, or when the
// exporter cannot be built.
//
// Export failures are reported once, by the shutdown function: the SDK's
// global error handler (otel.Handle, which logs by default) does not see
// them.
func Setup(ctx context.Context, rt *noex.Runtime, opts ...Option) (shutdown func(context.Context) error, err error) {
	if rt == nil {
		return nil, fmt.Errorf("%w: nil runtime", ErrSetup)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.conflict {
		return nil, fmt.Errorf("%w: WithStdout and WithExporter exclude each other", ErrSetup)
	}
	if cfg.stdout == nil && cfg.exporter == nil {
		choice, err := tracesExporter(os.LookupEnv)
		if err != nil {
			return nil, err
		}
		switch choice {
		case exportNone:
			return func(context.Context) error { return nil }, nil
		case exportConsole:
			cfg.stdout = stdout()
		default:
			if err := checkProtocol(os.LookupEnv); err != nil {
				return nil, err
			}
		}
	}
	res, err := newResource(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: resource: %w", ErrSetup, err)
	}
	exp, closeIdle, err := newExporter(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: exporter: %w", ErrSetup, err)
	}
	w := &watch{SpanExporter: exp, stretch: cfg.stdout == nil && cfg.exporter == nil}
	var proc sdktrace.SpanProcessor
	if cfg.stdout != nil || cfg.exporter != nil {
		proc = sdktrace.NewSimpleSpanProcessor(w)
	} else {
		proc = sdktrace.NewBatchSpanProcessor(w)
	}
	count := &counter{}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithIDGenerator(trace.NewIDGenerator()),
		sdktrace.WithSpanProcessor(count),
		sdktrace.WithSpanProcessor(proc))
	topts := append([]trace.Option{trace.WithTimeOrigin(time.Now())}, cfg.trace...)
	detach := trace.Attach(rt, append(topts, trace.WithTracerProvider(tp))...)

	var once sync.Once
	var result error
	return func(ctx context.Context) error {
		once.Do(func() {
			if ctx == nil {
				ctx = context.Background()
			}
			detach()
			serr := tp.Shutdown(ctx)
			if serr != nil && ctx.Err() != nil {
				// Out of time: the provider returns before stopping its
				// processor, whose goroutine would run on. Stop it, and let
				// nothing be exported after the report.
				w.closed.Store(true)
				proc.Shutdown(ctx)
			}
			if closeIdle != nil {
				closeIdle()
			}
			result = errors.Join(w.result(int(count.ended.Load())), serr)
			w.closed.Store(true)
		})
		return result
	}, nil
}

// newResource describes the service: the environment's resource attributes
// over service.name=noex, plus the SDK's own and host.name. (With a host,
// Jaeger does not try to correct clock skew between the spans of one
// process, which the tie of a reply and the end of its handling would
// trigger.)
func newResource(ctx context.Context) (*resource.Resource, error) {
	env, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithHost(), resource.WithFromEnv())
	if err != nil {
		return nil, err
	}
	return resource.Merge(resource.NewSchemaless(attribute.String("service.name", DefaultServiceName)), env)
}

// newExporter builds the exporter cfg asks for. For OTLP it gives the
// exporter an HTTP transport of its own, so that shutdown can close its
// idle connections and leave no goroutine behind; closeIdle does that.
func newExporter(ctx context.Context, cfg config) (exp sdktrace.SpanExporter, closeIdle func(), err error) {
	switch {
	case cfg.exporter != nil:
		return cfg.exporter, nil, nil
	case cfg.stdout != nil:
		exp, err := stdouttrace.New(stdouttrace.WithWriter(cfg.stdout), stdouttrace.WithPrettyPrint())
		return exp, nil, err
	}
	var opts []otlptracehttp.Option
	if !endpointSet(os.LookupEnv) {
		opts = append(opts, otlptracehttp.WithEndpointURL(DefaultEndpoint+"/v1/traces"))
	}
	client, transport := httpClient()
	if client != nil {
		opts = append(opts, otlptracehttp.WithHTTPClient(client))
		closeIdle = transport.CloseIdleConnections
	}
	exp, err = otlptracehttp.New(ctx, opts...)
	return exp, closeIdle, err
}

// httpClient returns an HTTP client with a transport of its own, as the
// OTLP exporter would build, with the timeout of OTEL_EXPORTER_OTLP_TIMEOUT
// (default 10 s). When TLS files are configured through the environment it
// returns nil: the exporter then builds its own client, which honours them.
func httpClient() (*http.Client, *http.Transport) {
	for _, v := range []string{"CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY"} {
		for _, prefix := range []string{"OTEL_EXPORTER_OTLP_", "OTEL_EXPORTER_OTLP_TRACES_"} {
			if _, ok := os.LookupEnv(prefix + v); ok {
				return nil, nil
			}
		}
	}
	timeout := 10 * time.Second
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"} {
		if ms, err := strconv.Atoi(os.Getenv(name)); err == nil && ms > 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout}, tr
}

func stdout() *os.File { return os.Stdout }
