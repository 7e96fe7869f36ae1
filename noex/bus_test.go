package noex_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
)

// busSeeds is the number of seeds every deterministic bus test runs under.
const busSeeds = 50

// busModes runs f in real mode and in deterministic mode under busSeeds
// seeds, each with a fresh runtime that is shut down afterwards.
func busModes(t *testing.T, f func(t *testing.T, rt *noex.Runtime)) {
	t.Helper()
	t.Run("real", func(t *testing.T) { f(t, newRT(t)) })
	busSeeded(t, f)
}

// busSeeded runs f in deterministic mode only, under busSeeds seeds.
func busSeeded(t *testing.T, f func(t *testing.T, rt *noex.Runtime)) {
	t.Helper()
	seeds := make([]uint64, busSeeds)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	seeded(t, seeds, f)
}

// busEvents records the event stream.
type busEvents struct {
	mu  sync.Mutex
	all []noex.Event
}

func observeBus(rt *noex.Runtime) *busEvents {
	r := &busEvents{}
	rt.Observe(func(e noex.Event) {
		r.mu.Lock()
		r.all = append(r.all, e)
		r.mu.Unlock()
	})
	return r
}

func (r *busEvents) of(k noex.EventKind) []noex.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []noex.Event
	for _, e := range r.all {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (r *busEvents) bySeq(seq uint64) (noex.Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.all {
		if e.Seq == seq {
			return e, true
		}
	}
	return noex.Event{}, false
}

func (r *busEvents) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.all {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// tape records what handlers saw. Handlers run in the bus process; the test
// reads the tape after a barrier (PublishSync, or Run's quiescence).
type tape struct {
	mu    sync.Mutex
	items []string
}

func (tp *tape) add(s string) {
	tp.mu.Lock()
	tp.items = append(tp.items, s)
	tp.mu.Unlock()
}

func (tp *tape) take() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	out := tp.items
	tp.items = nil
	return out
}

// handler returns a handler that records "name:topic".
func (tp *tape) handler(name string) noex.Handler {
	return func(_ context.Context, _ any, topic string) { tp.add(name + ":" + topic) }
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCount(ctx context.Context, bus noex.BusAddr, want int) error {
	n, err := noex.SubscriptionCount(ctx, bus)
	if err != nil {
		return err
	}
	if n != want {
		pats, _ := noex.Patterns(ctx, bus)
		return fmt.Errorf("SubscriptionCount = %d, want %d (patterns %q)", n, want, pats)
	}
	return nil
}

// ---- a subscriber server ----

// subscriber subscribes in Init, as the chapter's services do: a handler
// for each of handlers (recording on tape) and a mailbox subscription for
// each of mailbox (collected in its state).
type subscriber struct {
	bus      noex.BusAddr
	handlers []string
	mailbox  []string
	tape     *tape
	failInit bool
	share    *[]func() // if set, Init appends its unsubscribe functions
}

type subReq string // calls: "got", "unsubscribe"; casts: "crash", "publish-and-stop"

type subState struct {
	got    []noex.Publication
	unsubs []func()
}

type subRef = noex.Ref[subReq, subReq, []noex.Publication]

var errInitRefused = errors.New("init refused after subscribing")

func (s *subscriber) Init(ctx context.Context) (subState, error) {
	var st subState
	for _, p := range s.handlers {
		u, err := noex.Subscribe(ctx, s.bus, p, s.tape.handler(noex.Self(ctx).Label()))
		if err != nil {
			return st, err
		}
		st.unsubs = append(st.unsubs, u)
	}
	for _, p := range s.mailbox {
		u, err := noex.SubscribeMailbox(ctx, s.bus, p)
		if err != nil {
			return st, err
		}
		st.unsubs = append(st.unsubs, u)
	}
	if s.share != nil {
		*s.share = append(*s.share, st.unsubs...)
	}
	if s.failInit {
		return st, errInitRefused
	}
	return st, nil
}

func (s *subscriber) HandleCall(ctx context.Context, r subReq, st subState) ([]noex.Publication, subState, error) {
	switch r {
	case "unsubscribe":
		for _, u := range st.unsubs {
			u()
		}
	}
	return slices.Clone(st.got), st, nil
}

func (s *subscriber) HandleCast(ctx context.Context, r subReq, st subState) (subState, error) {
	switch r {
	case "crash":
		panic("subscriber crashes on purpose")
	case "publish-and-stop":
		for i := range 3 {
			if err := noex.Publish(ctx, s.bus, "x", i); err != nil {
				return st, err
			}
		}
		return st, noex.Stop(ctx, noex.Self(ctx), nil)
	}
	return st, nil
}

func (s *subscriber) HandleInfo(ctx context.Context, msg any, st subState) (subState, error) {
	if p, ok := msg.(noex.Publication); ok {
		st.got = append(st.got, p)
	}
	return st, nil
}

// ---- tests ----

func TestBusSubscribePublishUnsubscribe(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		var got []any
		var busPID, handlerPID noex.PID
		run(t, rt, func(ctx context.Context) error {
			b, err := noex.StartBus(ctx, noex.WithName("event-bus"))
			if err != nil {
				return err
			}
			busPID = b.PID()
			bus := noex.BusName("event-bus")
			unsub, err := noex.Subscribe(ctx, bus, "user.created", func(ctx context.Context, msg any, topic string) {
				tp.add(topic)
				got = append(got, msg)
				handlerPID = noex.Self(ctx)
			})
			if err != nil {
				return err
			}
			mustOK(t, noex.PublishSync(ctx, bus, "user.created", "Alice"))
			mustOK(t, noex.PublishSync(ctx, bus, "user.deleted", "Bob"))
			unsub()
			mustOK(t, noex.PublishSync(ctx, bus, "user.created", "Carol"))
			return wantCount(ctx, bus, 0)
		})
		if diff := cmp.Diff([]string{"user.created"}, tp.take()); diff != "" {
			t.Errorf("topics seen (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{"Alice"}, got); diff != "" {
			t.Errorf("messages seen (-want +got):\n%s", diff)
		}
		if handlerPID != busPID {
			t.Errorf("the handler ran in %v, want the bus %v", handlerPID, busPID)
		}
	})
}

func TestBusChapterWildcards(t *testing.T) {
	topics := []string{"user.created", "user.updated", "user.deleted", "user.created.admin",
		"order.created", "user.profile.updated", "user"}
	want := map[string][]string{
		"exact":  {"user.created"},
		"single": {"user.created", "user.updated", "user.deleted"},
		"global": topics,
	}
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			for name, pattern := range map[string]string{"exact": "user.created", "single": "user.*", "global": "*"} {
				if _, err := noex.Subscribe(ctx, bus, pattern, tp.handler(name)); err != nil {
					return err
				}
			}
			for _, topic := range topics {
				if err := noex.Publish(ctx, bus, topic, nil); err != nil {
					return err
				}
			}
			return nil // Run returns once every publication was handled
		})
		got := map[string][]string{}
		for _, item := range tp.take() {
			name, topic, _ := strings.Cut(item, ":")
			got[name] = append(got[name], topic)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("deliveries per subscription (-want +got):\n%s", diff)
		}
	})
}

