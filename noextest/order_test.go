package noextest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// twoClients runs a counter "c" and a second counter "d"; client a casts
// to c, client b casts to d, independently, then main calls c.
func twoClients(t *testing.T, seed uint64) *noextest.Runtime {
	rt := noextest.New(t, noextest.WithSeed(seed))
	rt.Run(func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		d, err := startCounter(ctx, "d")
		if err != nil {
			return err
		}
		for _, step := range []struct {
			name string
			to   counterRef
		}{{"a", c}, {"b", d}} {
			p, err := noextest.StartProbe(ctx, noextest.ProbeName(step.name))
			_ = p
			if err != nil {
				return err
			}
		}
		if err := noex.Cast(ctx, c, any(inc{By: 1})); err != nil {
			return err
		}
		if err := noex.Cast(ctx, d, any(inc{By: 2})); err != nil {
			return err
		}
		if _, err := noex.Call(ctx, c, get{}); err != nil {
			return err
		}
		if err := noex.Cast(ctx, d, any(inc{By: 3})); err != nil {
			return err
		}
		for _, n := range []string{"a", "b"} {
			if err := noex.Stop(ctx, noex.Name[any, any, any](n), nil); err != nil {
				return err
			}
		}
		if err := noex.Stop(ctx, d, nil); err != nil {
			return err
		}
		return noex.Stop(ctx, c, nil)
	})
	return rt
}

func TestCheckSubsequence(t *testing.T) {
	rt := twoClients(t, 1)
	log := rt.Events()
	ok := []noextest.Event{
		{Kind: noex.ProcessStarted, Proc: "c"},
		{Kind: noex.MessageReceived, Proc: "c", Msg: inc{By: 1}},
		{Kind: noex.ReplySent, Proc: "c", Msg: value{N: 1}},
		{Kind: noex.ProcessStopped, Proc: "c", Reason: "normal"},
	}
	if err := noextest.CheckSubsequence(log, ok...); err != nil {
		t.Errorf("CheckSubsequence: %v", err)
	}
	rt.ExpectSubsequence(ok...)
	bad := []noextest.Event{
		{Kind: noex.MessageReceived, Proc: "c", Msg: get{}},
		{Kind: noex.MessageReceived, Proc: "c", Msg: inc{By: 1}},
	}
	err := noextest.CheckSubsequence(log, bad...)
	if !errors.Is(err, noextest.ErrOrder) {
		t.Fatalf("CheckSubsequence(out of order) = %v, want ErrOrder", err)
	}
	wantContains(t, "the error", err.Error(),
		`no event matches pattern 1 {Kind:received Proc:"c" Msg:inc{By:1}} after the first 1 matched`,
		"(-want +got)", `{Kind:received Proc:"c" Msg:get{}}`, `{Kind:received Proc:"d" Msg:inc{By:3}}`)
}

func TestExpectSubsequenceFailureMessage(t *testing.T) {
	f := runFake("TestOrder", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(4))
		rt.Run(scenario)
		rt.ExpectSubsequence(noextest.Event{Kind: noex.ProcessStopped, Proc: "counter"},
			noextest.Event{Kind: noex.ProcessStarted, Proc: "counter"})
	})
	wantContains(t, "the failure", f.errText(), "[noex] ExpectSubsequence: noextest: events not as expected",
		"-noex.seed=4", "[noex] sequence diagram:", "main ──start──▶ counter", "[noex] last 15 of 18 events:")
}

