package noex_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/noex-go/noex/internal/naive"
	"github.com/noex-go/noex/noex"
)

// BenchmarkManyProcesses starts procs processes that stay alive, then
// shuts them all down: the baseline (naive servers, started and stopped as
// BenchmarkStartStop's baseline does), noex in real mode and noex in
// deterministic mode, one after the other in each round (run it with
// -count to alternate them). It reports the mean start (ns per process),
// the median start among the first and among the last tenth of the
// processes (at most 1,000 each; medians, so that a collection or a
// preemption in a window does not decide it) and their ratio, the shutdown
// (ns per process), and the memory each idle process holds (heap and
// goroutine stack, bytes).
//
// Each side pays for fresh memory (page faults, the collector marking a
// growing heap) only if it runs first in its process: run one side per
// invocation (-bench 'ManyProcesses/procs=100000/real$') for figures that
// compare them.
func BenchmarkManyProcesses(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, mode := range []string{"baseline", "real", "det"} {
			b.Run(fmt.Sprintf("procs=%d/%s", n, mode), func(b *testing.B) {
				var m scaleFigures
				for range b.N {
					var f scaleFigures
					if mode == "baseline" {
						f = naiveMany(n)
					} else {
						f = noexMany(b, n, mode == "det")
					}
					m.add(f)
				}
				m.report(b, b.N)
			})
		}
	}
}

type scaleFigures struct {
	start, first, last, shutdown time.Duration
	heap, stack                  uint64
}

func (m *scaleFigures) add(f scaleFigures) {
	m.start += f.start
	m.first += f.first
	m.last += f.last
	m.shutdown += f.shutdown
	m.heap += f.heap
	m.stack += f.stack
}

func (m scaleFigures) report(b *testing.B, rounds int) {
	r := float64(rounds)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(m.start.Nanoseconds())/r, "start-ns/proc")
	b.ReportMetric(float64(m.first.Nanoseconds())/r, "first-ns/start")
	b.ReportMetric(float64(m.last.Nanoseconds())/r, "last-ns/start")
	b.ReportMetric(float64(m.last)/float64(m.first), "last/first")
	b.ReportMetric(float64(m.shutdown.Nanoseconds())/r, "shutdown-ns/proc")
	b.ReportMetric(float64(m.heap)/r, "heap-B/proc")
	b.ReportMetric(float64(m.stack)/r, "stack-B/proc")
}

// window is the number of starts averaged for the first and last figures.
func window(n int) int { return min(n/10, 1000) }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

type memMark struct{ heap, stack uint64 }

func markMem() memMark {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return memMark{ms.HeapAlloc, ms.StackInuse}
}

// perProc fills the timing and memory figures of n starts.
func (f *scaleFigures) perProc(n int, times []time.Duration, before, after memMark) {
	var total time.Duration
	for _, d := range times {
		total += d
	}
	w := window(n)
	f.start = total / time.Duration(n)
	f.first = median(times[:w])
	f.last = median(times[n-w:])
	f.heap = (after.heap - before.heap) / uint64(n)
	f.stack = (after.stack - before.stack) / uint64(n)
}

func naiveMany(n int) scaleFigures {
	var f scaleFigures
	type server struct {
		reqs chan naive.Req
		done chan struct{}
	}
	servers := make([]server, 0, n)
	times := make([]time.Duration, n)
	before := markMem()
	for i := range n {
		t0 := time.Now()
		s := server{make(chan naive.Req), make(chan struct{})}
		ready := make(chan struct{})
		go func() { close(ready); naive.Serve(s.reqs, s.done) }()
		<-ready
		servers = append(servers, s)
		times[i] = time.Since(t0)
	}
	f.perProc(n, times, before, markMem())
	t0 := time.Now()
	for i := len(servers) - 1; i >= 0; i-- {
		close(servers[i].reqs)
		<-servers[i].done
	}
	f.shutdown = time.Since(t0) / time.Duration(n)
	return f
}

func noexMany(b *testing.B, n int, det bool) scaleFigures {
	var f scaleFigures
	var opts []noex.Option
	if det {
		opts = append(opts, noex.WithSeed(1))
	}
	rt := noex.NewRuntime(opts...)
	ctx := context.Background()
	times := make([]time.Duration, n)
	err := rt.Run(ctx, func(ctx context.Context) error {
		before := markMem()
		for i := range n {
			t0 := time.Now()
			if _, err := noex.Start(ctx, adder{}); err != nil {
				return err
			}
			times[i] = time.Since(t0)
		}
		f.perProc(n, times, before, markMem())
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := rt.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	f.shutdown = time.Since(t0) / time.Duration(n)
	return f
}

// BenchmarkMailboxBurst queues a million casts to a server that waits (a
// call blocked at a gate in real mode; the sender holds the baton in
// deterministic mode), drains them with a call, and reports the heap
// before the burst and after the drain (bytes, after a collection).
func BenchmarkMailboxBurst(b *testing.B) {
	const n = 1_000_000
	for _, mode := range []string{"real", "det"} {
		b.Run(mode, func(b *testing.B) {
			var before, after, peak uint64
			for range b.N {
				var opts []noex.Option
				if mode == "det" {
					opts = append(opts, noex.WithSeed(1))
				}
				open := make(chan struct{})
				benchRun(b, noex.NewRuntime(opts...), func(ctx context.Context) {
					r, _ := noex.Start(ctx, gateSrv{open: open})
					m := markMem()
					before += m.heap
					if mode == "real" {
						go noex.Call(ctx, r, true)
					}
					for range n {
						noex.Cast(ctx, r, 1)
					}
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					peak += ms.HeapAlloc
					close(open)
					noex.Call(ctx, r, false, noex.WithTimeout(time.Minute))
					after += markMem().heap
				})
			}
			r := float64(b.N)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(before)/r, "heap-before-B")
			b.ReportMetric(float64(peak)/r, "heap-queued-B")
			b.ReportMetric(float64(after)/r, "heap-after-B")
			b.ReportMetric((float64(after)-float64(before))/r, "heap-kept-B")
		})
	}
}