func TestBusDeliveryOrderIsSubscriptionOrder(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			subs := []struct{ name, pattern string }{
				{"1", "*"}, {"2", "user.created"}, {"3", "user.*"}, {"4", "order.*"}, {"5", "user.created"},
				{"6", "*.created"}, {"7", "*"}, {"8", "user.*"}, {"9", "*.*"}, {"10", "user.created"},
			}
			unsubs := map[string]func(){}
			for _, s := range subs {
				u, err := noex.Subscribe(ctx, bus, s.pattern, tp.handler(s.name))
				if err != nil {
					return err
				}
				unsubs[s.name] = u
			}
			mustOK(t, noex.PublishSync(ctx, bus, "user.created", nil))
			if diff := cmp.Diff([]string{"1", "2", "3", "5", "6", "7", "8", "9", "10"}, names(tp.take())); diff != "" {
				t.Errorf("order of user.created (-want +got):\n%s", diff)
			}
			// Leaving and joining again moves a subscription to the end.
			unsubs["3"]()
			if _, err := noex.Subscribe(ctx, bus, "user.*", tp.handler("3")); err != nil {
				return err
			}
			mustOK(t, noex.PublishSync(ctx, bus, "user.created", nil))
			if diff := cmp.Diff([]string{"1", "2", "5", "6", "7", "8", "9", "10", "3"}, names(tp.take())); diff != "" {
				t.Errorf("order after re-subscribing (-want +got):\n%s", diff)
			}
			mustOK(t, noex.PublishSync(ctx, bus, "order.created", nil))
			if diff := cmp.Diff([]string{"1", "4", "6", "7", "9"}, names(tp.take())); diff != "" {
				t.Errorf("order of order.created (-want +got):\n%s", diff)
			}
			return nil
		})
	})
}

