package main

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	started   = "Notification system started"
	email     = "[EMAIL] Delivered to user-1: Welcome!"
	push      = "[PUSH] Delivered to user-1: New message"
	sentEmail = "[Analytics] Notification sent via email"
	sentPush  = "[Analytics] Notification sent via push"
)

var wantReport = []string{
	"analytics: map[email:1 push:1]",
	"channel-email: {Delivered:1 Failed:0}",
	"channel-sms: {Delivered:0 Failed:0}",
	"channel-push: {Delivered:1 Failed:0}",
}

// check asserts what is guaranteed: the deliveries in send order, each
// analytics line after its delivery, the analytics lines in send order,
// exactly one analytics event per delivered notification, and the state.
// Not guaranteed, and not checked: whether the email's analytics line comes
// before or after the push delivery.
func check(t testing.TB, res run.Result) {
	lines := res.Lines()
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9:\n%s", len(lines), res.Output)
	}
	at := func(l string) int { return chaptertest.Index(lines, l) }
	if at(started) != 0 {
		t.Errorf("%q is not the first line", started)
	}
	for _, before := range [][2]string{{email, push}, {email, sentEmail}, {push, sentPush}, {sentEmail, sentPush}} {
		if a, b := at(before[0]), at(before[1]); a < 0 || b < 0 || a > b {
			t.Errorf("%q (line %d) should come before %q (line %d)", before[0], a, before[1], b)
		}
	}
	if diff := cmp.Diff(wantReport, lines[5:]); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}

func TestNotifications(t *testing.T) {
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) { check(t, res) }, demo, report)
	chaptertest.Real(t, 20, check, demo, report)
}

// The chapter's order, [Analytics] email before [PUSH], is not a
// guarantee: the publish is a cast, and only the channels' latency makes
// the analytics line come first. With instant channels some seed prints
// [PUSH] first; everything check asserts still holds.
func TestAnalyticsOrderNotGuaranteed(t *testing.T) {
	instant := func(ctx context.Context, out io.Writer) error { return sendAll(ctx, out, 0) }
	seed, found := chaptertest.FindSeed(chaptertest.SearchSeeds, func(seed uint64) bool {
		res := chaptertest.Run(t, seed, instant, report)
		check(t, res)
		lines := res.Lines()
		return chaptertest.Index(lines, push) < chaptertest.Index(lines, sentEmail)
	})
	if !found {
		t.Fatal("no seed printed [PUSH] before the email's analytics line")
	}
	res := chaptertest.Run(t, seed, instant)
	t.Logf("seed %d prints:\n%s", seed, res.Output)
	chaptertest.Golden(t, "testdata/reordered.golden", res.Output)
}

// With the chapter's 10 ms latency, deterministic mode always prints the
// chapter's order: the virtual clock only moves on when nothing else can
// run, so the analytics line is printed while the push is "in flight".
func TestChapterOrderWithLatency(t *testing.T) {
	want := append([]string{started, email, sentEmail, push, sentPush}, wantReport...)
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		if diff := cmp.Diff(want, res.Lines()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	}, demo, report)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo, report)
	chaptertest.Deterministic(t, demo, report)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "notifications", res)
}

// A notification for a channel without a handler is not delivered, not
// counted and not published.
func TestNoHandler(t *testing.T) {
	var delivered bool
	res := chaptertest.Run(t, 1, func(ctx context.Context, out io.Writer) error {
		if err := startNotificationSystem(ctx, out, time.Millisecond); err != nil {
			return err
		}
		var err error
		delivered, err = RouterName.Call(ctx, Send{Notification: Notification{ID: "n3", UserID: "u", Channel: "fax"}})
		return err
	}, report)
	if delivered {
		t.Error("a fax was delivered")
	}
	want := []string{
		started,
		"No handler for channel: fax",
		"analytics: map[]",
		"channel-email: {Delivered:0 Failed:0}",
		"channel-sms: {Delivered:0 Failed:0}",
		"channel-push: {Delivered:0 Failed:0}",
	}
	if diff := cmp.Diff(want, res.Lines()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// A channel handler that crashes is restarted by the supervisor under the
// same name, and the router finds the new one.
func TestRestartedChannel(t *testing.T) {
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		if got := chaptertest.Filter(res.Lines(), "[EMAIL]"); len(got) != 2 {
			t.Errorf("email deliveries = %q, want 2", got)
		}
	}, func(ctx context.Context, out io.Writer) error {
		if err := startNotificationSystem(ctx, out, time.Millisecond); err != nil {
			return err
		}
		if _, err := RouterName.Call(ctx, Send{Notification: notifications[0]}); err != nil {
			return err
		}
		return noex.Kill(ctx, ChannelName(Email), nil)
	}, func(ctx context.Context, out io.Writer) error {
		ok, err := RouterName.Call(ctx, Send{Notification: notifications[0]})
		if !ok {
			return fmt.Errorf("not delivered after the restart: %v", err)
		}
		return err
	})
}

// logOnlyAnalytics is the chapter's analytics service: a handler that
// runs inside the bus and only prints. Its state is never updated.
type logOnlyAnalytics struct{ out io.Writer }

func (a logOnlyAnalytics) Init(ctx context.Context) (map[Channel]int, error) {
	_, err := noex.Subscribe(ctx, EventBus, "notification.sent.*", func(ctx context.Context, msg any, topic string) {
		fmt.Fprintln(a.out, "[Analytics] Notification sent via", topic[len("notification.sent."):])
	})
	return map[Channel]int{}, err
}
func (a logOnlyAnalytics) HandleCall(ctx context.Context, _ GetCounts, s map[Channel]int) (map[Channel]int, map[Channel]int, error) {
	return s, s, nil
}
func (a logOnlyAnalytics) HandleCast(ctx context.Context, _ noex.None, s map[Channel]int) (map[Channel]int, error) {
	return s, nil
}

// The chapter's analytics prints the same lines as ours, but asked for its
// counts it has none. Ours (TestNotifications) counts every one.
func TestLogOnlyAnalyticsKeepsNoState(t *testing.T) {
	var counts map[Channel]int
	res := chaptertest.Run(t, 1, func(ctx context.Context, out io.Writer) error {
		if _, err := noex.StartBus(ctx, noex.WithName(EventBus.String())); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, ChannelHandler{Channel: Email, out: out}, noex.WithName("channel-email")); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, Router{out: out}, noex.WithName(RouterName.String())); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, logOnlyAnalytics{out: out}, noex.WithName(AnalyticsName.String())); err != nil {
			return err
		}
		_, err := RouterName.Call(ctx, Send{Notification: notifications[0]})
		return err
	}, func(ctx context.Context, out io.Writer) error {
		var err error
		counts, err = AnalyticsName.Call(ctx, GetCounts{})
		return err
	})
	if chaptertest.Index(res.Lines(), sentEmail) < 0 {
		t.Errorf("the log-only analytics printed nothing:\n%s", res.Output)
	}
	if len(counts) != 0 {
		t.Errorf("the log-only analytics has counts %v; it was expected to keep none", counts)
	}
}
