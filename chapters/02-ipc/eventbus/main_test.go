package main

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Alice is heard, Bob (published after unsubscribe) is not, under every
// seed and in real mode.
func TestOutput(t *testing.T) {
	want := []string{"New user created: Alice", "subscriptions left: 0"}
	chaptertest.Lines(t, want, 20, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "eventbus", res)
}

// listener subscribes in Init and counts what it hears in HandleInfo.
type listener struct{ bus noex.Bus }

func (l listener) Init(ctx context.Context) (int, error) {
	_, err := noex.SubscribeMailbox(ctx, l.bus, "user.*")
	return 0, err
}
func (listener) HandleCall(ctx context.Context, _ struct{}, n int) (int, int, error) {
	return n, n, nil
}
func (listener) HandleCast(ctx context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (listener) HandleInfo(ctx context.Context, msg any, n int) (int, error) {
	if _, ok := msg.(noex.Publication); ok {
		return n + 1, nil
	}
	return n, nil
}

// A subscription belongs to the process that made it: when the process
// ends, the bus forgets it (noex keeps calling the handlers of dead
// subscribers).
func TestSubscriptionOwnedBySubscriber(t *testing.T) {
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, _ run.Result) {}, func(ctx context.Context, _ io.Writer) error {
		bus, err := noex.StartBus(ctx)
		if err != nil {
			return err
		}
		l, err := noex.Start(ctx, listener{bus: bus})
		if err != nil {
			return err
		}
		if n, err := noex.SubscriptionCount(ctx, bus); err != nil || n != 1 {
			t.Errorf("after Init: %d subscriptions, %v; want 1", n, err)
		}
		if err := noex.Stop(ctx, l, nil); err != nil {
			return err
		}
		if n, err := noex.SubscriptionCount(ctx, bus); err != nil || n != 0 {
			t.Errorf("after Stop: %d subscriptions, %v; want 0", n, err)
		}
		return nil
	})
}

// A handler that panics is recovered on its own; the next one still runs.
func TestPanickingHandler(t *testing.T) {
	var heard []string
	res := chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		bus, err := noex.StartBus(ctx)
		if err != nil {
			return err
		}
		if _, err := noex.Subscribe(ctx, bus, "user.created", func(context.Context, any, string) { panic("boom") }); err != nil {
			return err
		}
		if _, err := noex.Subscribe(ctx, bus, "user.created", func(_ context.Context, msg any, _ string) {
			heard = append(heard, msg.(User).Name)
		}); err != nil {
			return err
		}
		return noex.PublishSync(ctx, bus, "user.created", User{Name: "Alice"})
	})
	if diff := cmp.Diff([]string{"Alice"}, heard); diff != "" {
		t.Errorf("second handler heard (-want +got):\n%s", diff)
	}
	failed := 0
	for _, e := range res.Events {
		if e.Kind == noex.Delivered && errors.Is(e.Err, noex.ErrCrashed) {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed deliveries recorded, want 1", failed)
	}
}

// Topics are checked: a bad one is an error, never a silent no-match.
func TestBadTopic(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		bus, err := noex.StartBus(ctx)
		if err != nil {
			return err
		}
		if err := noex.Publish(ctx, bus, "user..created", nil); !errors.Is(err, noex.ErrInvalidTopic) {
			t.Errorf("Publish on a bad topic = %v, want ErrInvalidTopic", err)
		}
		if _, err := noex.Subscribe(ctx, bus, "user.#", func(context.Context, any, string) {}); err != nil {
			t.Errorf("Subscribe(\"user.#\") = %v; '#' is an ordinary character", err)
		}
		return nil
	})
}
