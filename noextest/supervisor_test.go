package noextest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// listing: supervisor
func TestSupervisorRestartsTheCrashedWorker(t *testing.T) {
	rt := noextest.New(t)
	rt.Faults().PanicOn("worker", 2) // the first worker's second message panics
	var sup noex.Supervisor
	rt.Run(func(ctx context.Context) (err error) {
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
			Strategy: noex.OneForOne,
			Children: []noex.ChildSpec{noex.ServerChild("worker", Counter{}, noex.WithName("worker"))},
		}, noex.WithName("sup"))
		return err
	})
	old, _ := rt.Registry().Whereis("worker")
	worker := noex.Name[Get, Add, int]("worker")
	rt.Run(func(ctx context.Context) error {
		worker.Cast(ctx, Add{N: 1})
		worker.Cast(ctx, Add{N: 1}) // panics: the supervisor restarts the worker
		return nil
	})
	fresh := rt.ExpectRestarted("worker", old) // the name points to the new process
	if got := rt.ExpectChildRestarted(sup, "worker", old); got != fresh {
		t.Errorf("the supervisor's child is %v, the name's %v", got, fresh)
	}
	rt.ExpectEnded(old)
	var n int
	rt.Run(func(ctx context.Context) (err error) {
		n, err = worker.Call(ctx, Get{}) // fresh state
		return err
	})
	if n != 0 {
		t.Errorf("the restarted worker counts %d, want 0", n)
	}
	rt.ExpectSubsequence(
		noextest.Event{Kind: noex.FaultInjected, Proc: "worker", Name: "panic"},
		noextest.Event{Kind: noex.ProcessCrashed, Proc: "worker"},
		noextest.Event{Kind: noex.ChildRestarted, Proc: "sup", Name: "worker"})
	rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, sup, nil) })
}

// end listing

func TestExpectChildRestartedFailures(t *testing.T) {
	f := runFake("TestSup", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(2))
		var sup noex.Supervisor
		rt.Run(func(ctx context.Context) (err error) {
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Children: []noex.ChildSpec{noex.ServerChild("w", Counter{})},
			})
			return err
		})
		var pid noex.PID
		rt.Run(func(ctx context.Context) (err error) {
			pid, err = noex.ChildPID(ctx, sup, "w")
			return err
		})
		rt.ExpectChildRestarted(sup, "w", pid)
		rt.ExpectChildRestarted(sup, "nobody", pid)
		rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, sup, nil) })
	})
	wantContains(t, "the failure", f.errText(),
		`[noex] ExpectChildRestarted("w"): noextest: registry not as expected: child "w" still runs in the old process p`,
		`[noex] ExpectChildRestarted("nobody"): noextest: registry not as expected: child "nobody": `, "no such child",
		"-noex.seed=2")
}

func TestSupervisorGivingUpFailsNoTest(t *testing.T) {
	body := func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(3))
		rt.Run(func(ctx context.Context) error {
			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
				MaxRestarts: 1, Within: time.Minute,
				Children: []noex.ChildSpec{noex.ServerChild("w", Counter{}, noex.WithName("w"))},
			})
			if err != nil {
				return err
			}
			for range 2 {
				if err := noex.Kill(ctx, noex.Name[Get, Add, int]("w"), errors.New("pulled the plug")); err != nil {
					return err
				}
				noex.Sleep(ctx, time.Second) // the supervisor restarts it meanwhile
			}
			reason, err := noex.Wait(ctx, sup)
			if !errors.Is(reason, noex.ErrMaxRestarts) {
				ft.Errorf("the supervisor ended with %v (%v), want ErrMaxRestarts", reason, err)
			}
			return nil
		})
	}
	// Kills are not crashes, and a supervisor that gives up ends with its
	// reason, as the test expects here.
	f := runFake("TestGiveUp", func(ft *fakeT) { body(ft) })
	if f.Failed() {
		t.Errorf("the test failed: %s", f.errText())
	}
}
