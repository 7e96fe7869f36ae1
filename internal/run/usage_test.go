package run_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

// A bad command line is refused with the problem and a usage line.
func TestParseFlagsRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // in what ParseFlags prints
	}{
		{[]string{"-seed", "5", "-real"}, "-seed and -real exclude each other"},
		{[]string{"-real", "-seed=1"}, "-seed and -real exclude each other"},
		{[]string{"-mermaid", "-diagram=list"}, "-mermaid and -diagram exclude each other"},
		{[]string{"-events", "-mermaid"}, "-mermaid and -events exclude each other"},
		{[]string{"diagram"}, `unexpected argument "diagram": flags start with a dash (-diagram)`},
		{[]string{"-events", "seed=3"}, `unexpected argument "seed=3": flags start with a dash (-seed=3)`},
		{[]string{"notifications"}, `unexpected argument "notifications": an example takes only flags`},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"-seed", "x"}, `invalid value "x" for flag -seed`},
	} {
		var stderr strings.Builder
		_, err := run.ParseFlags("counter", c.args, &stderr)
		if !errors.Is(err, run.ErrUsage) {
			t.Errorf("ParseFlags(%q) error = %v, want ErrUsage", c.args, err)
		}
		got := stderr.String()
		if !strings.HasPrefix(got, "counter: ") || !strings.Contains(got, c.want) {
			t.Errorf("ParseFlags(%q) printed %q, want %q after the program's name", c.args, got, c.want)
		}
		if !strings.Contains(got, "\nusage: counter [-seed N | -real] [-challenge NAME] [-diagram] [-events] ") || !strings.Contains(got, "counter -h") {
			t.Errorf("ParseFlags(%q) printed no usage line:\n%s", c.args, got)
		}
	}
}

// -h lists every flag.
func TestParseFlagsHelp(t *testing.T) {
	var stderr strings.Builder
	_, err := run.ParseFlags("counter", []string{"-h"}, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h gave %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"usage: counter [-seed N | -real]", "-diagram", "-events", "-mermaid", "-otlp", "-real", "-seed N"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-h printed no %q:\n%s", want, stderr.String())
		}
	}
}

// mainArgsEnv makes the test binary run run.Main with these arguments
// (space-separated) instead of its tests.
const mainArgsEnv = "RUN_TEST_MAIN_ARGS"

// TestRunMain is the child process of TestMainExitCodes.
func TestRunMain(t *testing.T) {
	args, ok := os.LookupEnv(mainArgsEnv)
	if !ok {
		return
	}
	os.Args = append([]string{"/tmp/build/exe/counter"}, strings.Fields(args)...)
	run.Main(start, second)
	os.Exit(0)
}

// Main exits with status 2 and says why on a bad command line, and with 0
// and the example's output on a good one.
func TestMainExitCodes(t *testing.T) {
	for _, c := range []struct {
		args, stdout, stderr string
		code                 int
	}{
		{"-seed 5", "first\nsecond phase\nlast\n", "", 0},
		{"-seed 5 -real", "", "counter: -seed and -real exclude each other", 2},
		{"diagram", "", "counter: unexpected argument \"diagram\": flags start with a dash (-diagram)\nusage: counter [-seed N | -real]", 2},
		{"-h", "", "usage: counter", 0},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRunMain$")
		cmd.Env = append(os.Environ(), mainArgsEnv+"="+c.args)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || stdout.String() != c.stdout || !strings.Contains(stderr.String(), c.stderr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
				c.args, code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
		}
	}
}

// Config.Exporter exports the trace in any build: it is attached before
// the run and shut down after it; its errors are the run's.
func TestExporter(t *testing.T) {
	var calls []string
	cfg := run.DefaultConfig()
	cfg.OTLP = true
	cfg.Exporter = func(ctx context.Context, rt *noex.Runtime) (func(context.Context) error, error) {
		calls = append(calls, "setup")
		detach := rt.Observe(func(e noex.Event) {
			if e.Kind == noex.ProcessStarted && len(calls) == 1 {
				calls = append(calls, "event")
			}
		})
		return func(context.Context) error {
			detach()
			calls = append(calls, "shutdown")
			return errors.New("flush failed")
		}, nil
	}
	_, err := run.Once(context.Background(), cfg, start)
	if err == nil || !strings.Contains(err.Error(), "-otlp: flush failed") {
		t.Errorf("error = %v, want the exporter's shutdown error under -otlp", err)
	}
	if got := strings.Join(calls, " "); got != "setup event shutdown" {
		t.Errorf("exporter calls = %q, want setup, an event, shutdown", got)
	}
	cfg.Exporter = func(context.Context, *noex.Runtime) (func(context.Context) error, error) {
		return nil, errors.New("no collector")
	}
	res, err := run.Once(context.Background(), cfg, start)
	if err == nil || !strings.Contains(err.Error(), "-otlp: no collector") || res.Output != "" {
		t.Errorf("a failing setup gave %v and output %q, want the error and no run", err, res.Output)
	}
}
