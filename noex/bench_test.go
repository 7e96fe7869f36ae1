package noex_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/noex-go/noex/internal/naive"
	"github.com/noex-go/noex/noex"
)

// The baseline: a naive server, one goroutine reading requests from a
// channel, as one would write it without a runtime (package naive).

// adder does what the baseline does: add to an int, reply with it.
type adder struct{}

func (adder) Init(ctx context.Context) (int, error) { return 0, nil }
func (adder) HandleCall(ctx context.Context, n int, s int) (int, int, error) {
	return s + n, s + n, nil
}
func (adder) HandleCast(ctx context.Context, n int, s int) (int, error) { return s + n, nil }

// naiveCallTimeout is the same call with a timeout, as noex.Call has one:
// the naive way, with time.After.
func naiveCallTimeout(reqs chan<- naive.Req, n int) int {
	reply := make(chan int, 1)
	reqs <- naive.Req{N: n, Reply: reply}
	select {
	case v := <-reply:
		return v
	case <-time.After(5 * time.Second):
		return -1
	}
}

func BenchmarkCall(b *testing.B) {
	b.Run("baseline-timeout", func(b *testing.B) {
		reqs, done := make(chan naive.Req, 1024), make(chan struct{})
		go naive.Serve(reqs, done)
		for b.Loop() {
			naiveCallTimeout(reqs, 1)
		}
		close(reqs)
		<-done
	})
	b.Run("baseline", func(b *testing.B) {
		reqs, done := make(chan naive.Req, 1024), make(chan struct{})
		go naive.Serve(reqs, done)
		for b.Loop() {
			naive.Call(reqs, 1)
		}
		close(reqs)
		<-done
	})
	b.Run("noex", func(b *testing.B) {
		benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
			c, _ := noex.Start(ctx, adder{})
			for b.Loop() {
				noex.Call(ctx, c, 1)
			}
		})
	})
}

func BenchmarkCast(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		reqs, done := make(chan naive.Req, 1<<16), make(chan struct{})
		go naive.Serve(reqs, done)
		for b.Loop() {
			reqs <- naive.Req{N: 1}
		}
		naive.Call(reqs, 0)
		close(reqs)
		<-done
	})
	b.Run("noex", func(b *testing.B) {
		benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
			c, _ := noex.Start(ctx, adder{})
			for b.Loop() {
				noex.Cast(ctx, c, 1)
			}
			noex.Call(ctx, c, 0)
		})
	})
}

func BenchmarkStartStop(b *testing.B) {
	// The baseline's start waits until the server goroutine runs (its
	// "init"), and its stop until it has ended, as Start and Stop do.
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			reqs, ready, done := make(chan naive.Req), make(chan struct{}), make(chan struct{})
			go func() { close(ready); naive.Serve(reqs, done) }()
			<-ready
			close(reqs)
			<-done
		}
	})
	b.Run("noex", func(b *testing.B) {
		benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
			for b.Loop() {
				c, _ := noex.Start(ctx, adder{})
				noex.Stop(ctx, c, nil)
			}
		})
	})
}

// A million casts queued, then drained by one call: the mailbox is O(1) per
// message (noex 0.1.1 needs minutes for this).
func BenchmarkMillionCastsThenCall(b *testing.B) {
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		c, _ := noex.Start(ctx, adder{})
		for b.Loop() {
			for i := 0; i < 1_000_000; i++ {
				noex.Cast(ctx, c, 1)
			}
			noex.Call(ctx, c, 0, noex.WithTimeout(time.Minute))
		}
	})
}

func BenchmarkRegistryLookup(b *testing.B) {
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		rt := noex.RuntimeOf(ctx)
		for i := 0; i < 100; i++ {
			c, _ := noex.Start(ctx, &testSrv{})
			rt.Registry().Register("svc-"+string(rune('a'+i%26))+itoa3(i), c.PID())
		}
		reg := rt.Registry()
		for b.Loop() {
			reg.Lookup("svc-a000")
		}
	})
}

func itoa3(i int) string {
	return string([]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)})
}

