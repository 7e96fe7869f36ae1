//go:build otlp

package run_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/noex-go/noex/internal/run"
)

// These tests run in a build with -tags otlp (CI runs them), where -otlp
// exports over OTLP/HTTP without a Config.Exporter.

// -otlp exports the run to the collector the OTEL_* variables name.
func TestOTLP(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	cfg := run.DefaultConfig()
	cfg.OTLP = true
	if _, err := run.Once(context.Background(), cfg, start, second); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) == 0 || paths[0] != "POST /v1/traces" {
		t.Errorf("the collector received %q, want POST /v1/traces", paths)
	}
}

// A collector that is not there is an error, not a silent loss.
func TestOTLPUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)
	t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
	cfg := run.DefaultConfig()
	cfg.OTLP = true
	_, err := run.Once(context.Background(), cfg, start)
	if err == nil || !strings.Contains(err.Error(), "-otlp") {
		t.Fatalf("export to a closed port = %v, want an -otlp error", err)
	}
	// Said once, and without the seed: the run itself did not fail.
	got := run.Explain(cfg, err)
	if strings.Contains(got, "seed") || strings.Count(got, "connection refused") != 1 {
		t.Errorf("Explain of an export failure = %q, want the failure once and no seed hint", got)
	}
	// A run that fails and whose export fails too keeps the hint.
	boom := func(context.Context, io.Writer) error { return errors.New("boom") }
	_, err = run.Once(context.Background(), cfg, start, boom)
	if got := run.Explain(cfg, err); !strings.Contains(got, "-seed 1") {
		t.Errorf("Explain of a failed run = %q, want the seed hint", got)
	}
}
