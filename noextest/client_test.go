package noextest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// listing: clients
// Two clients use the counter at once, each a process of its own, so the
// scheduler interleaves them: each client sees its own Add, and whichever
// reads last sees both, under every seed and in real mode.
func TestClientsAddConcurrently(t *testing.T) {
	noextest.Seeds(t, 50, func(t *testing.T, rt *noextest.Runtime) {
		rt.Run(func(ctx context.Context) error {
			counter, err := noex.Start(ctx, Counter{}, noex.WithName("counter"))
			if err != nil {
				return err
			}
			add := func(n int) func(ctx context.Context) (int, error) {
				return func(ctx context.Context) (int, error) {
					if err := counter.Cast(ctx, Add{N: n}); err != nil {
						return 0, err
					}
					return counter.Call(ctx, Get{})
				}
			}
			a, err := noextest.Go(ctx, add(2), noex.WithName("client-a"))
			if err != nil {
				return err
			}
			b, err := noextest.Go(ctx, add(3), noex.WithName("client-b"))
			if err != nil {
				return err
			}
			seenA, errA := a.Wait(ctx)
			seenB, errB := b.Wait(ctx)
			if err := errors.Join(errA, errB); err != nil {
				return err
			}
			if seenA < 2 || seenB < 3 || max(seenA, seenB) != 5 {
				t.Errorf("the clients saw %d and %d, want at least 2 and 3, and 5 for the later", seenA, seenB)
			}
			return noex.Stop(ctx, counter, nil)
		})
	})
}

// end listing

func TestClientRealMode(t *testing.T) {
	rt := noextest.New(t, noextest.Real())
	rt.Run(func(ctx context.Context) error {
		counter, err := noex.Start(ctx, Counter{})
		if err != nil {
			return err
		}
		var clients []*noextest.Client[int]
		for range 8 {
			c, err := noextest.Go(ctx, func(ctx context.Context) (int, error) {
				return 1, counter.Cast(ctx, Add{N: 1})
			})
			if err != nil {
				return err
			}
			clients = append(clients, c)
		}
		for _, c := range clients {
			if n, err := c.Wait(ctx); n != 1 || err != nil {
				t.Errorf("client %s: Wait = %d, %v, want 1, nil", c.PID(), n, err)
			}
		}
		return noex.Stop(ctx, counter, nil)
	})
}

// A client's function error is its result, not a handler error; Wait may
// be called again; the client shows in the log as a process that was cast
// "go" and stopped normally.
func TestClientResultAndEvents(t *testing.T) {
	rt := noextest.New(t, noextest.WithSeed(1))
	boom := errors.New("boom")
	rt.Run(func(ctx context.Context) error {
		c, err := noextest.Go(ctx, func(ctx context.Context) (string, error) {
			if err := noex.Sleep(ctx, time.Second); err != nil {
				return "", err
			}
			return "partial", boom
		}, noex.WithName("worker"))
		if err != nil {
			return err
		}
		for range 2 {
			if v, err := c.Wait(ctx); v != "partial" || !errors.Is(err, boom) {
				t.Errorf("Wait = %q, %v, want partial, boom", v, err)
			}
		}
		if rt.IsAlive(c.PID()) {
			t.Error("the client is alive after Wait")
		}
		return nil
	})
	log := noextest.Text(rt.Recorder().Raw())
	for _, want := range []string{`main sent cast to worker #`, `go`, `worker stopped reason=normal`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log has no %q:\n%s", want, log)
		}
	}
}

// A client that ends before its function returns is reported by Wait with
// the reason: a panic, a kill.
func TestClientEndedEarly(t *testing.T) {
	rt := noextest.New(t, noextest.WithSeed(1), noextest.ExpectCrashes())
	rt.Run(func(ctx context.Context) error {
		crash, err := noextest.Go(ctx, func(ctx context.Context) (int, error) { panic("oops") })
		if err != nil {
			return err
		}
		_, err = crash.Wait(ctx)
		var ce *noex.CrashError
		if !errors.Is(err, noextest.ErrClientEnded) || !errors.As(err, &ce) || ce.Value != "oops" {
			t.Errorf("a panicking client: Wait error = %v, want ErrClientEnded and the crash", err)
		}

		sleeper, err := noextest.Go(ctx, func(ctx context.Context) (int, error) {
			return 1, noex.Sleep(ctx, time.Hour)
		})
		if err != nil {
			return err
		}
		if err := noex.Kill(ctx, sleeper.PID(), nil); err != nil {
			return err
		}
		if _, err := sleeper.Wait(ctx); !errors.Is(err, noextest.ErrClientEnded) || !errors.Is(err, noex.ErrKilled) {
			t.Errorf("a killed client: Wait error = %v, want ErrClientEnded and ErrKilled", err)
		}
		return nil
	})
}

// A test that does not wait for a client does not lose it: Run returns
// once the client's function has returned, and nothing is left running.
func TestClientNotWaitedFor(t *testing.T) {
	rt := noextest.New(t, noextest.WithSeed(1))
	var counter noex.Ref[Get, Add, int]
	rt.Run(func(ctx context.Context) error {
		var err error
		if counter, err = noex.Start(ctx, Counter{}, noex.WithName("counter")); err != nil {
			return err
		}
		_, err = noextest.Go(ctx, func(ctx context.Context) (struct{}, error) {
			if err := noex.Sleep(ctx, time.Minute); err != nil {
				return struct{}{}, err
			}
			return struct{}{}, counter.Cast(ctx, Add{N: 7})
		})
		return err
	})
	if got := rt.Now().Sub(noex.Epoch); got != time.Minute {
		t.Errorf("Run returned at %v, want after the client's minute", got)
	}
	rt.Run(func(ctx context.Context) error {
		if n, err := counter.Call(ctx, Get{}); n != 7 || err != nil {
			t.Errorf("count = %d, %v, want 7", n, err)
		}
		return noex.Stop(ctx, counter, nil)
	})
}

func TestGoErrors(t *testing.T) {
	rt := noextest.New(t, noextest.WithSeed(1))
	rt.Run(func(ctx context.Context) error {
		if _, err := noextest.Go[int](ctx, nil); err == nil {
			t.Error("Go(nil) gave no error")
		}
		if _, err := noextest.Go(ctx, func(context.Context) (int, error) { return 0, nil }, noex.WithName("")); !errors.Is(err, noex.ErrInvalidName) {
			t.Errorf("Go with an empty name: %v, want ErrInvalidName", err)
		}
		return nil
	})
	if _, err := noextest.Go(context.Background(), func(context.Context) (int, error) { return 0, nil }); !errors.Is(err, noex.ErrNoRuntime) {
		t.Errorf("Go outside a runtime: %v, want ErrNoRuntime", err)
	}
}