func names(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i], _, _ = strings.Cut(s, ":")
	}
	return out
}

func TestBusHandlerPanicIsIsolated(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		evs := observeBus(rt)
		var tp tape
		var bus noex.Bus
		run(t, rt, func(ctx context.Context) error {
			var err error
			if bus, err = noex.StartBus(ctx, noex.WithName("event-bus")); err != nil {
				return err
			}
			mustOK2(noex.Subscribe(ctx, bus, "job.*", tp.handler("before")))
			mustOK2(noex.Subscribe(ctx, bus, "job.*", func(context.Context, any, string) { panic("boom") }))
			mustOK2(noex.Subscribe(ctx, bus, "*", tp.handler("after")))
			for range 2 {
				mustOK(t, noex.PublishSync(ctx, bus, "job.done", 1))
			}
			return wantCount(ctx, bus, 3)
		})
		if diff := cmp.Diff([]string{"before:job.done", "after:job.done", "before:job.done", "after:job.done"}, tp.take()); diff != "" {
			t.Errorf("deliveries around the panicking handler (-want +got):\n%s", diff)
		}
		if !rt.IsAlive(bus.PID()) {
			t.Error("the bus died with its handler")
		}
		var failed []noex.Event
		for _, e := range evs.of(noex.Delivered) {
			if e.Err != nil {
				failed = append(failed, e)
			}
		}
		if len(failed) != 2 {
			t.Fatalf("want 2 Delivered events with Err, got %d:\n%s", len(failed), evs.text())
		}
		ce, ok := errors.AsType[*noex.CrashError](failed[0].Err)
		if !ok || ce.Value != "boom" || !errors.Is(failed[0].Err, noex.ErrCrashed) || ce.Stack == "" {
			t.Errorf("Delivered.Err = %#v; want a *CrashError with the panic value and a stack", failed[0].Err)
		}
		if want := `event-bus handler #`; !strings.Contains(failed[0].Err.Error(), want) ||
			!strings.Contains(failed[0].Err.Error(), `"job.*"`) {
			t.Errorf("Delivered.Err = %q; want it to name the handler and its pattern", failed[0].Err)
		}
		if n := len(evs.of(noex.ProcessCrashed)); n != 0 {
			t.Errorf("%d processes crashed:\n%s", n, evs.text())
		}
	})
}

// mustOK2 drops the unsubscribe function of a subscription that lives as
// long as its owner; the error is checked by the counts that follow.
func mustOK2(_ func(), _ error) {}

func TestBusOwnerEndDropsItsSubscriptions(t *testing.T) {
	ends := []struct {
		name string
		end  func(ctx context.Context, s subRef) error
	}{
		{"stop", func(ctx context.Context, s subRef) error { return noex.Stop(ctx, s, nil) }},
		{"kill", func(ctx context.Context, s subRef) error { return noex.Kill(ctx, s, nil) }},
		{"crash", func(ctx context.Context, s subRef) error {
			if err := noex.Cast(ctx, s, "crash"); err != nil {
				return err
			}
			reason, err := noex.Wait(ctx, s)
			if !errors.Is(reason, noex.ErrCrashed) {
				return fmt.Errorf("subscriber ended with %v, want a crash", reason)
			}
			return err
		}},
	}
	for _, end := range ends {
		t.Run(end.name, func(t *testing.T) {
			busModes(t, func(t *testing.T, rt *noex.Runtime) {
				evs := observeBus(rt)
				var tp tape
				run(t, rt, func(ctx context.Context) error {
					bus, err := noex.StartBus(ctx, noex.WithName("event-bus"))
					if err != nil {
						return err
					}
					mustOK2(noex.Subscribe(ctx, bus, "order.*", tp.handler("main")))
					s, err := noex.Start(ctx, &subscriber{bus: bus, handlers: []string{"order.created", "*"},
						mailbox: []string{"order.*"}, tape: &tp}, noex.WithName("sub"))
					if err != nil {
						return err
					}
					if err := wantCount(ctx, bus, 4); err != nil {
						return err
					}
					if err := end.end(ctx, s); err != nil {
						return err
					}
					// At once, whether or not the bus has had the Down yet.
					if err := wantCount(ctx, bus, 1); err != nil {
						return err
					}
					if pats, err := noex.Patterns(ctx, bus); err != nil || !slices.Equal(pats, []string{"order.*"}) {
						return fmt.Errorf("Patterns = %q, %v; want [order.*]", pats, err)
					}
					return noex.PublishSync(ctx, bus, "order.created", nil)
				})
				if diff := cmp.Diff([]string{"main:order.created"}, tp.take()); diff != "" {
					t.Errorf("deliveries after the subscriber ended (-want +got):\n%s", diff)
				}
				var gone []string
				for _, e := range evs.of(noex.Unsubscribed) {
					if e.PeerLbl == "sub" {
						gone = append(gone, e.Name)
					}
				}
				if diff := cmp.Diff([]string{"order.created", "*", "order.*"}, gone); diff != "" {
					t.Errorf("Unsubscribed events (-want +got):\n%s\n%s", diff, evs.text())
				}
			})
		})
	}
}

