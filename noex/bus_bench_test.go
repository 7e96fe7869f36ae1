package noex_test

import (
	"context"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

// Run with
//
//	go test -run='^$' -bench=Bus -benchtime=2s ./noex/
//
// Each benchmark times ours beside a baseline in the same run and reports
// deliveries/s for both and the ratio (ours ÷ baseline, or publish ÷ cast).
// Every run is timed until the last delivery is done, and both sides wait
// for the bus every busWindow publications, which keeps the mailboxes (and
// memory) bounded.

const busWindow = 1024

// ---- the baseline: noex's design, written plainly ----

// naiveBus is one goroutine reading publications from a channel and calling
// every matching handler inline, in subscription order, each one recovered
// (noex catches a throwing handler). As in noex's matchesTopic, a wildcard
// pattern is split on every publication (the topic once per publication).
type naiveBus struct {
	subs []naiveSub
	pubs chan naivePub
	done chan struct{}
}

type naiveSub struct {
	pattern string
	h       func(msg any, topic string)
}

type naivePub struct {
	topic string
	msg   any
	ack   chan struct{} // closed once handled, for barriers
}

func startNaiveBus(subs []naiveSub) *naiveBus {
	nb := &naiveBus{subs: subs, pubs: make(chan naivePub, busWindow), done: make(chan struct{})}
	go func() {
		defer close(nb.done)
		for p := range nb.pubs {
			var ts []string
			for _, s := range nb.subs {
				if s.pattern != "*" && s.pattern != p.topic && ts == nil && strings.Contains(s.pattern, "*") {
					ts = strings.Split(p.topic, ".")
				}
				if naiveMatch(s.pattern, p.topic, ts) {
					naiveDeliver(s.h, p)
				}
			}
			if p.ack != nil {
				close(p.ack)
			}
		}
	}()
	return nb
}

func (nb *naiveBus) publishSync(topic string) {
	ack := make(chan struct{})
	nb.pubs <- naivePub{topic: topic, ack: ack}
	<-ack
}

func (nb *naiveBus) stop() { close(nb.pubs); <-nb.done }

func naiveMatch(pattern, topic string, ts []string) bool {
	if pattern == "*" || pattern == topic {
		return true
	}
	if !strings.Contains(pattern, "*") {
		return false
	}
	ps := strings.Split(pattern, ".")
	if len(ps) != len(ts) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != ts[i] {
			return false
		}
	}
	return true
}

func naiveDeliver(h func(any, string), p naivePub) {
	defer func() { _ = recover() }()
	h(p.msg, p.topic)
}

// ---- benchmarks ----

// BenchmarkBusFanout publishes to 100 subscribers of one pattern.
func BenchmarkBusFanout(b *testing.B) {
	for _, pattern := range []string{"a.b", "a.*"} {
		b.Run("pattern="+pattern, func(b *testing.B) { benchFanout(b, pattern, 100) })
	}
}

func benchFanout(b *testing.B, pattern string, n int) {
	var baseline float64
	b.Run("baseline", func(b *testing.B) {
		var count int
		subs := make([]naiveSub, n)
		for i := range subs {
			subs[i] = naiveSub{pattern: pattern, h: func(any, string) { count++ }}
		}
		nb := startNaiveBus(subs)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			nb.pubs <- naivePub{topic: "a.b", msg: i}
			if i%busWindow == busWindow-1 {
				nb.publishSync("sync")
			}
		}
		nb.publishSync("sync")
		b.StopTimer()
		nb.stop()
		checkDeliveries(b, count, b.N*n)
		baseline = reportRate(b, b.N*n)
	})
	b.Run("noex", func(b *testing.B) {
		benchBus(b, func(ctx context.Context, bus noex.Bus) func() int {
			var count int
			for range n {
				if _, err := noex.Subscribe(ctx, bus, pattern, func(context.Context, any, string) { count++ }); err != nil {
					b.Fatal(err)
				}
			}
			return func() int { return count }
		}, n, baseline)
	})
}