func TestHappensBeforeIsCausalNotSequential(t *testing.T) {
	rt := twoClients(t, 2)
	log := rt.Events()
	castC := noextest.Event{Kind: noex.MessageSent, Peer: "c", Msg: inc{By: 1}}
	recvC := noextest.Event{Kind: noex.MessageReceived, Proc: "c", Msg: inc{By: 1}}
	recvD := noextest.Event{Kind: noex.MessageReceived, Proc: "d", Msg: inc{By: 2}}
	replyC := noextest.Event{Kind: noex.ReplySent, Proc: "c"}
	recvD3 := noextest.Event{Kind: noex.MessageReceived, Proc: "d", Msg: inc{By: 3}}

	// A send happens before its receipt; the receipt before the reply that
	// follows it on the same process; the reply before whatever its caller
	// does next (main casts to d once the call returned) and what that
	// causes.
	for _, pair := range [][2]noextest.Event{{castC, recvC}, {recvC, replyC}, {replyC, recvD3}, {castC, recvD3}} {
		if err := noextest.CheckHappensBefore(log, pair[0], pair[1]); err != nil {
			t.Errorf("CheckHappensBefore: %v", err)
		}
	}
	rt.ExpectHappensBefore(castC, recvC)
	// c and d handle their casts independently: concurrent, whatever their
	// Seq order.
	err := noextest.CheckHappensBefore(log, recvC, recvD)
	wantContains(t, "the error", errString(err), "they are concurrent (neither caused the other)")
	err = noextest.CheckHappensBefore(log, recvD, recvC)
	wantContains(t, "the error", errString(err), "they are concurrent")
	err = noextest.CheckHappensBefore(log, recvC, castC)
	wantContains(t, "the error", errString(err), "the second happens before the first")
	err = noextest.CheckHappensBefore(log, recvC, noextest.Event{Kind: noex.ProcessCrashed})
	wantContains(t, "the error", errString(err), "no event matches {Kind:crashed}")
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestHappensBeforeBySeq(t *testing.T) {
	log := []noextest.Event{
		{Seq: 1, Kind: noex.MessageSent, PID: 1, PeerID: 2, Ref: 10},
		{Seq: 2, Kind: noex.MessageSent, PID: 3, PeerID: 4, Ref: 11},
		{Seq: 3, Kind: noex.MessageReceived, PID: 2, PeerID: 1, Ref: 10, Parent: 1},
		{Seq: 4, Kind: noex.MessageSent, PID: 2, PeerID: 4, Ref: 12, Parent: 3},
		{Seq: 5, Kind: noex.MessageReceived, PID: 4, PeerID: 3, Ref: 11, Parent: 2},
		{Seq: 6, Kind: noex.MessageReceived, PID: 4, PeerID: 2, Ref: 12, Parent: 4},
		{Seq: 7, Kind: noex.ClockAdvanced},
	}
	tests := []struct {
		a, b   uint64
		want   bool
		reason string
	}{
		{1, 3, true, "send before receive"},
		{1, 6, true, "transitively, through 2's forward"},
		{2, 6, true, "program order on 4 after the receipt of 2's message"},
		{2, 3, false, "unrelated processes"},
		{3, 5, false, "concurrent receipts on different processes"},
		{6, 1, false, "effect before cause"},
		{3, 3, false, "an event does not happen before itself"},
		{7, 6, false, "clock events are ordered with nothing"},
		{1, 99, false, "unknown Seq"},
	}
	for _, tc := range tests {
		if got := noextest.HappensBefore(log, tc.a, tc.b); got != tc.want {
			t.Errorf("HappensBefore(%d, %d) = %v, want %v (%s)", tc.a, tc.b, got, tc.want, tc.reason)
		}
	}
}

func TestCheckFIFO(t *testing.T) {
	rt := twoClients(t, 3)
	if err := noextest.CheckFIFO(rt.Events()); err != nil {
		t.Errorf("CheckFIFO on a real run: %v", err)
	}
	rt.ExpectFIFO()
	swapped := []noextest.Event{
		{Seq: 1, Kind: noex.MessageSent, PID: 1, Proc: "a", PeerID: 2, Peer: "b", Ref: 10, MsgKind: noex.KindCast, Msg: "one"},
		{Seq: 2, Kind: noex.MessageSent, PID: 1, Proc: "a", PeerID: 2, Peer: "b", Ref: 11, MsgKind: noex.KindCast, Msg: "two"},
		{Seq: 3, Kind: noex.MessageReceived, PID: 2, Proc: "b", PeerID: 1, Peer: "a", Ref: 11, MsgKind: noex.KindCast, Msg: "two"},
		{Seq: 4, Kind: noex.MessageReceived, PID: 2, Proc: "b", PeerID: 1, Peer: "a", Ref: 10, MsgKind: noex.KindCast, Msg: "one"},
	}
	err := noextest.CheckFIFO(swapped)
	if !errors.Is(err, noextest.ErrOrder) {
		t.Fatalf("CheckFIFO(swapped) = %v, want ErrOrder", err)
	}
	wantContains(t, "the error", err.Error(), "messages from a to b were handled out of the order they were sent (-sent +handled)",
		`cast "one"`, `cast "two"`)
	// A message delivered by a timer is not ordered with the sender's others.
	timer := append([]noextest.Event{{Seq: 0, Kind: noex.TimerFired, PID: 1}}, swapped...)
	timer[0].Seq, timer[1].Parent = 100, 100
	if err := noextest.CheckFIFO(timer); err != nil {
		t.Errorf("CheckFIFO with a timer message: %v", err)
	}
}

func TestHandled(t *testing.T) {
	rt := twoClients(t, 4)
	want := []noextest.Message{
		{Kind: noex.KindCast, Msg: inc{By: 1}},
		{Kind: noex.KindCall, Msg: get{}},
	}
	if err := noextest.CheckHandled(rt.Events(), "c", want...); err != nil {
		t.Errorf("CheckHandled: %v", err)
	}
	rt.ExpectHandled("c", want...)
	if got := noextest.Handled(rt.Events(), "p3"); len(got) != 2 || got[0].Msg != (inc{By: 2}) {
		t.Errorf(`Handled("p3") = %v, want d's two casts`, got)
	}
	err := noextest.CheckHandled(rt.Events(), "c", want[1], want[0])
	wantContains(t, "the error", errString(err), "messages handled by c (-want +got)")
}

func TestMatches(t *testing.T) {
	got := noextest.Event{Seq: 5, Kind: noex.MessageReceived, Proc: "c", Msg: inc{By: 1}, Reason: ""}
	tests := []struct {
		want   noextest.Event
		match  bool
		reason string
	}{
		{noextest.Event{}, true, "the zero pattern matches anything"},
		{noextest.Event{Kind: noex.MessageReceived, Proc: "c"}, true, "the fields set agree"},
		{noextest.Event{Msg: inc{By: 1}}, true, "messages compare by value"},
		{noextest.Event{Msg: inc{By: 2}}, false, "a different message"},
		{noextest.Event{Kind: noex.MessageSent}, false, "a different kind"},
		{noextest.Event{Seq: 6}, false, "a different Seq"},
	}
	for _, tc := range tests {
		if m := noextest.Matches(tc.want, got); m != tc.match {
			t.Errorf("Matches(%s) = %v, want %v (%s)", noextest.Pattern(tc.want), m, tc.match, tc.reason)
		}
	}
}