// An owner's own publications are ahead of its Down in the bus's queue, so
// they reach its subscriptions even when the bus handles them after the
// owner ended; publications from others handled after the end do not.
func TestBusEndedOwnerGetsOnlyItsOwnPublications(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			s, err := noex.Start(ctx, &subscriber{bus: bus, handlers: []string{"x"}, tape: &tp}, noex.WithName("p"))
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, s, "publish-and-stop"); err != nil {
				return err
			}
			if _, err := noex.Wait(ctx, s); err != nil {
				return err
			}
			return noex.PublishSync(ctx, bus, "x", "from main")
		})
		if diff := cmp.Diff([]string{"p:x", "p:x", "p:x"}, tp.take()); diff != "" {
			t.Errorf("deliveries to the ended owner (-want +got):\n%s", diff)
		}
	})
}

func TestBusSubscriptionOfFailedInitIsDropped(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			_, err = noex.Start(ctx, &subscriber{bus: bus, handlers: []string{"a"}, tape: &tape{}, failInit: true})
			if !errors.Is(err, errInitRefused) {
				return fmt.Errorf("Start = %v, want the Init error", err)
			}
			return wantCount(ctx, bus, 0)
		})
	})
}

func TestBusRestartedSubscriberHasOneSubscription(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx, noex.WithName("event-bus"))
			if err != nil {
				return err
			}
			inventory := &subscriber{bus: noex.BusName("event-bus"), handlers: []string{"order.created"}, tape: &tp}
			for i := range 4 {
				s, err := noex.Start(ctx, inventory, noex.WithName("inventory"))
				if err != nil {
					return err
				}
				if err := wantCount(ctx, bus, 1); err != nil {
					return fmt.Errorf("start %d: %w", i+1, err)
				}
				if err := noex.PublishSync(ctx, bus, "order.created", i); err != nil {
					return err
				}
				if got := tp.take(); len(got) != 1 {
					return fmt.Errorf("start %d: one publication reached %d handlers: %q", i+1, len(got), got)
				}
				if err := noex.Stop(ctx, s, nil); err != nil {
					return err
				}
			}
			return wantCount(ctx, bus, 0)
		})
	})
}

func TestBusSubscriptionOfRunBodyEndsWithIt(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var bus noex.Bus
		run(t, rt, func(ctx context.Context) error {
			var err error
			if bus, err = noex.StartBus(ctx); err != nil {
				return err
			}
			_, err = noex.Subscribe(ctx, bus, "*", (&tape{}).handler("main"))
			return err
		})
		run(t, rt, func(ctx context.Context) error { return wantCount(ctx, bus, 0) })
	})
}

func TestBusMailboxDeliveriesInOrder(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var s subRef
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx, noex.WithName("event-bus"))
			if err != nil {
				return err
			}
			s, err = noex.Start(ctx, &subscriber{bus: bus, mailbox: []string{"order.*"}}, noex.WithName("email"))
			if err != nil {
				return err
			}
			for i, topic := range []string{"order.created", "user.created", "order.paid", "order.shipped", "order.x.y"} {
				publish := noex.Publish
				if i%2 == 1 {
					publish = noex.PublishSync
				}
				if err := publish(ctx, bus, topic, i); err != nil {
					return err
				}
			}
			return nil
		})
		run(t, rt, func(ctx context.Context) error {
			got, err := noex.Call(ctx, s, "got")
			if err != nil {
				return err
			}
			want := []noex.Publication{{"order.created", 0}, {"order.paid", 2}, {"order.shipped", 3}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("HandleInfo saw (-want +got):\n%s", diff)
			}
			return nil
		})
	})
}

