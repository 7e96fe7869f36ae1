package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Guaranteed: each service sees the events in publication order and keeps
// them in its state; the report shows all of it. Not guaranteed: how the
// three services' lines interleave ("independently and in parallel").
func check(t testing.TB, res run.Result) string {
	lines := res.Lines()
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10:\n%s", len(lines), res.Output)
	}
	handled := lines[:7]
	for prefix, want := range map[string][]string{
		"Reserving ":   {"Reserving inventory for order order-1"},
		"Sending ":     {"Sending order confirmation email for order-1", "Sending payment receipt for order-1", "Sending shipping notification for order-1"},
		"[Analytics] ": {"[Analytics] Event: order.created", "[Analytics] Event: order.paid", "[Analytics] Event: order.shipped"},
	} {
		if diff := cmp.Diff(want, chaptertest.Filter(handled, prefix)); diff != "" {
			t.Errorf("lines starting %q (-want +got):\n%s", prefix, diff)
		}
	}
	report := []string{"inventory reserved: map[order-1:[book pen]]", "emails sent: 3", "analytics tracked: 3 events"}
	if diff := cmp.Diff(report, lines[7:]); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	return strings.Join(handled, "\n")
}

func TestPipeline(t *testing.T) {
	orders := map[string]bool{}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		orders[check(t, res)] = true
	}, demo, report)
	if len(orders) < 2 {
		t.Error("every seed interleaved the services the same way: the test explores nothing")
	}
	chaptertest.Real(t, 20, func(t testing.TB, res run.Result) { check(t, res) }, demo, report)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo, report)
	chaptertest.Deterministic(t, demo, report)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "orders", res)
}

// A service that crashes is restarted by the supervisor under the same
// name, with exactly one subscription (noex would keep the old one too and
// deliver twice) and a fresh state; the next order reaches it.
func TestRestartedServiceSubscribesOnce(t *testing.T) {
	for seed := uint64(1); seed <= uint64(chaptertest.Seeds()); seed++ {
		var before noex.PID
		var count int
		var reserved map[string][]string
		chaptertest.Run(t, seed,
			func(ctx context.Context, out io.Writer) error {
				if _, err := startOrderPipeline(ctx, out); err != nil {
					return err
				}
				_, err := createOrder(ctx, 1, "u1", []string{"book"})
				return err
			},
			func(ctx context.Context, out io.Writer) error { // order-1 is reserved
				before, _ = noex.RuntimeOf(ctx).Registry().Whereis("inventory")
				return noex.Kill(ctx, before, nil)
			},
			func(ctx context.Context, out io.Writer) error { // the restart is done
				_, err := createOrder(ctx, 2, "u2", []string{"lamp"})
				return err
			},
			func(ctx context.Context, out io.Writer) error {
				after, _ := noex.RuntimeOf(ctx).Registry().Whereis("inventory")
				if after == before || after.IsZero() {
					t.Errorf("seed %d: inventory was not restarted (before %v, after %v)", seed, before, after)
				}
				var err error
				if count, err = noex.SubscriptionCount(ctx, EventBus); err != nil {
					return err
				}
				reserved, err = InventoryName.Call(ctx, GetState{})
				return err
			})
		if count != 3 {
			t.Fatalf("seed %d: %d subscriptions after the restart, want 3", seed, count)
		}
		if diff := cmp.Diff(map[string][]string{"order-2": {"lamp"}}, reserved); diff != "" {
			t.Fatalf("seed %d: restarted inventory's state (-want +got):\n%s", seed, diff)
		}
	}
}

// Without the bus, the services cannot subscribe: their Init fails, and so
// does the supervisor's start, with an error that says why.
func TestNoBus(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, out io.Writer) error {
		_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{
			noex.ServerChild("inventory", Inventory{out: out}),
		}})
		if err == nil || !strings.Contains(err.Error(), "event-bus") {
			t.Errorf("start without a bus = %v, want an error naming event-bus", err)
		}
		return nil
	})
}

// Every distinct schedule of the example (seed 1) runs and passes; the
// count is the number of different transcripts the example can print.
func TestExploreEverySchedule(t *testing.T) {
	chaptertest.Explore(t, 140, demo, report)
}
