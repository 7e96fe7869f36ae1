package noex_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// downs collects the Down messages a testSrv receives.
func downCollector(out chan<- noex.Down) func(ctx context.Context, msg any, s srvState) (srvState, error) {
	return func(ctx context.Context, msg any, s srvState) (srvState, error) {
		if d, ok := msg.(noex.Down); ok {
			out <- d
		}
		return s, nil
	}
}

func TestMonitorDeliversDownWithReason(t *testing.T) {
	crashReason := errors.New("went wrong")
	cases := []struct {
		name   string
		end    func(ctx context.Context, r ref) error
		reason func(error) bool
	}{
		{"normal stop", func(ctx context.Context, r ref) error { return noex.Stop(ctx, r, nil) },
			func(err error) bool { return err == nil }},
		{"stop with reason", func(ctx context.Context, r ref) error { return noex.Stop(ctx, r, crashReason) },
			func(err error) bool { return err == crashReason }},
		{"panic", func(ctx context.Context, r ref) error {
			noex.Cast(ctx, r, op{kind: "panic"})
			_, err := noex.Wait(ctx, r)
			return err
		},
			func(err error) bool { return errors.Is(err, noex.ErrCrashed) }},
		{"kill", func(ctx context.Context, r ref) error { return noex.Kill(ctx, r, crashReason) },
			func(err error) bool { return err == crashReason }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			modes(t, func(t *testing.T, rt *noex.Runtime) {
				downs := make(chan noex.Down, 4)
				run(t, rt, func(ctx context.Context) error {
					target := start(t, ctx, &testSrv{})
					watcher := start(t, ctx, &testSrv{info: downCollector(downs)})
					must(t, monitorFrom(ctx, watcher, target))
					_, err := noex.Call(ctx, watcher, op{kind: "get"})
					must(t, err)
					return tc.end(ctx, target)
				})
				select {
				case d := <-downs:
					if !tc.reason(d.Reason) {
						t.Errorf("Down reason = %v", d.Reason)
					}
				default:
					t.Fatal("no Down delivered")
				}
				if len(downs) != 0 {
					t.Errorf("extra Down messages: %d", len(downs))
				}
			})
		})
	}
}

func TestMonitorOfDeadProcessDownsImmediatelyAndDemonitorStops(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		downs := make(chan noex.Down, 4)
		run(t, rt, func(ctx context.Context) error {
			dead := start(t, ctx, &testSrv{})
			must(t, noex.Stop(ctx, dead, nil))
			watcher := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
				switch m := msg.(type) {
				case noex.Down:
					downs <- m
				case string: // "demonitor <target>": monitor then demonitor a live process
					live := start(t, ctx, &testSrv{})
					ref, err := noex.Monitor(ctx, live)
					if err != nil || !noex.Demonitor(ctx, ref) || noex.Demonitor(ctx, ref) {
						t.Errorf("Demonitor should succeed once (err %v)", err)
					}
					noex.Stop(ctx, live, nil)
				}
				return s, nil
			}})
			must(t, monitorFrom(ctx, watcher, dead))
			must(t, noex.Send(ctx, watcher, "demonitor"))
			_, err := noex.Call(ctx, watcher, op{kind: "get"})
			return err
		})
		if len(downs) != 1 {
			t.Fatalf("Down messages = %d; want exactly 1 (for the dead target only)", len(downs))
		}
		if d := <-downs; !errors.Is(d.Reason, noex.ErrNotRunning) {
			t.Errorf("Down of an already dead process: reason %v; want ErrNotRunning", d.Reason)
		}
	})
}

func TestSendAfterAndCancelOnVirtualClock(t *testing.T) {
	rt := newRT(t, noex.WithSeed(5))
	got := make(chan time.Time, 4)
	run(t, rt, func(ctx context.Context) error {
		if !rt.Now().Equal(noex.Epoch) {
			t.Errorf("virtual clock starts at %v; want %v", rt.Now(), noex.Epoch)
		}
		c := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
			got <- noex.Now(ctx)
			return s, nil
		}})
		_, err := noex.SendAfter(ctx, c, "tick", 3*time.Second)
		must(t, err)
		tm, err := noex.SendAfter(ctx, c, "never", time.Second)
		must(t, err)
		if rt.PendingTimers() != 2 {
			t.Errorf("PendingTimers = %d; want 2", rt.PendingTimers())
		}
		if !tm.Cancel() || tm.Cancel() {
			t.Error("Cancel should report true once, then false")
		}
		noex.Sleep(ctx, 10*time.Second)
		return nil
	})
	if len(got) != 1 {
		t.Fatalf("deliveries = %d; want 1 (the cancelled timer must not fire)", len(got))
	}
	if at := <-got; !at.Equal(noex.Epoch.Add(3 * time.Second)) {
		t.Errorf("delivered at %v; want epoch+3s", at)
	}
	if !rt.Now().Equal(noex.Epoch.Add(10 * time.Second)) {
		t.Errorf("after Sleep(10s) the clock reads %v", rt.Now())
	}
	if rt.PendingTimers() != 0 {
		t.Errorf("PendingTimers = %d; want 0", rt.PendingTimers())
	}
}

func TestSendAfterRealMode(t *testing.T) {
	rt := newRT(t)
	run(t, rt, func(ctx context.Context) error {
		g, err := noex.Start(ctx, &gate{})
		must(t, err)
		// The gate's "wait" is answered when "open" arrives: as a timer message.
		opener := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
			_, err := noex.Call(ctx, g, "open")
			return s, err
		}})
		_, err = noex.SendAfter(ctx, opener, "open now", 5*time.Millisecond)
		must(t, err)
		v, err := noex.Call(ctx, g, "wait")
		if err != nil || v != -1 {
			t.Errorf("wait = %d, %v; want released by the timer", v, err)
		}
		return nil
	})
}

func TestRandIsSeeded(t *testing.T) {
	draw := func(seed uint64) []int {
		rt := newRT(t, noex.WithSeed(seed))
		var out []int
		run(t, rt, func(ctx context.Context) error {
			for i := 0; i < 5; i++ {
				out = append(out, noex.Rand(ctx).IntN(1000))
			}
			return nil
		})
		return out
	}
	a, b, c := draw(9), draw(9), draw(10)
	if !equalInts(a, b) {
		t.Errorf("same seed gave %v and %v", a, b)
	}
	if equalInts(a, c) {
		t.Errorf("different seeds gave the same draws %v", a)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