// Deterministic mode: scheduler steps per second on a call ping-pong.
func BenchmarkDeterministicSteps(b *testing.B) {
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithStepBudget(math.MaxUint64))
	var steps uint64
	start := time.Now()
	benchRun(b, rt, func(ctx context.Context) {
		c, _ := noex.Start(ctx, adder{})
		before := rt.Steps()
		start = time.Now()
		for b.Loop() {
			noex.Call(ctx, c, 1)
		}
		steps = rt.Steps() - before
	})
	b.ReportMetric(float64(steps)/time.Since(start).Seconds(), "steps/s")
}

func benchRun(b *testing.B, rt *noex.Runtime, body func(ctx context.Context)) {
	b.Helper()
	b.ReportAllocs()
	ctx := context.Background()
	if err := rt.Run(ctx, func(ctx context.Context) error { body(ctx); return nil }); err != nil {
		b.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
}

// alternate runs b.N operations of each of two sides, in windows of window
// operations, the sides taking turns (and turns at going first), so that
// both see the same machine load, which on a shared machine varies more
// between runs than the two sides differ. It returns the time each side
// took, and reports cpu-ratio: the CPU time of the process (every
// goroutine, the collector's too) while the second side ran over the same
// while the first did. A side that loses its CPU to the machine's other work
// in the middle of a window pays for it in time, not in CPU time, so on a
// loaded machine cpu-ratio is the steadier figure of the work each side
// does (where the platform reports CPU time).
func alternate(b *testing.B, window int, run func(side, n int)) [2]time.Duration {
	b.Helper()
	var spent, cpu [2]time.Duration
	b.ResetTimer()
	for n, k := 0, 0; n < b.N; n, k = n+window, k+1 {
		w := min(window, b.N-n)
		for j := range 2 {
			j = (j + k) % 2
			start, c0 := time.Now(), cpuNow()
			run(j, w)
			spent[j] += time.Since(start)
			cpu[j] += cpuNow() - c0
		}
	}
	b.StopTimer()
	if cpu[0] > 0 {
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-ratio")
	}
	return spent
}

// runPaired alternates the baseline (sides[0]) and noex (sides[1]) and
// reports each side's ns/op and noex's ratio to the baseline.
func runPaired(b *testing.B, window int, sides [2]func(n int)) {
	b.Helper()
	spent := alternate(b, window, func(j, n int) { sides[j](n) })
	base, ours := float64(spent[0].Nanoseconds())/float64(b.N), float64(spent[1].Nanoseconds())/float64(b.N)
	b.ReportMetric(base, "baseline-ns/op")
	b.ReportMetric(ours, "noex-ns/op")
	b.ReportMetric(ours/base, "ratio")
}

// BenchmarkCallPaired is BenchmarkCall's baseline and noex sides run in
// alternating windows.
func BenchmarkCallPaired(b *testing.B) {
	reqs, done := make(chan naive.Req, 1024), make(chan struct{})
	go naive.Serve(reqs, done)
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		c, _ := noex.Start(ctx, adder{})
		runPaired(b, 256, [2]func(int){
			func(n int) {
				for range n {
					naive.Call(reqs, 1)
				}
			},
			func(n int) {
				for range n {
					noex.Call(ctx, c, 1)
				}
			},
		})
	})
	close(reqs)
	<-done
}

// BenchmarkCastPaired is BenchmarkCast's two sides in alternating windows.
// Each window ends with a call on its side, so that what a window's casts
// left queued is handled in that window's time, not in the other side's.
func BenchmarkCastPaired(b *testing.B) {
	reqs, done := make(chan naive.Req, 1<<16), make(chan struct{})
	go naive.Serve(reqs, done)
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		c, _ := noex.Start(ctx, adder{})
		runPaired(b, 1<<14, [2]func(int){
			func(n int) {
				for range n {
					reqs <- naive.Req{N: 1}
				}
				naive.Call(reqs, 0)
			},
			func(n int) {
				for range n {
					noex.Cast(ctx, c, 1)
				}
				noex.Call(ctx, c, 0)
			},
		})
	})
	close(reqs)
	<-done
}

// BenchmarkStartStopPaired is BenchmarkStartStop's two sides in
// alternating windows.
func BenchmarkStartStopPaired(b *testing.B) {
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		runPaired(b, 64, [2]func(int){
			func(n int) {
				for range n {
					reqs, ready, done := make(chan naive.Req), make(chan struct{}), make(chan struct{})
					go func() { close(ready); naive.Serve(reqs, done) }()
					<-ready
					close(reqs)
					<-done
				}
			},
			func(n int) {
				for range n {
					c, _ := noex.Start(ctx, adder{})
					noex.Stop(ctx, c, nil)
				}
			},
		})
	})
}

