package noex_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/noex-go/noex/internal/naive"
	"github.com/noex-go/noex/noex"
)

// Run with
//
//	go test -run='^$' -bench=Bus -benchtime=2s ./noex/
//
// Each benchmark has three parts: the baseline and ours timed on their own
// (for ns/op and allocations), and "paired", which alternates windows of
// busWindow publications between the two inside one run, so that both see
// the same machine load, and reports deliveries/s for each and the ratio of
// the second side's time to the first's (and of their CPU time).
// Every window ends with a barrier, so the time counts the deliveries, not
// just the enqueueing, and mailboxes (and memory) stay bounded.

const busWindow = 8192

// benchSide publishes n messages and returns once all were delivered.
type benchSide interface {
	run(n int) error
}

// ---- the baseline: an inline bus, written plainly ----

// naiveBusSide is the baseline's side of a paired bus benchmark: the
// inline bus of package naive, publishing on "a.b".
type naiveBusSide struct{ *naive.Bus }

func (nb naiveBusSide) run(n int) error {
	nb.PublishWait("a.b", n)
	return nil
}

// ---- our sides ----

// busSide publishes on "a.b" to a bus. Its barrier is a call to the bus,
// which the bus handles after the publications queued before it, and which
// publishes nothing (a pattern "*" would receive a PublishSync).
type busSide struct {
	ctx context.Context
	bus noex.Bus
}

func (s busSide) run(n int) error {
	for i := range n {
		if err := noex.Publish(s.ctx, s.bus, "a.b", i); err != nil {
			return err
		}
	}
	_, err := noex.SubscriptionCount(s.ctx, s.bus)
	return err
}

// castSide casts to a server that counts, with a Call barrier.
type castSide struct {
	ctx  context.Context
	sink noex.Ref[noex.None, int, int]
}

func (s castSide) run(n int) error {
	for i := range n {
		if err := noex.Cast(s.ctx, s.sink, i); err != nil {
			return err
		}
	}
	_, err := noex.Call(s.ctx, s.sink, noex.None{})
	return err
}

// benchSink counts its casts; a call returns the count.
type benchSink struct{}

func (benchSink) Init(context.Context) (int, error) { return 0, nil }
func (benchSink) HandleCall(_ context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (benchSink) HandleCast(_ context.Context, _ int, n int) (int, error) { return n + 1, nil }

// benchSubscriber subscribes h to "a.b" in Init.
type benchSubscriber struct {
	bus noex.Bus
	h   noex.Handler
}

func (s *benchSubscriber) Init(ctx context.Context) (struct{}, error) {
	_, err := noex.Subscribe(ctx, s.bus, "a.b", s.h)
	return struct{}{}, err
}
func (s *benchSubscriber) HandleCall(context.Context, noex.None, struct{}) (noex.None, struct{}, error) {
	return noex.None{}, struct{}{}, nil
}
func (s *benchSubscriber) HandleCast(context.Context, noex.None, struct{}) (struct{}, error) {
	return struct{}{}, nil
}

// ---- the harness ----

// benchPair runs the three parts for the sides made by setup, inside a
// real-mode runtime. perPub is the number of deliveries per publication;
// names are the two sides' names, baseline first; the paired part reports
// the ratio of the second side's time to the first's.
func benchPair(b *testing.B, names [2]string, perPub int,
	setup func(b *testing.B, ctx context.Context) (first, second benchSide, check func(int) bool, done func())) {
	for i, name := range names {
		b.Run(name, func(b *testing.B) {
			inRuntime(b, func(ctx context.Context) {
				first, second, _, done := setup(b, ctx)
				defer done()
				side := [2]benchSide{first, second}[i]
				b.ReportAllocs()
				b.ResetTimer()
				for n := 0; n < b.N; n += busWindow {
					if err := side.run(min(busWindow, b.N-n)); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N*perPub)/b.Elapsed().Seconds(), "deliveries/s")
			})
		})
	}
	b.Run("paired", func(b *testing.B) {
		inRuntime(b, func(ctx context.Context) {
			first, second, check, done := setup(b, ctx)
			defer done()
			sides := [2]benchSide{first, second}
			spent := alternate(b, busWindow, func(j, n int) {
				if err := sides[j].run(n); err != nil {
					b.Fatal(err)
				}
			})
			if !check(b.N) {
				b.Fatal("a side lost deliveries")
			}
			rates := [2]float64{}
			for j := range 2 {
				rates[j] = float64(b.N*perPub) / spent[j].Seconds()
				b.ReportMetric(rates[j], names[j]+"-deliveries/s")
			}
			b.ReportMetric(rates[0]/rates[1], "ratio")
		})
	})
}