func TestBusUnsubscribeIsIdempotentAndHarmless(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		var s subRef
		var bus noex.Bus
		run(t, rt, func(ctx context.Context) error {
			var err error
			if bus, err = noex.StartBus(ctx); err != nil {
				return err
			}
			u1, err := noex.Subscribe(ctx, bus, "a", tp.handler("1"))
			if err != nil {
				return err
			}
			u2, err := noex.Subscribe(ctx, bus, "a", tp.handler("2"))
			if err != nil {
				return err
			}
			u1()
			u1()
			if err := wantCount(ctx, bus, 1); err != nil {
				return fmt.Errorf("after unsubscribing twice: %w", err)
			}
			mustOK(t, noex.PublishSync(ctx, bus, "a", nil))
			if diff := cmp.Diff([]string{"2:a"}, tp.take()); diff != "" {
				return fmt.Errorf("deliveries (-want +got):\n%s", diff)
			}
			// After the owner ended: a subscriber's function, called by another process.
			s, err = noex.Start(ctx, &subscriber{bus: bus, handlers: []string{"b"}, tape: &tp})
			if err != nil {
				return err
			}
			if _, err := noex.Call(ctx, s, "unsubscribe"); err != nil {
				return err
			}
			if err := wantCount(ctx, bus, 1); err != nil {
				return fmt.Errorf("after the subscriber unsubscribed: %w", err)
			}
			// After the bus stopped.
			if err := noex.Stop(ctx, bus, nil); err != nil {
				return err
			}
			u2()
			u2()
			u1()
			return nil
		})
	})
}

func TestBusUnsubscribeFromOutsideTheRuntime(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var bus noex.Bus
		var s subRef
		var shared []func()
		run(t, rt, func(ctx context.Context) error {
			var err error
			if bus, err = noex.StartBus(ctx); err != nil {
				return err
			}
			s, err = noex.Start(ctx, &subscriber{bus: bus, handlers: []string{"a"}, tape: &tape{}, share: &shared})
			return err
		})
		// A goroutine that is no runtime process calls the subscriber's
		// function. Deterministic mode refuses (ErrNotOwner): nothing
		// happens, and the function may be called again from the right
		// place. Real mode makes the call on the subscriber's behalf.
		done := make(chan struct{})
		go func() { defer close(done); shared[0](); shared[0]() }()
		<-done
		want := 0
		if rt.Deterministic() {
			want = 1
		}
		run(t, rt, func(ctx context.Context) error {
			if err := wantCount(ctx, bus, want); err != nil {
				return fmt.Errorf("after the outside call: %w", err)
			}
			if _, err := noex.Call(ctx, s, "unsubscribe"); err != nil {
				return err
			}
			return wantCount(ctx, bus, 0)
		})
	})
}

func TestBusUnsubscribeFromHandler(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var tp tape
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			var once func()
			once, err = noex.Subscribe(ctx, bus, "tick", func(ctx context.Context, msg any, topic string) {
				tp.add("once")
				once()
				once()
			})
			if err != nil {
				return err
			}
			mustOK2(noex.Subscribe(ctx, bus, "tick", tp.handler("always")))
			var later func()
			mustOK2(noex.Subscribe(ctx, bus, "tick", func(context.Context, any, string) { later() }))
			later, err = noex.Subscribe(ctx, bus, "*", tp.handler("removed by the one before"))
			if err != nil {
				return err
			}
			for range 3 {
				mustOK(t, noex.PublishSync(ctx, bus, "tick", nil))
			}
			return wantCount(ctx, bus, 2)
		})
		if diff := cmp.Diff([]string{"once", "always:tick", "always:tick", "always:tick"}, tp.take()); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
	})
}

