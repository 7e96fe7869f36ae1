package noextest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

var someSeeds = []uint64{1, 2, 3, 4, 5, 6, 7, 8}

// busy is a scenario with real interleavings: three senders to one counter.
func busy(rt *noex.Runtime) error {
	return rt.Run(context.Background(), func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		for i := range 3 {
			p, err := noextest.StartProbe(ctx, noextest.ProbeReplies(func(any) (any, error) { return nil, nil }))
			if err != nil {
				return err
			}
			if _, err := noex.SendAfter(ctx, c, inc{By: i}, time.Duration(i)*time.Millisecond); err != nil {
				return err
			}
			if err := noex.Cast(ctx, c, any(inc{By: 10 * i})); err != nil {
				return err
			}
			_ = p
		}
		_, err = noex.Call(ctx, c, get{})
		return err
	})
}

func TestCheckDeterminismPasses(t *testing.T) {
	if err := noextest.CheckDeterminism(someSeeds, busy); err != nil {
		t.Errorf("CheckDeterminism: %v", err)
	}
	noextest.VerifyDeterminism(t, someSeeds, busy)
}

type stamp struct{ At time.Time }

// escapes reads the wall clock into a message: two runs differ there.
//
//noexvet:ignore the escape is the point: CheckDeterminism must catch it
func escapes(rt *noex.Runtime) error {
	return rt.Run(context.Background(), func(ctx context.Context) error {
		p, err := noextest.StartProbe(ctx)
		if err != nil {
			return err
		}
		if err := noex.Send(ctx, p.PID(), "hello"); err != nil {
			return err
		}
		if err := noex.Send(ctx, p.PID(), stamp{At: time.Now()}); err != nil {
			return err
		}
		return noex.Stop(ctx, p.PID(), nil)
	})
}

func TestCheckDeterminismFindsTheEscape(t *testing.T) {
	err := noextest.CheckDeterminism([]uint64{42}, escapes)
	var d *noextest.DivergenceError
	if !errors.As(err, &d) || !errors.Is(err, noextest.ErrNondeterministic) {
		t.Fatalf("CheckDeterminism = %v, want a *DivergenceError", err)
	}
	if d.Seed != 42 || d.Index != 2 {
		t.Errorf("divergence at seed %d index %d, want seed 42 index 2 (the third event)", d.Seed, d.Index)
	}
	for _, l := range []string{d.First, d.Second} {
		wantContains(t, "the divergent event", l, "3 00:00:00.000000 main sent info to p2 #3 stamp{At:")
	}
	wantContains(t, "the context", d.Context[len(d.Context)-1], `main sent info to p2`, `"hello"`)
	wantContains(t, "the error", err.Error(), "noextest: seed 42: the runs diverge at event 3", "\n    - 3 ", "\n    + 3 ")

	f := runFake("TestDet", func(ft *fakeT) { noextest.VerifyDeterminism(ft, []uint64{42}, escapes) })
	wantContains(t, "the failure", f.errText(), "[noex] VerifyDeterminism: noextest: seed 42: the runs diverge at event 3")
}

func TestCheckDeterminismReportsScenarioErrors(t *testing.T) {
	boom := errors.New("scenario broke")
	err := noextest.CheckDeterminism([]uint64{9}, func(rt *noex.Runtime) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("CheckDeterminism = %v, want the scenario's error", err)
	}
	wantContains(t, "the error", errString(err), "noextest: seed 9: the scenario failed: scenario broke")
}
