package main

import (
	"context"
	"errors"
	"io"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Under every seed the output is the same, virtual time included: the
// clock starts at midnight and nothing in the demo waits.
func TestOutput(t *testing.T) {
	want := []string{
		"00:00:00 [info] Server started",
		"00:00:00 [warn] High memory usage",
		"Flushing 2 logs",
		"after flush: 0 logs",
	}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		if diff := cmp.Diff(want, res.Lines()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	}, demo)
	// In real mode the timestamps are the wall clock's.
	stamp := regexp.MustCompile(`^\d\d:\d\d:\d\d `)
	chaptertest.Real(t, 20, func(t testing.TB, res run.Result) {
		var got []string
		for _, l := range res.Lines() {
			got = append(got, stamp.ReplaceAllString(l, "00:00:00 "))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	}, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}

// Cast does not wait: in deterministic mode a process keeps running until it
// blocks, so both casts and the call are sent before the logger handles the
// first cast.
func TestCastDoesNotWait(t *testing.T) {
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) {
		var sent, firstReceived int
		for i, e := range res.Events {
			if e.Label == "main" && e.Kind == noex.MessageSent && sent < 3 {
				sent++
				if sent == 3 && firstReceived != 0 {
					t.Errorf("the logger handled a message (event %d) before main sent its call (event %d)", firstReceived, i)
				}
			}
			if e.Kind == noex.MessageReceived && e.PeerLbl == "main" && firstReceived == 0 {
				firstReceived = i
			}
		}
		if sent < 3 {
			t.Errorf("main sent %d messages, want at least 3", sent)
		}
	}, demo)
}

// Unlike noex's cast, which throws when the server is gone, Cast returns an
// error wrapping ErrNotRunning.
func TestCastToStoppedLogger(t *testing.T) {
	var castErr error
	chaptertest.Run(t, 1, func(ctx context.Context, out io.Writer) error {
		logger, err := noex.Start(ctx, Logger{out: out})
		if err != nil {
			return err
		}
		if err := noex.Stop(ctx, logger, nil); err != nil {
			return err
		}
		castErr = logger.Cast(ctx, Log{Level: "info", Message: "too late"})
		return nil
	})
	if !errors.Is(castErr, noex.ErrNotRunning) {
		t.Errorf("Cast after Stop = %v, want an error wrapping noex.ErrNotRunning", castErr)
	}
}

// A reply is a snapshot: logging after GetLogs does not change the slice
// the caller already holds.
func TestGetLogsIsASnapshot(t *testing.T) {
	ctx := context.Background()
	l := Logger{out: io.Discard}
	logs, _ := l.Init(ctx)
	logs, _ = l.HandleCast(ctx, Log{Level: "info", Message: "a"}, logs)
	got, logs, _ := l.HandleCall(ctx, GetLogs{}, logs)
	logs, _ = l.HandleCast(ctx, Log{Level: "info", Message: "b"}, logs)
	if len(got) != 1 || len(logs) != 2 {
		t.Errorf("snapshot has %d entries, state %d; want 1 and 2", len(got), len(logs))
	}
}