func TestBusErrors(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		var fromHandler []error
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx, noex.WithName("event-bus"))
			if err != nil {
				return err
			}
			checks := []struct {
				what string
				err  error
				want error
			}{}
			check := func(what string, err, want error) {
				checks = append(checks, struct {
					what string
					err  error
					want error
				}{what, err, want})
			}
			u, err := noex.Subscribe(ctx, bus, "a..b", (&tape{}).handler("x"))
			u() // a no-op, never nil
			check("Subscribe with an invalid pattern", err, noex.ErrInvalidTopic)
			if te, ok := errors.AsType[*noex.TopicError](err); !ok || te.What != "pattern" || te.Input != "a..b" {
				t.Errorf("Subscribe(\"a..b\"): %#v, want a *TopicError on the pattern", err)
			}
			_, err = noex.Subscribe(ctx, bus, "a", nil)
			check("Subscribe with a nil handler", err, noex.ErrBadOption)
			_, err = noex.SubscribeMailbox(ctx, bus, "a")
			check("SubscribeMailbox from Run's body", err, noex.ErrNotRunning)
			_, err = noex.Subscribe(ctx, noex.BusName("no-such-bus"), "a", (&tape{}).handler("x"))
			check("Subscribe to an unknown name", err, noex.ErrNotRegistered)
			err = noex.Publish(ctx, bus, "user.*", nil)
			check("Publish on a topic with '*'", err, noex.ErrInvalidTopic)
			err = noex.PublishSync(ctx, bus, "", nil)
			check("PublishSync on an empty topic", err, noex.ErrInvalidTopic)
			err = noex.Publish(ctx, noex.BusName("no-such-bus"), "a", nil)
			check("Publish to an unknown name", err, noex.ErrNotRegistered)
			_, err = noex.StartBus(ctx, noex.WithName("event-bus"))
			check("a second bus under the same name", err, noex.ErrNameTaken)
			_, err = noex.Subscribe(ctx, nil, "a", (&tape{}).handler("x"))
			check("Subscribe to a nil address", err, noex.ErrNotRunning)
			check("Publish to a nil address", noex.Publish(ctx, nil, "a", nil), noex.ErrNotRunning)
			_, err = noex.Subscribe(context.Background(), bus, "a", (&tape{}).handler("x"))
			check("Subscribe outside the runtime", err, noex.ErrNoRuntime)
			check("Publish outside the runtime", noex.Publish(context.Background(), bus, "a", nil), noex.ErrNoRuntime)

			mustOK2(noex.Subscribe(ctx, bus, "inside", func(ctx context.Context, msg any, topic string) {
				_, err := noex.Subscribe(ctx, bus, "x", (&tape{}).handler("x"))
				fromHandler = append(fromHandler, err, noex.PublishSync(ctx, bus, "x", nil), noex.Publish(ctx, bus, "x", nil))
			}))
			mustOK(t, noex.PublishSync(ctx, bus, "inside", nil))

			if err := noex.Stop(ctx, bus, nil); err != nil {
				return err
			}
			_, err = noex.Subscribe(ctx, bus, "a", (&tape{}).handler("x"))
			check("Subscribe to a stopped bus", err, noex.ErrNotRunning)
			_, err = noex.Subscribe(ctx, noex.BusName("event-bus"), "a", (&tape{}).handler("x"))
			check("Subscribe by name to a stopped bus", err, noex.ErrNotRegistered)
			check("Publish to a stopped bus", noex.Publish(ctx, bus, "a", nil), noex.ErrNotRunning)
			check("PublishSync to a stopped bus", noex.PublishSync(ctx, bus, "a", nil), noex.ErrNotRunning)
			_, err = noex.SubscriptionCount(ctx, bus)
			check("SubscriptionCount of a stopped bus", err, noex.ErrNotRunning)
			_, err = noex.Patterns(ctx, bus)
			check("Patterns of a stopped bus", err, noex.ErrNotRunning)
			for _, c := range checks {
				if !errors.Is(c.err, c.want) {
					t.Errorf("%s: error %v, want one wrapping %v", c.what, c.err, c.want)
				}
			}
			return nil
		})
		if len(fromHandler) != 3 || !errors.Is(fromHandler[0], noex.ErrCallSelf) ||
			!errors.Is(fromHandler[1], noex.ErrCallSelf) || fromHandler[2] != nil {
			t.Errorf("from a handler: Subscribe, PublishSync, Publish = %v; want ErrCallSelf, ErrCallSelf, nil", fromHandler)
		}
	})
}

func TestBusPatternsAndCount(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			var unsubs []func()
			for _, p := range []string{"user.*", "order.created", "*", "user.*", "a.*.c", "order.created"} {
				u, err := noex.Subscribe(ctx, bus, p, (&tape{}).handler(p))
				if err != nil {
					return err
				}
				unsubs = append(unsubs, u)
			}
			if err := wantCount(ctx, bus, 6); err != nil {
				return err
			}
			pats, err := noex.Patterns(ctx, bus)
			if diff := cmp.Diff([]string{"*", "a.*.c", "order.created", "user.*"}, pats); err != nil || diff != "" {
				return fmt.Errorf("Patterns (-want +got), err %v:\n%s", err, diff)
			}
			for _, i := range []int{0, 1, 2, 4} {
				unsubs[i]()
			}
			pats, err = noex.Patterns(ctx, bus)
			if diff := cmp.Diff([]string{"order.created", "user.*"}, pats); err != nil || diff != "" {
				return fmt.Errorf("Patterns after unsubscribing (-want +got), err %v:\n%s", err, diff)
			}
			for _, u := range unsubs {
				u()
			}
			pats, err = noex.Patterns(ctx, bus)
			if err != nil || len(pats) != 0 {
				return fmt.Errorf("Patterns with no subscription = %q, %v", pats, err)
			}
			return wantCount(ctx, bus, 0)
		})
	})
}