// benchBus times b.N publications on "a.b" to a bus set up by subscribe,
// which returns the number of deliveries made; each publication must reach
// perPub subscribers. It reports deliveries/s and, when baseline is known,
// the ratio to it.
func benchBus(b *testing.B, subscribe func(ctx context.Context, bus noex.Bus) func() int, perPub int, baseline float64) {
	rt := noex.NewRuntime()
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		bus, err := noex.StartBus(ctx)
		if err != nil {
			return err
		}
		count := subscribe(ctx, bus)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := noex.Publish(ctx, bus, "a.b", i); err != nil {
				return err
			}
			if i%busWindow == busWindow-1 {
				if err := noex.PublishSync(ctx, bus, "sync", nil); err != nil {
					return err
				}
			}
		}
		if err := noex.PublishSync(ctx, bus, "sync", nil); err != nil {
			return err
		}
		b.StopTimer()
		checkDeliveries(b, count(), b.N*perPub)
		rate := reportRate(b, b.N*perPub)
		if baseline > 0 {
			b.ReportMetric(rate/baseline, "x-baseline")
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := rt.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBusFanoutOwners publishes to 100 subscribers that are 100
// distinct servers (the bus checks each owner once per publication).
func BenchmarkBusFanoutOwners(b *testing.B) {
	const n = 100
	var baseline float64
	b.Run("baseline", func(b *testing.B) {
		var counts [n]int
		subs := make([]naiveSub, n)
		for i := range subs {
			subs[i] = naiveSub{pattern: "a.b", h: func(any, string) { counts[i]++ }}
		}
		nb := startNaiveBus(subs)
		b.ResetTimer()
		for i := range b.N {
			nb.pubs <- naivePub{topic: "a.b", msg: i}
			if i%busWindow == busWindow-1 {
				nb.publishSync("sync")
			}
		}
		nb.publishSync("sync")
		b.StopTimer()
		nb.stop()
		baseline = reportRate(b, b.N*n)
	})
	b.Run("noex", func(b *testing.B) {
		benchBus(b, func(ctx context.Context, bus noex.Bus) func() int {
			var count int
			h := func(context.Context, any, string) { count++ }
			for range n {
				if _, err := noex.Start(ctx, &benchSubscriber{bus: bus, h: h}); err != nil {
					b.Fatal(err)
				}
			}
			return func() int { return count }
		}, n, baseline)
	})
}

// BenchmarkBusPublishOne compares a publication to one subscriber with a
// plain Cast to a server doing the same work, both timed until handled.
func BenchmarkBusPublishOne(b *testing.B) {
	var cast float64
	b.Run("cast", func(b *testing.B) {
		rt := noex.NewRuntime()
		err := rt.Run(context.Background(), func(ctx context.Context) error {
			sink, err := noex.Start(ctx, &benchSink{})
			if err != nil {
				return err
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := noex.Cast(ctx, sink, i); err != nil {
					return err
				}
				if i%busWindow == busWindow-1 {
					if _, err := noex.Call(ctx, sink, noex.None{}); err != nil {
						return err
					}
				}
			}
			n, err := noex.Call(ctx, sink, noex.None{})
			b.StopTimer()
			checkDeliveries(b, n, b.N)
			cast = reportRate(b, b.N)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("publish", func(b *testing.B) {
		benchBus(b, func(ctx context.Context, bus noex.Bus) func() int {
			var count int
			if _, err := noex.Subscribe(ctx, bus, "a.b", func(context.Context, any, string) { count++ }); err != nil {
				b.Fatal(err)
			}
			return func() int { return count }
		}, 1, 0)
		if cast > 0 {
			// Time per publication over time per cast: the target is ≤ 2.
			b.ReportMetric(cast/(float64(b.N)/b.Elapsed().Seconds()), "x-cast-time")
		}
	})
}

func reportRate(b *testing.B, deliveries int) float64 {
	rate := float64(deliveries) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "deliveries/s")
	return rate
}

func checkDeliveries(b *testing.B, got, want int) {
	if got != want {
		b.Fatalf("%d deliveries, want %d", got, want)
	}
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
