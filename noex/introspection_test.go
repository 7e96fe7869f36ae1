package noex_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// info returns the ProcessInfo of pid.
func info(t *testing.T, rt *noex.Runtime, pid noex.PID) noex.ProcessInfo {
	t.Helper()
	for _, p := range rt.Processes() {
		if p.PID == pid {
			return p
		}
	}
	t.Fatalf("%v is not among the live processes", pid)
	return noex.ProcessInfo{}
}

// Processes tells, per process, its status, queue, messages handled and
// start time.
func TestProcessInfo(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1))
	run(t, rt, func(ctx context.Context) error {
		must(t, noex.Sleep(ctx, time.Second))
		c, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
		must(t, err)
		got := info(t, rt, c.PID())
		if got.Status != "running" || got.Mailbox != 0 || got.Handled != 0 || !got.Started.Equal(noex.Epoch.Add(time.Second)) {
			t.Errorf("a new server: %+v, want running, nothing queued or handled, started at 1s", got)
		}
		if got.Started.Location() != time.UTC {
			t.Errorf("Started is in %v, want UTC", got.Started.Location())
		}
		for range 3 {
			must(t, c.Cast(ctx, Increment{}))
		}
		// One process runs at a time: the casts wait in the mailbox.
		if got := info(t, rt, c.PID()); got.Mailbox != 3 || got.Handled != 0 {
			t.Errorf("after three casts: %d queued, %d handled; want 3 and 0", got.Mailbox, got.Handled)
		}
		if _, err := c.Call(ctx, Get{}); err != nil {
			return err
		}
		if got := info(t, rt, c.PID()); got.Mailbox != 0 || got.Handled != 4 {
			t.Errorf("after the call: %d queued, %d handled; want 0 and 4", got.Mailbox, got.Handled)
		}
		return noex.Stop(ctx, c, nil)
	})
}

// In real mode too, a call returns after its handling has been counted.
func TestProcessInfoRealMode(t *testing.T) {
	rt := newRT(t)
	before := time.Now()
	run(t, rt, func(ctx context.Context) error {
		c, err := noex.Start(ctx, Counter{})
		must(t, err)
		for range 10 {
			must(t, c.Cast(ctx, Increment{}))
		}
		if _, err := c.Call(ctx, Get{}); err != nil {
			return err
		}
		got := info(t, rt, c.PID())
		if got.Handled != 11 || got.Status != "running" || got.Started.Before(before.Truncate(time.Microsecond)) || got.Started.After(time.Now()) {
			t.Errorf("%+v: want 11 handled, running, started during the test", got)
		}
		return noex.Stop(ctx, c, nil)
	})
}

// InspectSupervisor gives the strategy, the intensity, the restarts, the
// start time and the children.
func TestInspectSupervisor(t *testing.T) {
	modes(t, testInspectSupervisor)
}

func testInspectSupervisor(t *testing.T, rt *noex.Runtime) {
	var sup noex.Supervisor
	start := rt.Now().Add(time.Minute)
	run(t, rt, func(ctx context.Context) error {
		if rt.Deterministic() {
			must(t, noex.Sleep(ctx, time.Minute))
		} else {
			start = time.Now()
		}
		var err error
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{Strategy: noex.OneForAll, Children: []noex.ChildSpec{
			noex.ServerChild("a", Counter{}), noex.ServerChild("b", Counter{}),
		}}, noex.WithName("sup"))
		must(t, err)
		got, err := noex.InspectSupervisor(ctx, sup)
		must(t, err)
		started := !got.Started.Before(start.Truncate(time.Microsecond))
		if rt.Deterministic() {
			started = got.Started.Equal(start)
		}
		if got.Strategy != noex.OneForAll || got.MaxRestarts != 3 || got.Within != 5*time.Second ||
			got.Restarts != 0 || !started || len(got.Children) != 2 {
			t.Errorf("a new supervisor: %+v (started after %v)", got, start)
		}
		a, err := noex.ChildPID(ctx, sup, "a")
		must(t, err)
		return noex.Kill(ctx, a, errors.New("crash"))
	})
	// Run returned once the supervisor had handled the end and restarted.
	run(t, rt, func(ctx context.Context) error {
		got, err := noex.InspectSupervisor(ctx, noex.SupervisorName("sup"))
		must(t, err)
		if got.Restarts != 2 || got.Children[0].Restarts != 1 || got.Children[1].Restarts != 1 {
			t.Errorf("after one_for_all restarted both children: %d restarts, children %+v", got.Restarts, got.Children)
		}
		return noex.Stop(ctx, sup, nil)
	})
}
