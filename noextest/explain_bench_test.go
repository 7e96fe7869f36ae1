package noextest

import (
	"context"
	"errors"
	"testing"

	"github.com/noex-go/noex/noex"
)

// benchRegister is a register that clients read and write.
type benchRegister struct{}

type benchGet struct{}
type benchSet struct{ V int }

func (benchRegister) Init(context.Context) (int, error) { return 0, nil }
func (benchRegister) HandleCall(_ context.Context, c any, v int) (int, int, error) {
	if s, ok := c.(benchSet); ok {
		v = s.V
	}
	return v, v, nil
}
func (benchRegister) HandleCast(_ context.Context, _ noex.None, v int) (int, error) { return v, nil }

var benchReg = noex.Name[any, noex.None, int]("register")

// benchClient reads the register and writes it plus one when kicked.
type benchClient struct{}

func (benchClient) Init(context.Context) (int, error) { return 0, nil }
func (benchClient) HandleCall(_ context.Context, _ noex.None, s int) (int, int, error) {
	return s, s, nil
}
func (benchClient) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) {
	v, err := noex.Call(ctx, benchReg, any(benchGet{}))
	if err != nil {
		return s, err
	}
	_, err = noex.Call(ctx, benchReg, any(benchSet{V: v + 1}))
	return s, err
}

// pinger casts itself the rounds left: noise that fills the log.
type pinger struct{}

func (pinger) Init(context.Context) (int, error) { return 0, nil }
func (pinger) HandleCall(_ context.Context, _ int, s int) (int, int, error) {
	return s, s, nil
}
func (pinger) HandleCast(ctx context.Context, n int, s int) (int, error) {
	if n > 0 {
		return s, noex.Cast(ctx, noex.RefOf[int, int, int](noex.Self(ctx)), n-1)
	}
	return s, nil
}

// noisyLostUpdate is two clients racing on a register (the lost update)
// among 40 processes that each pass a message to themselves 60 times:
// about 10,000 events.
func noisyLostUpdate(rt *noex.Runtime) ([]noex.Event, error) {
	var log []noex.Event
	rt.Observe(func(e noex.Event) { log = append(log, e) })
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		if _, err := noex.Start(ctx, benchRegister{}, noex.WithName("register")); err != nil {
			return err
		}
		for range 40 {
			p, err := noex.Start(ctx, pinger{})
			if err != nil {
				return err
			}
			noex.Cast(ctx, p, 60)
		}
		for range 2 {
			c, err := noex.Start(ctx, benchClient{})
			if err != nil {
				return err
			}
			noex.Cast(ctx, c, noex.None{})
		}
		return nil
	})
	if err != nil {
		return log, err
	}
	var got int
	if err := rt.Run(ctx, func(ctx context.Context) (err error) {
		got, err = noex.Call(ctx, benchReg, any(benchGet{}))
		return err
	}); err != nil {
		return log, err
	}
	if got != 2 {
		return log, errors.New("lost update")
	}
	return log, nil
}

// How long an explanation takes for a failure of about 10,000 events found
// by uniform random choice (many departures from the natural order to
// shrink).
func BenchmarkExplainTenThousandEvents(b *testing.B) {
	rerun := func(schedule string) outcome {
		rt := noex.NewRuntime(noex.WithSeed(1), noex.WithSchedule(schedule))
		var decs []noex.Decision
		rt.ObserveDecisions(func(d noex.Decision) { decs = append(decs, d) })
		log, err := noisyLostUpdate(rt)
		rt.Shutdown(context.Background())
		return outcome{failed: err != nil && !errors.Is(err, noex.ErrSchedule), invalid: errors.Is(err, noex.ErrSchedule), decisions: decs, events: log}
	}
	var schedule string
	var log []noex.Event
	for seed := uint64(1); schedule == ""; seed++ {
		rt := noex.NewRuntime(noex.WithSeed(seed))
		l, err := noisyLostUpdate(rt)
		rt.Shutdown(context.Background())
		if err != nil {
			schedule, log = rt.Schedule(), l
		}
	}
	b.ResetTimer()
	var x explanation
	for b.Loop() {
		x = explain(schedule, log, rerun, explainRunsInProcess)
	}
	b.ReportMetric(float64(len(log)), "events")
	b.ReportMetric(float64(len(parsePairs(schedule))), "departures")
	b.ReportMetric(float64(len(parsePairs(x.shrunk))), "shrunk-to")
	b.ReportMetric(float64(x.runs), "reruns")
	if len(x.flips) == 0 {
		b.Fatalf("no deciding order found: shrunk %d departures to %d in %d reruns (%s)", len(parsePairs(schedule)), len(parsePairs(x.shrunk)), x.runs, x.partial)
	}
}
