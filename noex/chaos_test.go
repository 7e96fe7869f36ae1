package noex_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// The chaos scenario: supervisor trees and free workers; crashes, kills,
// stops, poison messages sent from Terminate, slow and panicking
// Terminates, calls between workers; then Shutdown. Every seed must shut
// down cleanly (every process ended, no name, no timer, no goroutine left;
// Shutdown's error made only of abnormal ends) and give the same event log
// on every run.

// chaosSeeds is the number of seeds TestChaosShutsDownCleanly runs:
// NOEX_CHAOS_SEEDS, or 300 (60 under -short).
func chaosSeeds(t *testing.T) int {
	if s := os.Getenv("NOEX_CHAOS_SEEDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("NOEX_CHAOS_SEEDS=%q: want a positive number", s)
		}
		return n
	}
	if testing.Short() {
		return 60
	}
	return 300
}

// chaosWorker is a worker of the scenario; its fields are drawn from the
// scenario's seed.
type chaosWorker struct {
	slowTerm  time.Duration // Terminate sleeps this long
	poison    string        // Terminate casts a crash to this name
	termPanic bool          // Terminate panics
}

type chaosMsg struct {
	op   string // "work", "crash", "call", "poison", "stop"
	peer string
	d    time.Duration
}

func (w *chaosWorker) Init(ctx context.Context) (int, error) { return 0, nil }

func (w *chaosWorker) HandleCall(ctx context.Context, m chaosMsg, n int) (int, int, error) {
	if m.op == "crash" {
		panic("chaos: call crash")
	}
	return n, n + 1, nil
}

func (w *chaosWorker) HandleCast(ctx context.Context, m chaosMsg, n int) (int, error) {
	to := noex.Name[chaosMsg, chaosMsg, int](m.peer)
	switch m.op {
	case "work":
		noex.Sleep(ctx, m.d)
	case "crash":
		panic("chaos: crash")
	case "call":
		noex.Call(ctx, to, chaosMsg{op: "work"}, noex.WithTimeout(m.d+time.Millisecond))
	case "poison":
		noex.Cast(ctx, to, chaosMsg{op: "crash"})
	case "stop":
		noex.Stop(ctx, to, noex.ErrShutdown)
	}
	return n + 1, nil
}

func (w *chaosWorker) Terminate(ctx context.Context, reason error, n int) {
	if w.poison != "" {
		noex.Cast(ctx, noex.Name[chaosMsg, chaosMsg, int](w.poison), chaosMsg{op: "crash"})
	}
	if w.slowTerm > 0 {
		noex.Sleep(ctx, w.slowTerm)
	}
	if w.termPanic {
		panic("chaos: terminate")
	}
}

// chaos builds the scenario of one seed.
type chaos struct {
	r     *rand.Rand
	unit  time.Duration // of every delay: a millisecond of virtual time, less in real mode
	names []string      // every worker's name
}

func newChaos(seed uint64, unit time.Duration) *chaos {
	return &chaos{r: rand.New(rand.NewPCG(seed, 0xc4a05)), unit: unit}
}

func (c *chaos) delay(n int) time.Duration { return time.Duration(c.r.IntN(n)) * c.unit }

func (c *chaos) worker() *chaosWorker {
	w := &chaosWorker{}
	if c.r.IntN(3) == 0 {
		w.slowTerm = c.unit + c.delay(3000)
	}
	if c.r.IntN(4) == 0 && len(c.names) > 0 {
		w.poison = c.names[c.r.IntN(len(c.names))]
	}
	w.termPanic = c.r.IntN(8) == 0
	return w
}

func (c *chaos) name() string {
	n := "w" + strconv.Itoa(len(c.names))
	c.names = append(c.names, n)
	return n
}

// spec returns a supervisor spec with depth levels of nesting below it.
func (c *chaos) spec(depth int) noex.SupervisorSpec {
	spec := noex.SupervisorSpec{Strategy: noex.Strategy(c.r.IntN(3)), MaxRestarts: 2 + c.r.IntN(4),
		Within: c.unit * 1000 * time.Duration(1+c.r.IntN(3))}
	for i := range 2 + c.r.IntN(3) {
		if depth > 0 && c.r.IntN(3) == 0 {
			sub := c.spec(depth - 1)
			spec.Children = append(spec.Children, noex.ChildSpec{ID: "sup" + strconv.Itoa(i), Shutdown: 10000 * c.unit,
				Start: func(ctx context.Context) (noex.PID, error) {
					s, err := noex.StartSupervisor(ctx, sub)
					return s.PID(), err
				}})
			continue
		}
		child := noex.ServerChild(c.name(), c.worker(), noex.WithName(c.names[len(c.names)-1]))
		child.Restart = noex.Restart(c.r.IntN(3))
		child.Shutdown = 500*c.unit + c.delay(2000)
		spec.Children = append(spec.Children, child)
	}
	return spec
}

