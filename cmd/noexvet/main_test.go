package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// build builds the command into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "noexvet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs a command in dir and returns its combined output and exit code.
func run(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// The newcomer's worker (testdata/worker) sleeps on the wall clock, directly
// and through a helper of another package; both ways of running the command
// name time.Sleep at the line, with its replacement, and fail. go vet's
// output is testdata/vet.golden, which the docs quote.
func TestNewcomerIsToldAtTheLine(t *testing.T) {
	bin := build(t)
	golden, err := os.ReadFile(filepath.Join("testdata", "vet.golden"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(golden)), "\n")
	for _, tc := range []struct {
		name string
		cmd  []string
	}{
		{"go vet -vettool", []string{"go", "vet", "-vettool=" + bin, "./..."}},
		{"the command", []string{bin, "./..."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := run(t, "testdata", tc.cmd[0], tc.cmd[1:]...)
			if code == 0 {
				t.Errorf("exit status 0, want a failure; output:\n%s", out)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if n := strings.Count(out, "worker.go:"); n != len(want) {
				t.Errorf("%d findings in worker.go, want %d:\n%s", n, len(want), out)
			}
			if tc.name == "go vet -vettool" && findings(out) != string(golden) {
				t.Errorf("go vet printed:\n%s\nwant testdata/vet.golden:\n%s", out, golden)
			}
		})
	}
}

// -fix rewrites the worker's time.Sleep into noex.Sleep with the handler's
// ctx; the helper's call has no fix, as the sleep is in another package.
func TestFix(t *testing.T) {
	bin := build(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata")); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("=> ../../.."), []byte("=> "+root), 1)
	if err := os.WriteFile(mod, data, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, bin, "-fix", "./worker")
	got, err := os.ReadFile(filepath.Join(dir, "worker", "worker.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte("\tnoex.Sleep(ctx, 20*time.Millisecond)")) || bytes.Contains(got, []byte("time.Sleep")) {
		t.Errorf("after -fix, worker.go is:\n%s", got)
	}
	if out, code := run(t, dir, "go", "build", "./..."); code != 0 {
		t.Errorf("the fixed module does not build:\n%s", out)
	}
}

// findings returns the lines of go vet's output without its "# package"
// headers.
func findings(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		if !strings.HasPrefix(line, "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}