func TestBusEvents(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		evs := observeBus(rt)
		var bus noex.Bus
		var s subRef
		run(t, rt, func(ctx context.Context) error {
			var err error
			if bus, err = noex.StartBus(ctx, noex.WithName("event-bus")); err != nil {
				return err
			}
			u, err := noex.Subscribe(ctx, bus, "user.*", func(context.Context, any, string) {})
			if err != nil {
				return err
			}
			if s, err = noex.Start(ctx, &subscriber{bus: bus, mailbox: []string{"*"}}, noex.WithName("audit")); err != nil {
				return err
			}
			if err := noex.PublishSync(ctx, bus, "user.created", "Alice"); err != nil {
				return err
			}
			u()
			return noex.Stop(ctx, s, nil)
		})
		subscribed := evs.of(noex.Subscribed)
		if len(subscribed) != 2 {
			t.Fatalf("want 2 Subscribed events:\n%s", evs.text())
		}
		ids := map[string]uint64{}
		for _, e := range subscribed {
			if e.PID != bus.PID() || e.Label != "event-bus" || e.Ref == 0 {
				t.Errorf("Subscribed event %v: want PID = the bus and a subscription id", e)
			}
			ids[e.PeerLbl] = e.Ref
		}
		if subscribed[0].PeerLbl != "main" || subscribed[0].Name != "user.*" ||
			subscribed[1].Peer != s.PID() || subscribed[1].Name != "*" {
			t.Errorf("Subscribed events %v, %v: want Peer = owner and Name = pattern", subscribed[0], subscribed[1])
		}
		published := evs.of(noex.Published)
		if len(published) != 1 {
			t.Fatalf("want 1 Published event:\n%s", evs.text())
		}
		pub := published[0]
		recv, ok := evs.bySeq(pub.Parent)
		if pub.PID != bus.PID() || pub.PeerLbl != "main" || pub.Name != "user.created" || pub.Msg != "Alice" ||
			pub.Ref == 0 || !ok || recv.Kind != noex.MessageReceived || recv.PID != bus.PID() || recv.PeerLbl != "main" {
			t.Errorf("Published %v (parent %v): want PID = bus, Peer = publisher, Ref = a publication id, "+
				"Name = topic, Msg, Parent = the MessageReceived of the publish", pub, recv)
		}
		delivered := evs.of(noex.Delivered)
		if len(delivered) != 2 {
			t.Fatalf("want 2 Delivered events:\n%s", evs.text())
		}
		for i, owner := range []string{"main", "audit"} {
			d := delivered[i]
			if d.PID != bus.PID() || d.PeerLbl != owner || d.Ref != ids[owner] || d.Name != "user.created" ||
				d.Msg != "Alice" || d.Parent != pub.Seq || d.Err != nil {
				t.Errorf("Delivered[%d] = %v: want Peer = %s, Ref = its subscription, Parent = Published", i, d, owner)
			}
		}
		var mail []noex.Event
		for _, e := range evs.of(noex.MessageSent) {
			if e.PID == bus.PID() && e.Peer == s.PID() {
				mail = append(mail, e)
			}
		}
		want := noex.Publication{Topic: "user.created", Msg: "Alice"}
		if len(mail) != 1 || mail[0].MsgKind != noex.KindInfo || mail[0].Msg != want {
			t.Errorf("mailbox delivery: want one info message %v from the bus to audit, got %v", want, mail)
		}
		var gone []string
		for _, e := range evs.of(noex.Unsubscribed) {
			if e.PID != bus.PID() || e.Ref != ids[e.PeerLbl] {
				t.Errorf("Unsubscribed %v: want PID = bus, Ref = the subscription", e)
			}
			gone = append(gone, e.PeerLbl+" "+e.Name)
		}
		if diff := cmp.Diff([]string{"main user.*", "audit *"}, gone); diff != "" {
			t.Errorf("Unsubscribed events (-want +got):\n%s", diff)
		}
	})
}