// body starts the trees and the free workers, then acts at random.
func (c *chaos) body(ctx context.Context) error {
	for range 1 + c.r.IntN(2) {
		if _, err := noex.StartSupervisor(ctx, c.spec(2)); err != nil {
			return err
		}
	}
	for range 2 + c.r.IntN(4) {
		if _, err := noex.Start(ctx, c.worker(), noex.WithName(c.name())); err != nil {
			return err
		}
	}
	for range 10 + c.r.IntN(30) {
		i := c.r.IntN(len(c.names))
		to := noex.Name[chaosMsg, chaosMsg, int](c.names[i])
		peer := c.names[c.r.IntN(len(c.names))]
		d := c.delay(50)
		switch c.r.IntN(10) {
		case 0:
			noex.Cast(ctx, to, chaosMsg{op: "crash"})
		case 1:
			noex.Kill(ctx, to, nil)
		case 2:
			noex.Stop(ctx, to, noex.ErrShutdown)
		case 3:
			noex.Cast(ctx, to, chaosMsg{op: "poison", peer: peer})
		case 4:
			noex.Cast(ctx, to, chaosMsg{op: "call", peer: peer, d: d})
		case 5:
			// A worker stops only newer ones: a cycle of stops is a
			// deadlock (real mode fails its waits; deterministic mode,
			// which sees that nothing can progress, the run).
			if i+1 < len(c.names) {
				noex.Cast(ctx, to, chaosMsg{op: "stop", peer: c.names[i+1+c.r.IntN(len(c.names)-i-1)]})
			}
		case 6:
			noex.Call(ctx, to, chaosMsg{op: "crash"}, noex.WithTimeout(1000*c.unit))
		case 7:
			noex.Sleep(ctx, d)
		default:
			noex.Cast(ctx, to, chaosMsg{op: "work", d: d})
		}
	}
	return nil
}

// runChaos runs the scenario of seed and shuts it down; it returns the
// event log and what went wrong, if anything.
func runChaos(seed uint64, unit time.Duration, opts ...noex.Option) (string, error) {
	rt := noex.NewRuntime(opts...)
	var log strings.Builder
	rt.Observe(func(e noex.Event) { log.WriteString(e.String()); log.WriteByte('\n') })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := rt.Run(ctx, newChaos(seed, unit).body); err != nil {
		rt.Shutdown(ctx)
		return log.String(), fmt.Errorf("Run: %w", err)
	}
	if err := onlyAbnormalEnds(rt.Shutdown(ctx)); err != nil {
		return log.String(), fmt.Errorf("Shutdown: %w", err)
	}
	if ps := rt.Processes(); len(ps) > 0 {
		return log.String(), fmt.Errorf("left running after Shutdown: %v", ps)
	}
	if names := rt.Registry().Names(); len(names) > 0 {
		return log.String(), fmt.Errorf("left registered after Shutdown: %v", names)
	}
	if n := rt.PendingTimers(); n > 0 {
		return log.String(), fmt.Errorf("%d timers left after Shutdown", n)
	}
	return log.String(), nil
}

// onlyAbnormalEnds returns err unless it only reports processes that ended
// abnormally (each a *CallError of a stop), which chaos is made of.
func onlyAbnormalEnds(err error) error {
	if err == nil {
		return nil
	}
	list, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	for _, e := range list.Unwrap() {
		if ce, ok := e.(*noex.CallError); !ok || ce.Op != "stop" || errors.Is(e, noex.ErrNotRunning) {
			return err
		}
	}
	return nil
}

// TestChaosShutsDownCleanly: before, a quarter of such seeds failed to
// shut down (Shutdown gave up at the first crash, leaving processes, names
// and goroutines behind).
func TestChaosShutsDownCleanly(t *testing.T) {
	n := chaosSeeds(t)
	start := time.Now()
	digest := sha256.New() // of every log: compare it across GOMAXPROCS and machines
	for seed := uint64(1); seed <= uint64(n); seed++ {
		first, err := runChaos(seed, time.Millisecond, noex.WithSeed(seed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		second, err := runChaos(seed, time.Millisecond, noex.WithSeed(seed))
		if err != nil {
			t.Fatalf("seed %d, second run: %v", seed, err)
		}
		if first != second {
			t.Fatalf("seed %d: the logs of two runs differ: %s", seed, firstDiff(first, second))
		}
		digest.Write([]byte(first))
		if seed%1000 == 0 {
			t.Logf("%d seeds in %v", seed, time.Since(start).Round(time.Second))
		}
	}
	t.Logf("%d seeds, 2 runs each, identical logs (digest %x), clean shutdowns, in %v",
		n, digest.Sum(nil)[:8], time.Since(start).Round(time.Millisecond))
}

// TestChaosShutsDownCleanlyInRealMode runs the same scenario with real
// concurrency, its delays in tens of microseconds (logs are not compared:
// real mode is not deterministic).
func TestChaosShutsDownCleanlyInRealMode(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		if _, err := runChaos(seed, 10*time.Microsecond); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}
