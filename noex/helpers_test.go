package noex_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// modes runs f in real mode and in deterministic mode under a few seeds.
func modes(t *testing.T, f func(t *testing.T, rt *noex.Runtime)) {
	t.Helper()
	modesSeeds(t, []uint64{1, 2, 3, 42}, f)
}

// modesSeeds runs f in real mode and in deterministic mode under seeds.
func modesSeeds(t *testing.T, seeds []uint64, f func(t *testing.T, rt *noex.Runtime)) {
	t.Helper()
	t.Run("real", func(t *testing.T) { f(t, newRT(t)) })
	seeded(t, seeds, f)
}

// seeded runs f in deterministic mode only, under seeds.
func seeded(t *testing.T, seeds []uint64, f func(t *testing.T, rt *noex.Runtime)) {
	t.Helper()
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { f(t, newRT(t, noex.WithSeed(seed))) })
	}
}

func newRT(t *testing.T, opts ...noex.Option) *noex.Runtime {
	t.Helper()
	rt := noex.NewRuntime(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return rt
}

// run runs body and fails the test on error.
func run(t *testing.T, rt *noex.Runtime, body func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := rt.Run(ctx, body); err != nil {
		t.Fatalf("Run (%v): %v", rt, err)
	}
}

// recorder collects the event stream. A supervisor's events come from its
// own process, in order, so the orders the supervisor tests check hold in
// real mode too.
type recorder struct {
	mu     sync.Mutex
	events []noex.Event
}

func record(rt *noex.Runtime) *recorder {
	r := &recorder{}
	rt.Observe(func(e noex.Event) {
		r.mu.Lock()
		r.events = append(r.events, e)
		r.mu.Unlock()
	})
	return r
}

func (r *recorder) all() []noex.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]noex.Event(nil), r.events...)
}

// reset forgets what was recorded.
func (r *recorder) reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}

func (r *recorder) kinds(k noex.EventKind) []noex.Event {
	var out []noex.Event
	for _, e := range r.all() {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) text() string {
	var b strings.Builder
	for _, e := range r.all() {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ---- a configurable test server ----

type op struct {
	kind string // "get", "add", "fail", "panic", "sleep", "call", "stopself", "names"
	n    int
	d    time.Duration
	to   noex.Addr
}

type srvState struct {
	n    int
	seen []int
}

type testSrv struct {
	initErr   error
	initPanic bool
	initSleep time.Duration
	initHook  func(ctx context.Context) error
	term      chan<- error // receives the Terminate reason (buffered)
	info      func(ctx context.Context, msg any, s srvState) (srvState, error)
}

func (s *testSrv) Init(ctx context.Context) (srvState, error) {
	if s.initSleep > 0 {
		noex.Sleep(ctx, s.initSleep)
	}
	if s.initPanic {
		panic("init exploded")
	}
	if s.initHook != nil {
		if err := s.initHook(ctx); err != nil {
			return srvState{}, err
		}
	}
	return srvState{}, s.initErr
}

var errHandler = errors.New("handler refused")

func (s *testSrv) HandleCall(ctx context.Context, o op, st srvState) (int, srvState, error) {
	switch o.kind {
	case "get":
		return st.n, st, nil
	case "add":
		st.n += o.n
		return st.n, st, nil
	case "fail":
		st.n = -1000 // must not be kept
		return 0, st, errHandler
	case "panic":
		panic("boom")
	case "sleep":
		noex.Sleep(ctx, o.d)
		return st.n, st, nil
	case "call":
		v, err := noex.Call(ctx, noex.RefOf[op, op, int](o.to.(noex.PID)), op{kind: "get"})
		return v, st, err
	case "self":
		v, err := noex.Call(ctx, noex.RefOf[op, op, int](noex.Self(ctx)), op{kind: "get"})
		return v, st, err
	case "stopself":
		return 0, st, noex.Stop(ctx, noex.Self(ctx), nil)
	}
	return 0, st, fmt.Errorf("unknown op %q", o.kind)
}

func (s *testSrv) HandleCast(ctx context.Context, o op, st srvState) (srvState, error) {
	switch o.kind {
	case "add":
		st.n += o.n
		st.seen = append(st.seen, o.n)
		return st, nil
	case "fail":
		return st, errHandler
	case "panic":
		panic("cast boom")
	case "sleep":
		noex.Sleep(ctx, o.d)
		return st, nil
	case "sleep-panic":
		noex.Sleep(ctx, o.d)
		panic("slow boom")
	}
	return st, nil
}

func (s *testSrv) HandleInfo(ctx context.Context, msg any, st srvState) (srvState, error) {
	if m, ok := msg.(monitorReq); ok {
		_, err := noex.Monitor(ctx, m.target)
		return st, err
	}
	if m, ok := msg.(callReq); ok {
		_, err := noex.Call(ctx, m.to, op{kind: "get"}, noex.WithTimeout(time.Hour))
		return st, err
	}
	if s.info != nil {
		return s.info(ctx, msg, st)
	}
	return st, nil
}

func (s *testSrv) Terminate(ctx context.Context, reason error, st srvState) {
	if s.term != nil {
		s.term <- reason
	}
}

type ref = noex.Ref[op, op, int]

func start(t *testing.T, ctx context.Context, s *testSrv, opts ...noex.StartOption) ref {
	t.Helper()
	r, err := noex.Start(ctx, s, opts...)
	if err != nil {
		t.Errorf("Start: %v", err) // not Fatal: bodies may run off the test goroutine
	}
	return r
}
