package noextest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// fakeT is a noextest.TB that records what the kit reports, so that tests
// can check the failure messages. run executes a test body on it the way
// the testing package does: in its own goroutine (Fatalf ends it), then the
// cleanups, last first.
type fakeT struct {
	name     string
	mu       sync.Mutex
	logs     []string
	errs     []string
	fatal    bool
	cleanups []func()
}

var _ noextest.TB = (*fakeT)(nil)

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock() //noexvet:ignore the fake's lock is held only to record a line
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
	f.fatal = true
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeT) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}
func (f *fakeT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errs) > 0
}

// errors returns everything reported with Errorf or Fatalf, joined.
func (f *fakeT) errText() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errs, "\n")
}

func (f *fakeT) logText() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.logs, "\n")
}

// runFake runs body on a fresh fakeT named name, then its cleanups.
func runFake(name string, body func(t *fakeT)) *fakeT {
	f := &fakeT{name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			for i := len(f.cleanups) - 1; i >= 0; i-- {
				f.cleanups[i]()
			}
		}()
		body(f)
	}()
	<-done
	return f
}

// wantContains fails t unless text contains every one of subs.
func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not contain %q; it is:\n%s", what, s, text)
		}
	}
}

// A counter server, the usual subject.

type counter struct{}

type (
	get   struct{}
	inc   struct{ By int }
	fail  struct{} // a cast that returns an error
	boom  struct{} // a cast that panics
	value struct{ N int }
)

func (counter) Init(ctx context.Context) (int, error) { return 0, nil }
func (counter) HandleCall(ctx context.Context, _ get, n int) (value, int, error) {
	return value{n}, n, nil
}
func (counter) HandleCast(ctx context.Context, m any, n int) (int, error) {
	switch m := m.(type) {
	case inc:
		return n + m.By, nil
	case fail:
		return n, errors.New("cannot")
	case boom:
		panic("boom")
	}
	return n, nil
}

type counterRef = noex.Ref[get, any, value]

func startCounter(ctx context.Context, name string) (counterRef, error) {
	var opts []noex.StartOption
	if name != "" {
		opts = append(opts, noex.WithName(name))
	}
	return noex.Start[int, get, any, value](ctx, counter{}, opts...)
}