func TestBusStopDropsSubscriptionsWithEvents(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		evs := observeBus(rt)
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			for _, p := range []string{"b", "a", "*"} {
				mustOK2(noex.Subscribe(ctx, bus, p, (&tape{}).handler(p)))
			}
			return noex.Stop(ctx, bus, nil)
		})
		var gone []string
		for _, e := range evs.of(noex.Unsubscribed) {
			gone = append(gone, e.Name)
		}
		if diff := cmp.Diff([]string{"b", "a", "*"}, gone); diff != "" {
			t.Errorf("Unsubscribed when the bus stops (-want +got):\n%s", diff)
		}
	})
}

// busScenario is the order pipeline with every kind of bus traffic: named
// bus, services subscribing in Init (handlers and mailboxes), two
// publishers, a panicking handler, a crash and a restart, unsubscribe.
func busScenario(ctx context.Context) error {
	bus, err := noex.StartBus(ctx, noex.WithName("event-bus"))
	if err != nil {
		return err
	}
	name := noex.BusName("event-bus")
	var tp tape
	inventory, err := noex.Start(ctx, &subscriber{bus: name, handlers: []string{"order.created"}, tape: &tp},
		noex.WithName("inventory"))
	if err != nil {
		return err
	}
	if _, err := noex.Start(ctx, &subscriber{bus: name, mailbox: []string{"order.*"}}, noex.WithName("email")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, &subscriber{bus: name, mailbox: []string{"*"}}, noex.WithName("analytics")); err != nil {
		return err
	}
	mustOK2(noex.Subscribe(ctx, name, "order.paid", func(context.Context, any, string) { panic("payment handler bug") }))
	shop, err := noex.Start(ctx, &subscriber{bus: name, mailbox: []string{"user.*"}}, noex.WithName("shop"))
	if err != nil {
		return err
	}
	for i, topic := range []string{"order.created", "order.paid", "user.created", "order.shipped"} {
		if err := noex.Publish(ctx, name, topic, i); err != nil {
			return err
		}
		if err := noex.Send(ctx, shop, fmt.Sprintf("note %d", i)); err != nil {
			return err
		}
	}
	if err := noex.Cast(ctx, inventory, "crash"); err != nil {
		return err
	}
	if _, err := noex.Wait(ctx, inventory); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, &subscriber{bus: name, handlers: []string{"order.created"}, tape: &tp},
		noex.WithName("inventory")); err != nil {
		return err
	}
	if _, err := noex.Call(ctx, shop, "unsubscribe"); err != nil {
		return err
	}
	if err := noex.PublishSync(ctx, bus, "order.created", 9); err != nil {
		return err
	}
	return wantCount(ctx, bus, 4)
}

func TestBusSameSeedSameLog(t *testing.T) {
	for _, seed := range []uint64{1, 7, 1234} {
		logs := make([]string, 2)
		for i := range logs {
			rt := noex.NewRuntime(noex.WithSeed(seed))
			evs := observeBus(rt)
			if err := rt.Run(context.Background(), busScenario); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			mustOK(t, rt.Shutdown(context.Background()))
			logs[i] = evs.text()
		}
		if logs[0] != logs[1] {
			t.Errorf("seed %d: two runs logged differently (-first +second):\n%s", seed, cmp.Diff(logs[0], logs[1]))
		}
		for _, kind := range []string{" subscribed ", " published ", " delivered ", " unsubscribed "} {
			if !strings.Contains(logs[0], kind) {
				t.Errorf("seed %d: the log has no%sevent:\n%s", seed, kind, logs[0])
			}
		}
	}
}

func TestBusScenarioUnderManySeeds(t *testing.T) {
	busModes(t, func(t *testing.T, rt *noex.Runtime) {
		evs := observeBus(rt)
		run(t, rt, busScenario)
		for _, e := range evs.of(noex.Delivered) {
			if e.Err != nil && !strings.Contains(e.Err.Error(), "payment handler bug") {
				t.Errorf("unexpected handler failure %v", e)
			}
		}
	})
}

func TestBusSameLogAcrossGOMAXPROCS(t *testing.T) {
	logOf := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rt := noex.NewRuntime(noex.WithSeed(99))
		evs := observeBus(rt)
		if err := rt.Run(context.Background(), busScenario); err != nil {
			t.Fatal(err)
		}
		mustOK(t, rt.Shutdown(context.Background()))
		return evs.text()
	}
	if a, b := logOf(1), logOf(4); a != b {
		t.Errorf("GOMAXPROCS changed the log (-1 +4):\n%s", cmp.Diff(a, b))
	}
}
