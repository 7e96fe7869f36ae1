package main

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainEnv); ok {
		// A child process of the tmux test: be the example.
		os.Args = append([]string{os.Args[0]}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

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

// fanoutCfg runs the example as `go run ./chapters/02-ipc/fanout` would,
// with flags set by the test.
func fanoutCfg() run.Config {
	cfg := run.DefaultConfig()
	cfg.Command, cfg.Width = "go run ./chapters/02-ipc/fanout", 80
	return cfg
}

// The challenge webhook-first: the natural order does not reach its goal,
// the schedule a person finds by stepping does, and -challenge with that
// -schedule says so.
func TestChallengeWebhookFirst(t *testing.T) {
	cfg := fanoutCfg()
	cfg.Challenge, cfg.Replay = "webhook-first", true
	var out strings.Builder
	if err := run.Exec(context.Background(), cfg, &out, demo, report); !errors.Is(err, run.ErrGoalNotReached) {
		t.Errorf("the natural order gave %v, want ErrGoalNotReached:\n%s", err, out.String())
	}

	cfg = fanoutCfg()
	cfg.Challenge, cfg.Step, cfg.Echo = "webhook-first", true, true
	cfg.Input = strings.NewReader("3\nn\n2\nc\n\n")
	out.Reset()
	if err := run.Exec(context.Background(), cfg, &out, demo, report); err != nil {
		t.Fatal(err)
	}
	const replay = `go run ./chapters/02-ipc/fanout -seed 1 -challenge webhook-first -schedule "0:3,2:2"`
	for _, want := range []string{
		"Goal: make the webhook notify the external system of u2 before email has welcomed u1.\n",
		"│ [webhook] external system notified of u2\n★ Goal reached: ",
		"Replay:   " + replay + "\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the session lacks %q:\n%s", want, out.String())
		}
	}

	cfg = fanoutCfg()
	cfg.Challenge, cfg.Replay, cfg.Schedule = "webhook-first", true, "0:3,2:2"
	out.Reset()
	if err := run.Exec(context.Background(), cfg, &out, demo, report); err != nil {
		t.Fatalf("%s: %v", replay, err)
	}
	if !strings.HasSuffix(out.String(), "★ Goal reached: make the webhook notify the external system of u2 before email has welcomed u1.\n") {
		t.Errorf("%s printed:\n%s", replay, out.String())
	}
}

// The step-through transcript in docs/seeing-a-run.md is this session
// (go test ./chapters/02-ipc/fanout -run TestStepTranscript -update
// rewrites it).
func TestStepTranscript(t *testing.T) {
	cfg := fanoutCfg()
	cfg.Step, cfg.Echo = true, true
	cfg.Input = strings.NewReader("3\n1\nu\nn\n2\nd\nc\n\n")
	var out strings.Builder
	if err := run.Exec(context.Background(), cfg, &out, demo, report); err != nil {
		t.Fatal(err)
	}
	chaptertest.DocBlock(t, "docs/seeing-a-run.md", "step", "$ go run ./chapters/02-ipc/fanout -step\n"+out.String())
}

// Every distinct schedule of the example (seed 1) runs and passes; the
// count is the number of different transcripts the example can print.
func TestExploreEverySchedule(t *testing.T) {
	chaptertest.Explore(t, 90, demo, report)
}