// relay casts itself the remaining number of hops until none is left: a
// process that is runnable for as long as it relays.
type relay struct{}

func (relay) Init(ctx context.Context) (int, error) { return 0, nil }
func (relay) HandleCall(ctx context.Context, _ int, s int) (int, int, error) {
	return s, s, nil
}
func (relay) HandleCast(ctx context.Context, hops int, s int) (int, error) {
	if hops > 0 {
		noex.Cast(ctx, noex.RefOf[int, int, int](noex.Self(ctx)), hops-1)
	}
	return s + 1, nil
}

// Deterministic mode: scheduler steps per second with n processes runnable
// at once (every decision chooses among n steps). The cost of a step must
// not grow with n.
func BenchmarkDeterministicStepsRunnable(b *testing.B) {
	for _, n := range benchProcs {
		b.Run(fmt.Sprintf("procs=%d", n), func(b *testing.B) { benchRunnable(b, n, "random") })
	}
}

// Every strategy on ten runnable processes: the cost of a step.
func BenchmarkDeterministicStepsStrategy(b *testing.B) {
	for _, spec := range []string{"random", "pct:d=3,k=1000", "pos"} {
		b.Run(spec, func(b *testing.B) { benchRunnable(b, 10, spec) })
	}
}

// The baseline of BenchmarkDeterministicStepsRunnable, without noex: n
// goroutines, each blocked on a channel of its own, and a driver that wakes
// one chosen at random and waits until it is done, as the scheduler hands
// its baton to a process. What this costs with 100,000 goroutines against
// 10 is what memory, not the scheduler's bookkeeping, adds to a step: each
// handoff reaches a goroutine, a stack and a channel no cache holds.
func BenchmarkGoroutineHandoffRunnable(b *testing.B) {
	for _, n := range benchProcs {
		b.Run(fmt.Sprintf("procs=%d", n), func(b *testing.B) {
			wake := make([]chan struct{}, n)
			done := make(chan struct{})
			var wg sync.WaitGroup
			for i := range wake {
				wake[i] = make(chan struct{})
				wg.Add(1)
				go func(c chan struct{}) {
					defer wg.Done()
					for range c {
						done <- struct{}{}
					}
				}(wake[i])
			}
			r := rand.New(rand.NewPCG(1, 2))
			b.ResetTimer()
			for b.Loop() {
				wake[r.IntN(n)] <- struct{}{}
				<-done
			}
			b.StopTimer()
			for _, c := range wake {
				close(c)
			}
			wg.Wait()
		})
	}
}

