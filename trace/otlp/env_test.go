package otlp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/otlp"
	"go.opentelemetry.io/otel"
)

// clearOTLPEnv unsets every variable Setup reads for the destination.
func clearOTLPEnv(t *testing.T) {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_TRACES_EXPORTER"} {
		t.Setenv(name, "")
	}
}

func TestSetupRefusesWhatItCannotDo(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"OTEL_TRACES_EXPORTER", "zipkin", `OTEL_TRACES_EXPORTER="zipkin" is not supported`},
		{"OTEL_TRACES_EXPORTER", "otlp,console", `OTEL_TRACES_EXPORTER="otlp,console" is not supported`},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", `OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not supported`},
		{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json", `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json" is not supported`},
	} {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			clearOTLPEnv(t)
			t.Setenv(c.name, c.value)
			rt := noex.NewRuntime(noex.WithSeed(1))
			defer rt.Shutdown(context.Background())
			_, err := otlp.Setup(context.Background(), rt)
			if !errors.Is(err, otlp.ErrSetup) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Setup = %v, want an ErrSetup saying %q", err, c.want)
			}
		})
	}
}

func TestSetupHonoursTheEnvironment(t *testing.T) {
	t.Run("OTEL_TRACES_EXPORTER=none", func(t *testing.T) {
		clearOTLPEnv(t)
		c := newCollector(t, http.StatusOK, nil)
		t.Setenv("OTEL_TRACES_EXPORTER", "none")
		if err := runFlow(t, 1); err != nil {
			t.Fatal(err)
		}
		if names, _ := c.spans(); len(names) != 0 {
			t.Errorf("none exported %d spans", len(names))
		}
	})
	t.Run("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", func(t *testing.T) {
		clearOTLPEnv(t)
		c := newCollector(t, http.StatusOK, nil)
		t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
		t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
		if err := runFlow(t, 1); err != nil {
			t.Fatal(err)
		}
		if names, _ := c.spans(); len(names) == 0 {
			t.Error("nothing exported")
		}
	})
}

// TestSetupDefaultsToLocalHTTP: with no endpoint variable, spans go to
// http://localhost:4318 over plain HTTP, where a local Jaeger listens.
func TestSetupDefaultsToLocalHTTP(t *testing.T) {
	clearOTLPEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:4318")
	if err != nil {
		t.Skipf("port 4318 is taken (a collector is running?), cannot stand in for it: %v", err)
	}
	var hits atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/traces" && r.TLS == nil {
			hits.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	if err := runFlow(t, 1); err != nil {
		t.Fatalf("export to the default endpoint: %v", err)
	}
	if hits.Load() == 0 {
		t.Error("nothing reached http://localhost:4318/v1/traces")
	}
}

// errorRecorder is an otel.ErrorHandler that counts what it is given.
type errorRecorder struct{ n atomic.Int64 }

func (e *errorRecorder) Handle(error) { e.n.Add(1) }

// TestExportFailureIsReportedOnce: the shutdown function reports it, and
// OpenTelemetry's global error handler (which logs) does not see it.
func TestExportFailureIsReportedOnce(t *testing.T) {
	clearOTLPEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+addr)
	rec := &errorRecorder{}
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(rec)
	defer otel.SetErrorHandler(prev)
	if err := runFlow(t, 1); !errors.Is(err, otlp.ErrExport) {
		t.Fatalf("shutdown = %v, want ErrExport", err)
	}
	if n := rec.n.Load(); n != 0 {
		t.Errorf("the global error handler got the failure %d times as well", n)
	}
}
