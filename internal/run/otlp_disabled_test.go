//go:build !otlp

package run_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/noex-go/noex/internal/run"
)

// Without the otlp tag and without an Exporter, -otlp fails before the run
// and says how to build with the exporter.
func TestOTLPNeedsTag(t *testing.T) {
	cfg := run.DefaultConfig()
	cfg.OTLP = true
	res, err := run.Once(context.Background(), cfg, start)
	if !errors.Is(err, run.ErrNoExporter) || !strings.Contains(err.Error(), "go run -tags otlp ") {
		t.Errorf("error = %v, want ErrNoExporter with the command to use", err)
	}
	if res.Output != "" {
		t.Errorf("the example ran: %q", res.Output)
	}
}

// Main refuses -otlp with the exact command line that builds the example
// with the exporter, its arguments included.
func TestMainOTLPNeedsTag(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunMain$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"=-seed 7 -otlp")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2; stderr:\n%s", err, stderr.String())
	}
	if want := "go run -tags otlp github.com/noex-go/noex/internal/run.test -seed 7 -otlp"; !strings.Contains(stderr.String(), want) || stdout.Len() != 0 {
		t.Errorf("stderr %q, stdout %q; want %q on stderr only", stderr.String(), stdout.String(), want)
	}
}
