package noextest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

func TestFromNoex(t *testing.T) {
	tests := []struct {
		in     noex.Event
		want   noextest.Event
		reason string
	}{{
		in:     noex.Event{Seq: 3, Kind: noex.ProcessStopped, Label: "c"},
		want:   noextest.Event{Seq: 3, Kind: noex.ProcessStopped, Proc: "c", Reason: "normal"},
		reason: "a nil reason of a stop is a normal exit",
	}, {
		in:     noex.Event{Kind: noex.ProcessStopped, Reason: noex.ErrShutdown},
		want:   noextest.Event{Kind: noex.ProcessStopped, Reason: "shutdown"},
		reason: "the shutdown reason has a short name",
	}, {
		in:     noex.Event{Kind: noex.ProcessCrashed, Reason: errors.New("disk\nfull")},
		want:   noextest.Event{Kind: noex.ProcessCrashed, Reason: "disk"},
		reason: "reasons keep their first line",
	}, {
		in:     noex.Event{Kind: noex.MessageSent, Label: "a", PeerLbl: "b", Ref: 9, MsgKind: noex.KindCast, Msg: inc{By: 1}},
		want:   noextest.Event{Kind: noex.MessageSent, Proc: "a", Peer: "b", Ref: 9, MsgKind: noex.KindCast, Msg: inc{By: 1}},
		reason: "a message event without a reason has none",
	}, {
		in:     noex.Event{Kind: noex.MessageHandled, Err: errors.New("cannot")},
		want:   noextest.Event{Kind: noex.MessageHandled, Err: "cannot"},
		reason: "errors become their text",
	}}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, noextest.FromNoex(tc.in)); d != "" {
			t.Errorf("FromNoex (%s) mismatch (-want +got):\n%s", tc.reason, d)
		}
	}
}

// The log of a run, compared as plain data with the kit's presets.
func TestEventsCompareWithCmp(t *testing.T) {
	rt := noextest.New(t, noextest.WithSeed(1))
	rt.Run(func(ctx context.Context) error {
		c, err := startCounter(ctx, "c")
		if err != nil {
			return err
		}
		if err := noex.Sleep(ctx, time.Second); err != nil {
			return err
		}
		return noex.Stop(ctx, c, nil)
	})
	want := []noextest.Event{
		{Kind: noex.Registered, Proc: "c", Name: "c"},
		{Kind: noex.ProcessStarted, Proc: "c", Peer: "main"},
		{Kind: noex.TimerSet, Proc: "main", Name: "sleep", Delay: time.Second},
		{Kind: noex.ClockAdvanced, Delay: time.Second},
		{Kind: noex.TimerFired, Proc: "main", Name: "sleep"},
		{Kind: noex.StopRequested, Proc: "main", Peer: "c", Reason: "normal"},
		{Kind: noex.Unregistered, Proc: "c", Name: "c"},
		{Kind: noex.ProcessStopped, Proc: "c", Reason: "normal"},
	}
	if d := cmp.Diff(want, rt.Events(), noextest.IgnoreTimes(), noextest.IgnoreIDs()); d != "" {
		t.Errorf("events mismatch (-want +got):\n%s", d)
	}
	if got := rt.Events()[4].Time; !got.Equal(noex.Epoch.Add(time.Second)) {
		t.Errorf("the timer fired at %v, want a second after the epoch", got)
	}
	text := rt.Recorder().Text()
	if lines := strings.Count(text, "\n"); lines != len(want) {
		t.Errorf("Text has %d lines, want %d:\n%s", lines, len(want), text)
	}
	wantContains(t, "the text log", text, "4 00:00:01.000000 - clock +1s\n")
	n := rt.Recorder().Len()
	rec := noextest.NewRecorder()
	rec.Observe(noex.Event{Seq: 1})
	rec.Reset()
	if rec.Len() != 0 || n != len(want) {
		t.Errorf("Len after Reset = %d, recorder Len = %d", rec.Len(), n)
	}
}

func TestPattern(t *testing.T) {
	got := noextest.Pattern(noextest.Event{Kind: noex.MessageReceived, Proc: "c", MsgKind: noex.KindCast, Msg: inc{By: 2}, Delay: time.Second})
	if want := `{Kind:received Proc:"c" MsgKind:cast Msg:inc{By:2} Delay:1s}`; got != want {
		t.Errorf("Pattern = %s, want %s", got, want)
	}
}
