package trace_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"
)

var epoch = noex.Epoch

// wantParent fails unless child's parent is parent, in the same trace.
func wantParent(t *testing.T, child, parent span) {
	t.Helper()
	if child.Parent != parent.ID || child.Trace != parent.Trace {
		t.Errorf("%q: parent %s in trace %s, want %q (%s in trace %s)",
			child.Name, child.Parent, child.Trace, parent.Name, parent.ID, parent.Trace)
	}
}

// wantAttrs fails unless s has every attribute of want.
func wantAttrs(t *testing.T, s span, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for k := range want {
		if v, ok := s.Attrs[k]; ok {
			got[k] = v
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%q attributes mismatch (-want +got):\n%s", s.Name, diff)
	}
}

func TestCallSpansFormOneTrace(t *testing.T) {
	spans := traced(t, seeded(1), notify, trace.WithRunID(0))

	client := one(t, spans, "call notification-router")
	server := one(t, spans, "handle_call notification-router")
	inner := one(t, spans, "call channel-email")
	innerServer := one(t, spans, "handle_call channel-email")
	cast := one(t, spans, "cast analytics")
	consumer := one(t, spans, "handle_cast analytics")

	if client.Parent != "" {
		t.Errorf("the call from Run's body should be a root span, has parent %s", client.Parent)
	}
	wantParent(t, server, client)
	wantParent(t, inner, server)
	wantParent(t, innerServer, inner)
	wantParent(t, cast, server)
	wantParent(t, consumer, cast)

	// The messaging conventions: every send is a producer span (its context
	// is the message's creation context), every handling a consumer span.
	kinds := map[string]string{client.Name: "producer", server.Name: "consumer", inner.Name: "producer",
		innerServer.Name: "consumer", cast.Name: "producer", consumer.Name: "consumer"}
	for _, s := range []span{client, server, inner, innerServer, cast, consumer} {
		if s.Kind != kinds[s.Name] {
			t.Errorf("%q has kind %s, want %s", s.Name, s.Kind, kinds[s.Name])
		}
	}

	wantAttrs(t, client, map[string]string{
		"messaging.system":           "noex",
		"messaging.operation.type":   "send",
		"messaging.operation.name":   "call",
		"messaging.destination.name": "notification-router",
		"messaging.message.id":       server.Attrs["messaging.message.id"],
		"noex.process.name":          "main",
		"noex.message.kind":          "call",
		"noex.message":               `Send{N:Notification{ID:1 Channel:"email" Title:"hello"}}`,
		"noex.reply":                 "true",
		"noex.seed":                  "1",
	})
	wantAttrs(t, innerServer, map[string]string{
		"messaging.system":           "noex",
		"messaging.operation.type":   "process",
		"messaging.operation.name":   "handle_call",
		"messaging.destination.name": "channel-email",
		"noex.process.name":          "channel-email",
		"noex.peer.name":             "notification-router",
		"noex.message.kind":          "call",
	})
	wantAttrs(t, consumer, map[string]string{
		"messaging.operation.type": "process",
		"messaging.operation.name": "handle_cast",
		"noex.message":             `Track{Channel:"email" ID:1}`,
	})
	if _, ok := client.Attrs["noex.run.id"]; ok {
		t.Errorf("WithRunID(0) should leave out noex.run.id, got %s", client.Attrs["noex.run.id"])
	}
	if client.Attrs["messaging.message.id"] == "" || client.Attrs["messaging.message.id"] == inner.Attrs["messaging.message.id"] {
		t.Errorf("message ids: outer %q, inner %q; want distinct non-empty ids",
			client.Attrs["messaging.message.id"], inner.Attrs["messaging.message.id"])
	}
	if server.Attrs["noex.process.id"] == inner.Attrs["noex.process.id"] && inner.Attrs["noex.process.id"] == "" {
		t.Errorf("noex.process.id missing")
	}

	// The channel handler sleeps 10ms of virtual time.
	end := epoch.Add(10 * time.Millisecond)
	for _, s := range []span{client, server, inner, innerServer} {
		if !s.Start.Equal(epoch) || !s.End.Equal(end) {
			t.Errorf("%q runs %v..%v, want %v..%v", s.Name, s.Start, s.End, epoch, end)
		}
	}
	if !cast.Start.Equal(end) || !cast.End.Equal(end) {
		t.Errorf("a producer span lasts no time: %q runs %v..%v, want %v", cast.Name, cast.Start, cast.End, end)
	}
	var names []string
	for _, e := range innerServer.Events {
		names = append(names, e.Name+"@"+e.Time.Sub(epoch).String())
	}
	if diff := cmp.Diff([]string{"timer.set@0s", "timer.fired@10ms"}, names); diff != "" {
		t.Errorf("the sleep should be two span events (-want +got):\n%s", diff)
	}
}

// story runs the notification system through its cases: a delivery, a
// channel that fails, a channel that panics (watched by a monitor), a
// missing channel, and a second of virtual time for analytics' timer.
func story(ctx context.Context) error {
	if err := startSystem(ctx, "email", "sms"); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, watcher{}, noex.WithName("watcher")); err != nil {
		return err
	}
	send := func(id int, ch, title string) error {
		_, err := noex.Call(ctx, Router, Send{Notification{ID: id, Channel: ch, Title: title}})
		return err
	}
	if err := send(1, "email", "hello"); err != nil {
		return err
	}
	if err := send(2, "sms", "fail"); !errors.Is(err, errUndeliverable) {
		return errors.New("want errUndeliverable, got " + errString(err))
	}
	if err := send(3, "sms", "panic"); !errors.Is(err, noex.ErrCrashed) {
		return errors.New("want ErrCrashed, got " + errString(err))
	}
	if err := send(4, "push", "hello"); !errors.Is(err, noex.ErrNotRegistered) {
		return errors.New("want ErrNotRegistered, got " + errString(err))
	}
	return noex.Sleep(ctx, 2*time.Second)
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// watcher monitors channel-sms from Init.
type watcher struct{}

func (watcher) Init(ctx context.Context) (int, error) {
	_, err := noex.Monitor(ctx, channelName("sms"))
	return 0, err
}
func (watcher) HandleCall(_ context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (watcher) HandleCast(_ context.Context, _ noex.None, s int) (int, error) { return s, nil }
func (watcher) HandleInfo(_ context.Context, _ any, s int) (int, error)       { return s + 1, nil }

func TestGoldenSpans(t *testing.T) {
	first := traced(t, seeded(7), story, trace.WithRunID(0))
	golden(t, "story.golden", render(first))
	second := traced(t, seeded(7), story, trace.WithRunID(0))
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("the same seed gave different spans (-first +second):\n%s", diff)
	}
}

func TestRunIDKeepsRunsApart(t *testing.T) {
	a := traced(t, seeded(7), notify)
	b := traced(t, seeded(7), notify)
	c := traced(t, seeded(7), notify, trace.WithRunID(0x2a))
	if len(a) != len(b) || len(a) != len(c) {
		t.Fatalf("span counts differ: %d, %d, %d", len(a), len(b), len(c))
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Name != c[i].Name {
			t.Fatalf("span %d: names %q, %q, %q; want the same run", i, a[i].Name, b[i].Name, c[i].Name)
		}
		if a[i].Trace == b[i].Trace || a[i].ID == b[i].ID {
			t.Errorf("span %q: two runs with default run ids share ids (%s/%s)", a[i].Name, a[i].Trace, a[i].ID)
		}
	}
	ra, rb := a[0].Attrs["noex.run.id"], b[0].Attrs["noex.run.id"]
	if len(ra) != 16 || ra == rb {
		t.Errorf("noex.run.id: %q and %q, want two distinct 16-digit ids", ra, rb)
	}
	if got := c[0].Attrs["noex.run.id"]; got != "000000000000002a" {
		t.Errorf("WithRunID(0x2a): noex.run.id = %q, want 000000000000002a", got)
	}
	d := traced(t, seeded(7), notify, trace.WithRunID(0x2a))
	if diff := cmp.Diff(c, d); diff != "" {
		t.Errorf("the same seed and run id gave different spans (-first +second):\n%s", diff)
	}
}

func TestCrashRecordsException(t *testing.T) {
	r := newRecorder()
	rt := noex.NewRuntime(noex.WithSeed(3))
	detach := trace.Attach(rt, trace.WithTracerProvider(r.tp), trace.WithRunID(0))
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		if err := startSystem(ctx, "sms"); err != nil {
			return err
		}
		if _, err := noex.Start(ctx, watcher{}, noex.WithName("watcher")); err != nil {
			return err
		}
		_, err := noex.Call(ctx, Router, Send{Notification{ID: 3, Channel: "sms", Title: "panic"}})
		if !errors.Is(err, noex.ErrCrashed) {
			return errors.New("want ErrCrashed, got " + errString(err))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	detach()
	stubs := tracetest.SpanStubsFromReadOnlySpans(r.rec.Ended())
	spans := toSpans(stubs)
	r.shutdown(t)

	crashed := one(t, spans, "handle_call channel-sms")
	if !strings.HasPrefix(crashed.Status, "Error: ") || !strings.Contains(crashed.Status, "channel handler bug") {
		t.Errorf("crashed handling: status %q, want Error with the panic value", crashed.Status)
	}
	var exc *event
	for i, e := range crashed.Events {
		if e.Name == "exception" {
			exc = &crashed.Events[i]
		}
	}
	if exc == nil {
		t.Fatalf("crashed handling has no exception event: %+v", crashed.Events)
	}
	// exception.type is the type of the panic value: panic("...") panics
	// with a string.
	if exc.Attrs["exception.type"] != "string" || !strings.Contains(exc.Attrs["exception.message"], "channel handler bug") {
		t.Errorf("exception event attributes: %v", exc.Attrs)
	}
	if crashed.Attrs["error.type"] != "panic" {
		t.Errorf("crashed handling: error.type %q, want panic", crashed.Attrs["error.type"])
	}
	var stack string
	for _, s := range stubs {
		if s.Name == crashed.Name {
			for _, e := range s.Events {
				for _, kv := range e.Attributes {
					if kv.Key == "exception.stacktrace" {
						stack = kv.Value.AsString()
					}
				}
			}
		}
	}
	if !strings.Contains(stack, "panic(") || !strings.Contains(stack, "channel.HandleCall") {
		t.Errorf("exception.stacktrace should be the stack of the panic, got:\n%s", stack)
	}
	// The callers see the crash as failed calls, of error.type ErrCrashed.
	for _, name := range []string{"call channel-sms", "call notification-router"} {
		if s := one(t, spans, name); !strings.HasPrefix(s.Status, "Error: ") || s.Attrs["error.type"] != "noex.ErrCrashed" {
			t.Errorf("%q: status %q, error.type %q; want Error, noex.ErrCrashed", name, s.Status, s.Attrs["error.type"])
		}
	}
	// The monitor's Down starts a trace of its own, linked to the crash.
	down := one(t, spans, "send watcher")
	if down.Parent != "" || len(down.Links) != 1 || down.Links[0] != crashed.ID {
		t.Errorf("the Down notice should be a root span linked to the crashed handling %s: parent %q, links %v",
			crashed.ID, down.Parent, down.Links)
	}
	wantParent(t, one(t, spans, "handle_info watcher"), down)
}

func TestHandlerErrorFailsBothSides(t *testing.T) {
	spans := traced(t, seeded(2), func(ctx context.Context) error {
		if err := startSystem(ctx, "email"); err != nil {
			return err
		}
		_, err := noex.Call(ctx, channelName("email"), Deliver{Notification{ID: 1, Channel: "email", Title: "fail"}})
		if !errors.Is(err, errUndeliverable) {
			return errors.New("want errUndeliverable, got " + errString(err))
		}
		return nil
	}, trace.WithRunID(0))
	for _, name := range []string{"call channel-email", "handle_call channel-email"} {
		s := one(t, spans, name)
		// The handler returned errors.New("undeliverable"): error.type is
		// its Go type, the status its message.
		if s.Status != "Error: undeliverable" || s.Attrs["error.type"] != "*errors.errorString" {
			t.Errorf("%q: status %q, error.type %q; want the handler's error", name, s.Status, s.Attrs["error.type"])
		}
		if _, ok := s.Attrs["noex.reply"]; ok {
			t.Errorf("%q: an error reply should have no noex.reply", name)
		}
	}
}

func TestTimerMessageIsLinkedToTheHandlingThatSetIt(t *testing.T) {
	spans := traced(t, seeded(5), func(ctx context.Context) error {
		if err := notify(ctx); err != nil {
			return err
		}
		return noex.Sleep(ctx, 2*time.Second) // analytics' flush fires after 1s
	}, trace.WithRunID(0))
	setter := one(t, spans, "handle_cast analytics")
	send := one(t, spans, "send analytics")
	if send.Parent != "" || len(send.Links) != 1 || send.Links[0] != setter.ID {
		t.Errorf("the timer's message should start a trace linked to %s: parent %q, links %v", setter.ID, send.Parent, send.Links)
	}
	wantParent(t, one(t, spans, "handle_info analytics"), send)
	if len(setter.Events) != 1 || setter.Events[0].Name != "timer.set" ||
		setter.Events[0].Attrs["noex.timer.purpose"] != "send-after" || setter.Events[0].Attrs["noex.timer.delay"] != "1s" {
		t.Errorf("handling that set the timer: events %+v, want one timer.set", setter.Events)
	}
	if len(send.Events) != 1 || send.Events[0].Name != "timer.fired" ||
		send.Events[0].Attrs["noex.timer.id"] != setter.Events[0].Attrs["noex.timer.id"] {
		t.Errorf("message sent by the timer: events %+v, want timer.fired of the same timer", send.Events)
	}
	if want := setter.Start.Add(time.Second); !send.Start.Equal(want) {
		t.Errorf("the timer's message is sent at %v, want %v", send.Start, want)
	}
}

// quiet is a server without HandleInfo.
type quiet struct{}

func (quiet) Init(context.Context) (int, error) { return 0, nil }
func (quiet) HandleCall(_ context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (quiet) HandleCast(_ context.Context, _ int, s int) (int, error) { return s, nil }

func TestDroppedMessages(t *testing.T) {
	spans := traced(t, seeded(4), func(ctx context.Context) error {
		q, err := noex.Start(ctx, quiet{}, noex.WithName("quiet"))
		if err != nil {
			return err
		}
		if err := noex.Send(ctx, q, "no HandleInfo"); err != nil {
			return err
		}
		if err := noex.Cast(ctx, q, 1); err != nil {
			return err
		}
		// Killed before it handles them: the cast is dropped.
		return noex.Kill(ctx, q, nil)
	}, trace.WithRunID(0))
	drops := find(spans, "drop quiet")
	if len(drops) != 2 {
		t.Fatalf("want both queued messages dropped by the kill, got:\n%s", render(spans))
	}
	parents := map[string]bool{}
	ids := byID(spans)
	for _, d := range drops {
		parents[ids[d.Parent].Name] = true
		if d.Status != "Error: dropped: noex: server killed" {
			t.Errorf("drop span status %q", d.Status)
		}
	}
	if !parents["send quiet"] || !parents["cast quiet"] {
		t.Errorf("each drop span should be the child of its message's span, parents: %v", parents)
	}
	if h := find(spans, "handle_info quiet"); len(h) != 0 {
		t.Errorf("the messages were dropped, yet handled: %+v", h)
	}
}

func TestInfoWithoutHandleInfoFailsItsHandling(t *testing.T) {
	spans := traced(t, seeded(4), func(ctx context.Context) error {
		q, err := noex.Start(ctx, quiet{}, noex.WithName("quiet"))
		if err != nil {
			return err
		}
		return noex.Send(ctx, q, "no HandleInfo")
	}, trace.WithRunID(0))
	h := one(t, spans, "handle_info quiet")
	wantParent(t, h, one(t, spans, "send quiet"))
	if !strings.HasPrefix(h.Status, "Error: dropped: ") {
		t.Errorf("handle_info of a server without HandleInfo: status %q, want Error: dropped: ...", h.Status)
	}
}

// sleeper sleeps a second in every call; killer kills its target after
// half a second.
type sleeper struct{}

func (sleeper) Init(context.Context) (int, error) { return 0, nil }
func (sleeper) HandleCall(ctx context.Context, _ int, s int) (int, int, error) {
	return s, s, noex.Sleep(ctx, time.Second)
}
func (sleeper) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) { return s, nil }

type killer struct{}

func (killer) Init(context.Context) (int, error) { return 0, nil }
func (killer) HandleCall(_ context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}
func (killer) HandleCast(ctx context.Context, target string, s int) (int, error) {
	if err := noex.Sleep(ctx, 500*time.Millisecond); err != nil {
		return s, err
	}
	return s, noex.Kill(ctx, noex.Name[int, noex.None, int](target), nil)
}

func TestKillEndsTheHandling(t *testing.T) {
	spans := traced(t, seeded(6), func(ctx context.Context) error {
		s, err := noex.Start(ctx, sleeper{}, noex.WithName("sleeper"))
		if err != nil {
			return err
		}
		k, err := noex.Start(ctx, killer{}, noex.WithName("killer"))
		if err != nil {
			return err
		}
		if err := noex.Cast(ctx, k, "sleeper"); err != nil {
			return err
		}
		if _, err := noex.Call(ctx, s, 1); !errors.Is(err, noex.ErrKilled) {
			return errors.New("want ErrKilled, got " + errString(err))
		}
		return nil
	}, trace.WithRunID(0))
	h := one(t, spans, "handle_call sleeper")
	if h.Status != "Error: process ended: killed" || !h.End.Equal(epoch.Add(500*time.Millisecond)) {
		t.Errorf("killed handling: status %q, end %v; want ended by the kill at 500ms", h.Status, h.End.Sub(epoch))
	}
	c := one(t, spans, "call sleeper")
	if !strings.HasPrefix(c.Status, "Error: ") || !strings.Contains(c.Status, "killed") {
		t.Errorf("caller of a killed server: status %q", c.Status)
	}
}

// blocker blocks its cast handler until release is closed. It is for real
// mode only.
type blocker struct {
	entered chan<- struct{}
	release <-chan struct{}
}

func (b blocker) Init(context.Context) (int, error) { return 0, nil }
func (b blocker) HandleCall(_ context.Context, _ noex.None, s int) (noex.None, int, error) {
	return noex.None{}, s, nil
}

//noexvet:ignore a real-mode test double that blocks its handler until the test releases it
func (b blocker) HandleCast(_ context.Context, _ noex.None, s int) (int, error) {
	b.entered <- struct{}{}
	<-b.release
	return s, nil
}

//noexvet:ignore real mode: the body waits for the handler to be in progress before detaching
func TestDetachEndsOpenSpans(t *testing.T) {
	r := newRecorder()
	rt := noex.NewRuntime() // real mode: the handler really is in progress at detach
	detach := trace.Attach(rt, trace.WithTracerProvider(r.tp))
	entered, release := make(chan struct{}), make(chan struct{})
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		ref, err := noex.Start(ctx, blocker{entered, release}, noex.WithName("blocker"))
		if err != nil {
			return err
		}
		if err := noex.Cast(ctx, ref, noex.None{}); err != nil {
			return err
		}
		<-entered
		detach()
		detach() // idempotent
		close(release)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	spans := r.spans()
	r.shutdown(t)
	h := one(t, spans, "handle_cast blocker")
	if h.Attrs["noex.unfinished"] != "true" {
		t.Errorf("the handling in progress at detach should end with noex.unfinished=true, attrs %v", h.Attrs)
	}
	if len(spans) != 2 {
		t.Errorf("after detach no span should start; got:\n%s", render(spans))
	}
}

func TestRealModeMatchesDeterministicTree(t *testing.T) {
	shape := func(spans []span) []string {
		ids := byID(spans)
		var out []string
		for _, s := range spans {
			out = append(out, s.Name+" <- "+ids[s.Parent].Name)
		}
		// Spans end in an order real mode does not fix (the cast's handling
		// may end before or after the router's): compare the tree, not the
		// order.
		slices.Sort(out)
		return out
	}
	det := traced(t, seeded(1), notify)
	real := traced(t, nil, notify)
	if diff := cmp.Diff(shape(det), shape(real)); diff != "" {
		t.Errorf("real mode gives another span tree (-deterministic +real):\n%s", diff)
	}
	for _, s := range real {
		if _, ok := s.Attrs["noex.seed"]; ok {
			t.Errorf("%q: real mode has no seed, got noex.seed=%s", s.Name, s.Attrs["noex.seed"])
		}
		if s.Start.Before(time.Now().Add(-time.Hour)) {
			t.Errorf("%q: real mode spans carry the wall clock, got %v", s.Name, s.Start)
		}
	}
}

func TestTimeOrigin(t *testing.T) {
	origin := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	spans := traced(t, seeded(7), story, trace.WithRunID(0), trace.WithTimeOrigin(origin))
	plain := traced(t, seeded(7), story, trace.WithRunID(0))
	if len(spans) != len(plain) {
		t.Fatalf("%d spans with an origin, %d without", len(spans), len(plain))
	}
	// Each stamp is the virtual time placed at the origin, plus one
	// microsecond per event, so that events of one instant keep their order.
	const maxSpread = time.Millisecond // far more than the events of the story
	for i, s := range spans {
		p := plain[i]
		if s.ID != p.ID || s.Name != p.Name {
			t.Fatalf("span %d: %q %s vs %q %s: the origin should change no id", i, s.Name, s.ID, p.Name, p.ID)
		}
		for _, pair := range [][2]time.Time{{s.Start, p.Start}, {s.End, p.End}} {
			d := pair[0].Sub(origin) - pair[1].Sub(epoch)
			if d <= 0 || d > maxSpread {
				t.Errorf("%q: stamped %v, virtual %v: want the virtual offset plus a spread in (0, %v]",
					s.Name, pair[0], pair[1], maxSpread)
			}
		}
		if !s.Start.Before(s.End) {
			t.Errorf("%q: %v..%v: every span should take time once placed for export", s.Name, s.Start, s.End)
		}
	}
	h := one(t, spans, "handle_call channel-email")
	if d := h.End.Sub(h.Start); d < 10*time.Millisecond || d > 10*time.Millisecond+maxSpread {
		t.Errorf("the 10ms handling lasts %v once placed", d)
	}
	checkNested(t, spans)
}

// checkNested fails for a span that Jaeger would flag for clock skew: a
// child that neither lies within its parent nor is longer than its parent
// and starts within it.
func checkNested(t *testing.T, spans []span) {
	t.Helper()
	ids := byID(spans)
	for _, c := range spans {
		p, ok := ids[c.Parent]
		if !ok {
			continue
		}
		inside := !c.Start.Before(p.Start) && !c.End.After(p.End)
		longer := c.End.Sub(c.Start) > p.End.Sub(p.Start) && !c.Start.Before(p.Start)
		if !inside && !longer {
			t.Errorf("%q (%v..%v) is not nested in its parent %q (%v..%v)", c.Name,
				c.Start.Format("15:04:05.000000000"), c.End.Format("15:04:05.000000000"),
				p.Name, p.Start.Format("15:04:05.000000000"), p.End.Format("15:04:05.000000000"))
		}
	}
}

func TestWithoutMessages(t *testing.T) {
	for _, s := range traced(t, seeded(1), notify, trace.WithoutMessages()) {
		for _, k := range []string{"noex.message", "noex.reply"} {
			if v, ok := s.Attrs[k]; ok {
				t.Errorf("%q: WithoutMessages but %s=%s", s.Name, k, v)
			}
		}
	}
}

func TestAttachWithoutSDK(t *testing.T) {
	trace.Attach(nil)() // a nil runtime: nothing to do, no panic
	for _, opt := range []trace.Option{nil, trace.WithTracerProvider(nil), trace.WithTracerProvider(noop.NewTracerProvider())} {
		rt := noex.NewRuntime(noex.WithSeed(1))
		detach := trace.Attach(rt, opt)
		if err := rt.Run(context.Background(), story); err != nil {
			t.Fatal(err)
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		detach()
	}
}

func TestIDGenerator(t *testing.T) {
	g := trace.NewIDGenerator()
	seen := map[string]bool{}
	for range 1000 {
		tid, sid := g.NewIDs(context.Background())
		sid2 := g.NewSpanID(context.Background(), tid)
		if !tid.IsValid() || !sid.IsValid() || !sid2.IsValid() {
			t.Fatalf("invalid random ids %s %s %s", tid, sid, sid2)
		}
		if seen[tid.String()] {
			t.Fatalf("random trace id %s repeated", tid)
		}
		seen[tid.String()] = true
	}
	// Deterministic ids never collide within a run.
	spans := traced(t, seeded(9), story, trace.WithRunID(0))
	ids := map[string]string{}
	for _, s := range spans {
		if prev, ok := ids[s.ID]; ok {
			t.Errorf("span id %s given to %q and %q", s.ID, prev, s.Name)
		}
		ids[s.ID] = s.Name
	}
}
