// Package helpers holds the cases of calls from handlers: to helpers of
// the same package and of another one (through facts), to methods on
// pointer receivers, to generic functions, through closures, and the
// calls that are not followed (interfaces, function values).
package helpers

import (
	"context"
	"time"

	"example.com/app/helpers/util"
	"github.com/noex-go/noex/noex"
)

// Worker is a Behavior whose handlers reach escapes through helpers.
type Worker struct {
	Pacer   *util.Pacer
	Sleeper util.Sleeper
	Hook    func()
}

type state struct{ done int }

// flush sleeps, on a pointer receiver.
func (s *state) flush() { time.Sleep(time.Millisecond) }

func pause() { nap() }

func nap() { time.Sleep(time.Millisecond) }

func (w *Worker) Init(ctx context.Context) (*state, error) { // want Init:"calls util.Wait"
	util.Wait(time.Millisecond) // want `^calls util\.Wait, which calls time\.Sleep at util\.go:14: time\.Sleep blocks outside the runtime; use noex\.Sleep\(ctx, d\)$`
	return &state{}, nil
}

func (w *Worker) HandleCall(ctx context.Context, n int, st *state) (int, *state, error) { // want HandleCall:"^calls \\(\\*helpers.state\\).flush, which calls time.Sleep at helpers.go:25$"
	pause()         // want `^calls pause, which calls nap, which calls time\.Sleep at helpers\.go:29: time\.Sleep blocks`
	_ = util.Deep() // want `^calls util\.Deep, which calls util\.stamp, which calls time\.Now at util\.go:22: time\.Now reads the wall clock`
	w.Pacer.Pause() // want `^calls \(\*util\.Pacer\)\.Pause, which calls util\.Wait, which calls time\.Sleep at util\.go:14`
	st.flush()      // want `^calls \(\*state\)\.flush, which calls time\.Sleep at helpers\.go:25`
	return util.Clean(n), st, w.Pacer.Right(ctx)
}

func (w *Worker) HandleCast(ctx context.Context, n int, st *state) (*state, error) { // want HandleCast:"^calls time.Sleep at helpers.go:48$"
	_, err := util.Retry(func() (int, error) { return n, nil }) // want `^calls util\.Retry, which calls time\.Sleep`
	// A closure defined in the handler runs as part of it.
	later := func() {
		time.Sleep(time.Millisecond) // want `^time\.Sleep blocks`
	}
	later()
	return st, err
}

// HandleInfo calls through an interface and a function value: those calls
// are not followed.
func (w *Worker) HandleInfo(ctx context.Context, msg any, st *state) (*state, error) {
	w.Sleeper.Sleep()
	w.Hook()
	apply(func() {}) // a literal handed to a function runs where that function calls it; scanned as part of the handler
	return st, nil
}

func apply(f func()) { f() }

// Cache is a generic Behavior with pointer receivers.
type Cache[K comparable, V any] struct{}

func (c *Cache[K, V]) Init(ctx context.Context) (map[K]V, error) { return map[K]V{}, nil }

func (c *Cache[K, V]) HandleCall(ctx context.Context, k K, st map[K]V) (V, map[K]V, error) { // want HandleCall:"calls time.Sleep"
	time.Sleep(time.Millisecond) // want `^time\.Sleep blocks`
	return st[k], st, nil
}

func (c *Cache[K, V]) HandleCast(ctx context.Context, kv struct { // want HandleCast:"calls helpers.get, which calls time.Now"
	K K
	V V
}, st map[K]V) (map[K]V, error) {
	_ = get[K](st, kv.K) // want `^calls get, which calls time\.Now at helpers\.go:\d+`
	st[kv.K] = kv.V
	return st, nil
}

func get[K comparable, V any](m map[K]V, k K) V {
	_ = time.Now()
	return m[k]
}

var _ noex.Behavior[map[string]int, string, struct {
	K string
	V int
}, int] = &Cache[string, int]{}

// Embedder gets its HandleInfo from util.Base: reported at the type.
type Embedder struct { // want `^embeds util\.Base\.HandleInfo, which calls time\.Sleep at util\.go:\d+: time\.Sleep blocks`
	util.Base
}

func (Embedder) Init(ctx context.Context) (int, error) { return 0, nil }

func (Embedder) HandleCall(ctx context.Context, n int, st int) (int, int, error) { return n, st, nil }

func (Embedder) HandleCast(ctx context.Context, n int, st int) (int, error) { return st, nil }