// benchRunnable measures steps with n relays runnable at once.
func benchRunnable(b *testing.B, n int, strategy string) {
	hops := max(1, b.N/n)
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithStrategy(strategy))
	ctx := context.Background()
	var refs []noex.Ref[int, int, int]
	if err := rt.Run(ctx, func(ctx context.Context) error {
		for range n {
			r, err := noex.Start(ctx, relay{})
			if err != nil {
				return err
			}
			refs = append(refs, r)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	before, start := rt.Steps(), time.Now()
	if err := rt.Run(ctx, func(ctx context.Context) error {
		for _, r := range refs {
			noex.Cast(ctx, r, hops)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	elapsed, steps := time.Since(start), rt.Steps()-before
	b.StopTimer()
	b.ReportMetric(float64(steps)/elapsed.Seconds(), "steps/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(steps), "ns/step")
	if err := rt.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
}

var benchProcs = []int{10, 1000, 100000}

func init() {
	if s := os.Getenv("NOEX_BENCH_PROCS"); s != "" {
		n, _ := strconv.Atoi(s)
		benchProcs = []int{n}
	}
}

// BenchmarkMillionCastsThenCallPaired is BenchmarkMillionCastsThenCall
// beside the naive server, in alternating windows of one operation (a
// million casts, then a call) each.
func BenchmarkMillionCastsThenCallPaired(b *testing.B) {
	reqs, done := make(chan naive.Req, 1<<16), make(chan struct{})
	go naive.Serve(reqs, done)
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		c, _ := noex.Start(ctx, adder{})
		runPaired(b, 1, [2]func(int){
			func(n int) {
				for range n {
					for range 1_000_000 {
						reqs <- naive.Req{N: 1}
					}
					naive.Call(reqs, 0)
				}
			},
			func(n int) {
				for range n {
					for range 1_000_000 {
						noex.Cast(ctx, c, 1)
					}
					noex.Call(ctx, c, 0, noex.WithTimeout(time.Minute))
				}
			},
		})
	})
	close(reqs)
	<-done
}

// castBurst asks a castSender to cast n times to its target, then to say
// so on done.
type castBurst struct {
	n    int
	done chan<- struct{}
}

// castSender casts the bursts it is asked for to its target.
type castSender struct{ to noex.Ref[int, int, int] }

func (castSender) Init(context.Context) (int, error) { return 0, nil }
func (castSender) HandleCall(_ context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (c castSender) HandleCast(ctx context.Context, b castBurst, s int) (int, error) {
	for range b.n {
		noex.Cast(ctx, c.to, 1)
	}
	b.done <- struct{}{}
	return s, nil
}

// senders is k sender processes casting to one receiver.
type senders struct {
	ctx  context.Context
	to   noex.Ref[int, int, int]
	from []noex.Ref[noex.None, castBurst, noex.None]
	done chan struct{}
}

func startSenders(ctx context.Context, b *testing.B, k int) *senders {
	to, err := noex.Start(ctx, adder{})
	if err != nil {
		b.Fatal(err)
	}
	s := &senders{ctx: ctx, to: to, done: make(chan struct{}, k)}
	for range k {
		ref, err := noex.Start(ctx, castSender{to: to})
		if err != nil {
			b.Fatal(err)
		}
		s.from = append(s.from, ref)
	}
	return s
}

// casts has the senders cast n times between them, at once, and returns
// once the receiver has handled every cast.
func (s *senders) casts(n int) {
	share := max(1, n/len(s.from))
	for _, ref := range s.from {
		noex.Cast(s.ctx, ref, castBurst{n: share, done: s.done})
	}
	for range s.from {
		<-s.done
	}
	noex.Call(s.ctx, s.to, 0, noex.WithTimeout(time.Minute))
}

// BenchmarkCastSendersPaired casts to one server from k processes at once,
// beside the same casts from one process, in alternating windows of 16,384
// casts; x-one-sender is the cost of a cast from k senders over its cost
// from one (the target is ≤ 1.3).
func BenchmarkCastSendersPaired(b *testing.B) {
	for _, k := range []int{2, 8, 64} {
		b.Run(fmt.Sprintf("senders=%d", k), func(b *testing.B) {
			benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
				one, many := startSenders(ctx, b, 1), startSenders(ctx, b, k)
				spent := alternate(b, 1<<14, func(j, n int) { [2]*senders{one, many}[j].casts(n) })
				base, ours := float64(spent[0].Nanoseconds())/float64(b.N), float64(spent[1].Nanoseconds())/float64(b.N)
				b.ReportMetric(base, "one-sender-ns/op")
				b.ReportMetric(ours, "senders-ns/op")
				b.ReportMetric(ours/base, "x-one-sender")
			})
		})
	}
}

// BenchmarkRegistryLookupPaired is BenchmarkRegistryLookup beside a map of
// 100 names under a read-write lock, in alternating windows.
func BenchmarkRegistryLookupPaired(b *testing.B) {
	var mu sync.RWMutex
	naive := map[string]*int{}
	benchRun(b, noex.NewRuntime(), func(ctx context.Context) {
		rt := noex.RuntimeOf(ctx)
		for i := 0; i < 100; i++ {
			c, _ := noex.Start(ctx, &testSrv{})
			name := "svc-" + string(rune('a'+i%26)) + itoa3(i)
			rt.Registry().Register(name, c.PID())
			naive[name] = new(i)
		}
		reg := rt.Registry()
		var sum uint64
		runPaired(b, 1<<12, [2]func(int){
			func(n int) {
				for range n {
					mu.RLock()
					v := naive["svc-a000"]
					mu.RUnlock()
					sum += uint64(*v)
				}
			},
			func(n int) {
				for range n {
					pid, _ := reg.Lookup("svc-a000")
					sum += pid.ID()
				}
			},
		})
		if sum == 0 {
			b.Fatal("no lookup found its name")
		}
	})
}
