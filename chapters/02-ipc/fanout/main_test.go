package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Guaranteed: every subscriber handles both publications, u1 before u2,
// and records them in its state. Not guaranteed: how the three
// subscribers' lines interleave.
func check(t testing.TB, res run.Result) string {
	lines := res.Lines()
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9:\n%s", len(lines), res.Output)
	}
	for _, s := range subscribers(io.Discard) {
		mine := chaptertest.Filter(lines[:6], "["+s.Name+"] ")
		want := []string{
			"[" + s.Name + "] " + s.Action(UserRegistered{UserID: "u1"}),
			"[" + s.Name + "] " + s.Action(UserRegistered{UserID: "u2"}),
		}
		if diff := cmp.Diff(want, mine); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.Name, diff)
		}
	}
	want := []string{"email did 2 things", "analytics did 2 things", "webhook did 2 things"}
	if diff := cmp.Diff(want, lines[6:]); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	return strings.Join(lines[:6], "\n")
}

func TestFanOut(t *testing.T) {
	orders := map[string]bool{}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		orders[check(t, res)] = true
	}, demo, report)
	if len(orders) < 2 {
		t.Error("every seed interleaved the subscribers the same way: the test explores nothing")
	}
	chaptertest.Real(t, 20, func(t testing.TB, res run.Result) { check(t, res) }, demo, report)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo, report)
	chaptertest.Deterministic(t, demo, report)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "fanout", res)
}

// lazySubscriber is the chapter's "subscribe in init without waiting",
// made explicit: Init only asks itself to subscribe later, and returns.
type lazySubscriber struct{ Subscriber }

type subscribeNow struct{}

func (l lazySubscriber) Init(ctx context.Context) ([]string, error) {
	return nil, noex.Send(ctx, noex.Self(ctx), subscribeNow{})
}

func (l lazySubscriber) HandleInfo(ctx context.Context, msg any, done []string) ([]string, error) {
	if _, ok := msg.(subscribeNow); ok {
		_, err := noex.SubscribeMailbox(ctx, EventBus, "user.registered")
		return done, err
	}
	return l.Subscriber.HandleInfo(ctx, msg, done)
}

// withLazyEmail is the demo with a lazy email subscriber.
func withLazyEmail(ctx context.Context, out io.Writer) error {
	if _, err := noex.StartBus(ctx, noex.WithName(EventBus.String())); err != nil {
		return err
	}
	for _, s := range subscribers(out) {
		var err error
		if s.Name == "email" {
			_, err = noex.Start(ctx, lazySubscriber{s}, noex.WithName(s.Name))
		} else {
			_, err = noex.Start(ctx, s, noex.WithName(s.Name))
		}
		if err != nil {
			return err
		}
	}
	return noex.Publish(ctx, EventBus, "user.registered", UserRegistered{UserID: "u1"})
}

// With a subscription that is not in place when Start returns, some seed
// publishes before it and the email subscriber misses u1. Ours subscribes
// in Init and waits for the bus, so no seed misses anything (TestFanOut).
func TestLazySubscriptionMissesEvents(t *testing.T) {
	seed, found := chaptertest.FindSeed(chaptertest.SearchSeeds, func(seed uint64) bool {
		res := chaptertest.Run(t, seed, withLazyEmail)
		return !slices.Contains(res.Lines(), "[email] welcome message sent to u1")
	})
	if !found {
		t.Fatal("no seed published before the lazy subscription was made")
	}
	t.Logf("seed %d: the lazy email subscriber missed u1", seed)
}