func inRuntime(b *testing.B, body func(ctx context.Context)) {
	rt := noex.NewRuntime()
	ctx := context.Background()
	if err := rt.Run(ctx, func(ctx context.Context) error { body(ctx); return nil }); err != nil {
		b.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
}

// fanout sets up a naive bus and ours, each with n subscribers of pattern;
// owners makes each of ours a distinct server.
func fanout(pattern string, n int, owners bool) func(b *testing.B, ctx context.Context) (benchSide, benchSide, func(int) bool, func()) {
	return func(b *testing.B, ctx context.Context) (benchSide, benchSide, func(int) bool, func()) {
		var naiveCount, ourCount int
		subs := make([]naive.Sub, n)
		for i := range subs {
			subs[i] = naive.NewSub(pattern, func(any, string) { naiveCount++ })
		}
		nb := naiveBusSide{naive.StartBus(subs, busWindow)}
		bus, err := noex.StartBus(ctx)
		if err != nil {
			b.Fatal(err)
		}
		h := func(context.Context, any, string) { ourCount++ }
		for range n {
			if owners {
				_, err = noex.Start(ctx, &benchSubscriber{bus: bus, h: h})
			} else {
				_, err = noex.Subscribe(ctx, bus, pattern, h)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		check := func(pubs int) bool { return naiveCount == pubs*n && ourCount == pubs*n }
		return nb, busSide{ctx: ctx, bus: bus}, check, nb.Stop
	}
}

// BenchmarkBusFanout publishes to 100 subscribers of one pattern, exact
// ("a.b"), with a wildcard segment ("a.*") or every topic ("*"); the target
// is a ratio ≤ 1 for each (as fast as the naive bus or faster).
func BenchmarkBusFanout(b *testing.B) {
	for _, pattern := range []string{"a.b", "a.*", "*"} {
		b.Run("pattern="+pattern, func(b *testing.B) {
			benchPair(b, [2]string{"baseline", "noex"}, 100, fanout(pattern, 100, false))
		})
	}
}

// BenchmarkBusFanoutOwners publishes to 100 subscribers that are 100
// distinct servers: the bus checks each owner once per publication.
func BenchmarkBusFanoutOwners(b *testing.B) {
	benchPair(b, [2]string{"baseline", "noex"}, 100, fanout("a.b", 100, true))
}

// BenchmarkBusPublishOne compares a publication to one subscriber with a
// plain Cast to a server doing the same work; the ratio is the time of a
// publication over the time of a cast (the target is ≤ 1.3).
func BenchmarkBusPublishOne(b *testing.B) {
	benchPair(b, [2]string{"cast", "publish"}, 1,
		func(b *testing.B, ctx context.Context) (benchSide, benchSide, func(int) bool, func()) {
			sink, err := noex.Start(ctx, benchSink{})
			if err != nil {
				b.Fatal(err)
			}
			bus, err := noex.StartBus(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var count int
			if _, err := noex.Subscribe(ctx, bus, "a.b", func(context.Context, any, string) { count++ }); err != nil {
				b.Fatal(err)
			}
			cs := castSide{ctx: ctx, sink: sink}
			check := func(pubs int) bool {
				casts, err := noex.Call(ctx, sink, noex.None{})
				return err == nil && casts == pubs && count == pubs
			}
			return cs, busSide{ctx: ctx, bus: bus}, check, func() {}
		})
}

// crasher subscribes its mailbox to "t" and crashes on the first
// publication it receives.
type crasher struct{}

func (crasher) Init(ctx context.Context) (noex.None, error) {
	_, err := noex.SubscribeMailbox(ctx, noex.BusName("bus"), "t")
	return noex.None{}, err
}
func (crasher) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}
func (crasher) HandleCast(_ context.Context, _ noex.None, s noex.None) (noex.None, error) {
	return s, nil
}
func (crasher) HandleInfo(context.Context, any, noex.None) (noex.None, error) {
	panic("crasher: crashed on purpose")
}

// BenchmarkBusCrashingSubscribers starts n processes that subscribe their
// mailboxes to one topic, publishes once, and waits until every one of
// them has crashed and the bus has dropped its subscription: one op is the
// whole scenario, from the first start to an empty bus.
func BenchmarkBusCrashingSubscribers(b *testing.B) {
	for _, n := range []int{2000, 4000} {
		for _, mode := range []string{"real", "det"} {
			b.Run(fmt.Sprintf("subscribers=%d/%s", n, mode), func(b *testing.B) {
				for b.Loop() {
					var opts []noex.Option
					if mode == "det" {
						opts = append(opts, noex.WithSeed(1))
					}
					rt := noex.NewRuntime(opts...)
					rt.Observe(func(noex.Event) {}) // a crash is logged: keep it out of the benchmark's output
					err := rt.Run(context.Background(), func(ctx context.Context) error {
						bus, err := noex.StartBus(ctx, noex.WithName("bus"))
						if err != nil {
							return err
						}
						for range n {
							if _, err := noex.Start(ctx, crasher{}); err != nil {
								return err
							}
						}
						if err := noex.Publish(ctx, bus, "t", 1); err != nil {
							return err
						}
						for {
							c, err := noex.SubscriptionCount(ctx, bus)
							if err != nil || c == 0 {
								return err
							}
							if err := noex.Sleep(ctx, time.Millisecond); err != nil {
								return err
							}
						}
					})
					if err != nil {
						b.Fatal(err)
					}
					rt.Shutdown(context.Background())
				}
			})
		}
	}
}
