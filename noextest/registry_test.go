package noextest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

func TestRegistryChecks(t *testing.T) {
	rt := noextest.New(t)
	var c counterRef
	rt.Run(func(ctx context.Context) (err error) {
		c, err = startCounter(ctx, "cache")
		if err != nil {
			return err
		}
		return rt.Registry().Register("store", c.PID())
	})
	rt.ExpectRegistered("cache", "store")
	rt.ExpectNames("store", "cache")
	rt.ExpectNotRegistered("db")
	if err := noextest.CheckRegistered(rt.Runtime, "db"); !errors.Is(err, noextest.ErrRegistry) {
		t.Errorf("CheckRegistered(db) = %v, want ErrRegistry", err)
	}
	err := noextest.CheckNotRegistered(rt.Runtime, rt.Recorder().Raw(), "cache")
	wantContains(t, "the error", errString(err), `"cache" is registered to cache (p2)`, `registered: 1 00:00:00.000000 cache registered "cache"`)
	err = noextest.CheckNames(rt.Runtime, "cache")
	wantContains(t, "the error", errString(err), "registered names (-want +got)", `"store"`)
	if err := noextest.CheckEnded(rt.Runtime, rt.Recorder().Raw(), c.PID()); err == nil {
		t.Errorf("CheckEnded on a live process passed")
	}
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, c, nil) })
	rt.ExpectEnded(c.PID())
	rt.ExpectNames()
}

func TestExpectRegistryFailureMessages(t *testing.T) {
	f := runFake("TestReg", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(8))
		rt.ExpectRegistered("ghost")
		rt.ExpectNames("ghost")
	})
	wantContains(t, "the failure", f.errText(),
		`[noex] ExpectRegistered: noextest: registry not as expected: "ghost" is not registered (registered: [])`,
		"[noex] ExpectNames: noextest: registry not as expected: registered names (-want +got):",
		"-noex.seed=8")
}

func TestCheckRestarted(t *testing.T) {
	rt := noextest.New(t)
	var old noex.PID
	rt.Run(func(ctx context.Context) error {
		c, err := startCounter(ctx, "worker")
		old = c.PID()
		return err
	})
	if _, err := noextest.CheckRestarted(rt.Runtime, "worker", old); err == nil {
		t.Errorf("CheckRestarted passed while the old process holds the name")
	}
	// A restart by hand: kill, then start again under the name.
	rt.Crash(old, errors.New("gone"))
	rt.Run(func(ctx context.Context) error {
		_, err := startCounter(ctx, "worker")
		return err
	})
	fresh := rt.ExpectRestarted("worker", old)
	if fresh == old || !rt.IsAlive(fresh) {
		t.Errorf("ExpectRestarted returned %v (old %v)", fresh, old)
	}
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, fresh, nil) })
	if _, err := noextest.CheckRestarted(rt.Runtime, "worker", old); err == nil {
		t.Errorf("CheckRestarted passed with the name unregistered")
	}
}

func TestBusSubscriptions(t *testing.T) {
	rt := noextest.New(t)
	var bus noex.Bus
	rt.Run(func(ctx context.Context) (err error) {
		bus, err = noex.StartBus(ctx, noex.WithName("event-bus"))
		return err
	})
	users := rt.NewProbe(noextest.ProbeSubscribe(noex.BusName("event-bus"), "user.*"))
	all := rt.NewProbe(noextest.ProbeSubscribe(bus, "*"))
	rt.ExpectSubscriptions(bus, "user.*", "*")
	rt.Run(func(ctx context.Context) error {
		if err := noex.Publish(ctx, bus, "user.created", "ann"); err != nil {
			return err
		}
		return noex.Publish(ctx, bus, "order.placed", 42)
	})
	users.ExpectMsg(time.Second, noex.Publication{Topic: "user.created", Msg: "ann"})
	users.ExpectNoMsg(time.Second)
	all.ExpectMsg(time.Second, noex.Publication{Topic: "user.created", Msg: "ann"})
	all.ExpectMsg(time.Second, noex.Publication{Topic: "order.placed", Msg: 42})

	// A subscriber's subscriptions go when it ends.
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, users.PID(), nil) })
	rt.ExpectEnded(users.PID())
	rt.ExpectSubscriptions(bus, "*")
	f := runFake("TestSubs", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.AllowLive())
		var bus noex.Bus
		rt.Run(func(ctx context.Context) (err error) {
			bus, err = noex.StartBus(ctx)
			return err
		})
		rt.NewProbe(noextest.ProbeSubscribe(bus, "a.b"))
		rt.ExpectSubscriptions(bus)
		rt.ExpectSubscriptions(bus, "a.*")
	})
	wantContains(t, "the failure", f.errText(), `has 1 subscriptions to ["a.b"], want none`,
		"subscription patterns of bus p2 (-want +got)")
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, bus, nil) })
}

func TestSubscriptionLeak(t *testing.T) {
	f := runFake("TestSubLeak", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(6))
		rt.Run(func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx, noex.WithName("bus"))
			if err != nil {
				return err
			}
			// A probe the test starts itself, and forgets to stop.
			_, err = noextest.StartProbe(ctx, noextest.ProbeName("sub"), noextest.ProbeSubscribe(bus, "x.*"))
			return err
		})
	})
	wantContains(t, "the failure", f.errText(),
		"process bus", "is still running",
		"process sub", `subscription #`, `of sub to "x.*" on bus is still active`, `subscribed: `, `bus subscribed peer sub`)
}

func TestBusHandlerPanicIsACrash(t *testing.T) {
	body := func(ft *fakeT, opts ...noextest.Option) {
		rt := noextest.New(ft, append(opts, noextest.WithSeed(1))...)
		rt.Run(func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			unsub, err := noex.Subscribe(ctx, bus, "x", func(context.Context, any, string) { panic("bad handler") })
			if err != nil {
				return err
			}
			if err := noex.PublishSync(ctx, bus, "x", 1); err != nil {
				return err
			}
			unsub()
			return noex.Stop(ctx, bus, nil)
		})
	}
	f := runFake("TestBusPanic", func(ft *fakeT) { body(ft) })
	wantContains(t, "the failure", f.errText(), "noextest: unexpected crash in a bus subscriber (declare it with ExpectCrashes)",
		`delivered peer main`, `bad handler`)
	if f := runFake("TestBusPanic", func(ft *fakeT) { body(ft, noextest.ExpectCrashes()) }); f.Failed() {
		t.Errorf("ExpectCrashes still failed: %s", f.errText())
	}
}
