//go:build unix

package jaegertest_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeGo stands in for the go command in .ci/jaeger.sh's build: "go list"
// does nothing, "go build -o FILE" records itself in $STUB_DIR/builds, waits
// until the test creates $STUB_DIR/release (or removes $STUB_DIR), and
// writes FILE.
const fakeGo = `#!/bin/sh
case $1 in
list) exit 0 ;;
build)
	out=
	while [ $# -gt 0 ]; do
		[ "$1" = -o ] && out=$2
		shift
	done
	echo build >>"$STUB_DIR/builds"
	while [ ! -e "$STUB_DIR/release" ]; do
		[ -d "$STUB_DIR" ] || exit 1 # the test has ended
		sleep 0.05
	done
	printf '#!/bin/sh\n' >"$out"
	exit 0 ;;
esac
exit 1
`

// build is one run of "bash .ci/jaeger.sh build" whose stderr is read line
// by line.
type build struct {
	cmd    *exec.Cmd
	stdout strings.Builder
	lines  chan string // stderr, closed at EOF
	seen   []string
}

func startBuild(t *testing.T, env []string) *build {
	t.Helper()
	script, err := filepath.Abs("../../../.ci/jaeger.sh")
	if err != nil {
		t.Fatal(err)
	}
	b := &build{cmd: exec.Command("bash", script, "build"), lines: make(chan string, 64)}
	b.cmd.Env = env
	// Its own process group, so that a failed test ends the script and
	// its stub go together.
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	b.cmd.Stdout = &b.stdout
	stderr, err := b.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b.cmd.ProcessState == nil {
			syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
			b.cmd.Wait()
		}
	})
	go func() {
		defer close(b.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.lines <- sc.Text()
		}
		io.Copy(io.Discard, stderr)
	}()
	return b
}

// waitFor reads stderr until a line contains want.
func (b *build) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		select {
		case l, ok := <-b.lines:
			if !ok {
				t.Fatalf("the build ended without saying %q; it said:\n%s", want, strings.Join(b.seen, "\n"))
			}
			b.seen = append(b.seen, l)
			if strings.Contains(l, want) {
				return
			}
		case <-deadline.C:
			t.Fatalf("no %q after a minute; the build said:\n%s", want, strings.Join(b.seen, "\n"))
		}
	}
}

// finish waits for the build and returns its stdout and all of stderr.
func (b *build) finish(t *testing.T) (stdout, stderr string) {
	t.Helper()
	for l := range b.lines {
		b.seen = append(b.seen, l)
	}
	if err := b.cmd.Wait(); err != nil {
		t.Fatalf("build failed: %v; it said:\n%s", err, strings.Join(b.seen, "\n"))
	}
	return b.stdout.String(), strings.Join(b.seen, "\n")
}

// buildEnv makes a cache, a stub directory and a fake go, and returns the
// environment of a build that uses them.
func buildEnv(t *testing.T, lock string) (env []string, stub, cache string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dir := t.TempDir()
	stub, cache = filepath.Join(dir, "stub"), filepath.Join(dir, "cache")
	bin := filepath.Join(dir, "bin")
	for _, d := range []string{stub, bin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"NOEX_JAEGER_CACHE="+cache, "STUB_DIR="+stub, "NOEX_JAEGER_LOCK="+lock)
	return env, stub, cache
}

// Two builds into one cache: the second waits for the first and reuses its
// binary, and go build runs once. With flock and with the lock directory.
func TestBuildLock(t *testing.T) {
	for _, lock := range []string{"", "mkdir"} {
		name := lock
		if name == "" {
			name = "flock"
		}
		t.Run(name, func(t *testing.T) {
			if lock == "" {
				if _, err := exec.LookPath("flock"); err != nil {
					t.Skip("flock is not installed (the mkdir case covers the fallback)")
				}
			}
			env, stub, cache := buildEnv(t, lock)
			first := startBuild(t, env)
			first.waitFor(t, "building jaeger") // it holds the lock
			second := startBuild(t, env)
			second.waitFor(t, "waiting for it")
			if err := os.WriteFile(filepath.Join(stub, "release"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			bin := filepath.Join(cache, "jaeger")
			for i, b := range []*build{first, second} {
				out, said := b.finish(t)
				if strings.TrimSpace(out) != bin {
					t.Errorf("build %d printed %q, want the binary's path %q", i+1, out, bin)
				}
				if i == 1 && !strings.Contains(said, "the other build is done") {
					t.Errorf("the second build did not reuse the first's binary; it said:\n%s", said)
				}
			}
			builds, err := os.ReadFile(filepath.Join(stub, "builds"))
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(builds), "build\n"); n != 1 {
				t.Errorf("go build ran %d times, want once", n)
			}
			if _, err := os.Stat(filepath.Join(cache, ".build.lock.d")); !os.IsNotExist(err) {
				t.Errorf("the lock directory is still there after the builds (stat: %v)", err)
			}
		})
	}
}

// A lock directory left by a build that died is taken over.
func TestBuildLockStale(t *testing.T) {
	env, stub, cache := buildEnv(t, "mkdir")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	lockdir := filepath.Join(cache, ".build.lock.d")
	if err := os.MkdirAll(lockdir, 0o755); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(dead.ProcessState.Pid())
	if err := os.WriteFile(filepath.Join(lockdir, "pid"), []byte(pid+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stub, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b := startBuild(t, env)
	out, said := b.finish(t)
	if !strings.Contains(said, "taking over the lock of build "+pid) {
		t.Errorf("the stale lock was not reported; the build said:\n%s", said)
	}
	if want := filepath.Join(cache, "jaeger"); strings.TrimSpace(out) != want {
		t.Errorf("build printed %q, want %q", out, want)
	}
}
