package main

import (
	"context"
	"io"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The counter reads 3 under every seed and in real mode.
func TestReadsThree(t *testing.T) {
	check := func(t testing.TB, res run.Result) {
		if got := res.Output; got != "3\n" {
			t.Errorf("output = %q, want %q", got, "3\n")
		}
	}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) { check(t, res) }, demo)
	chaptertest.Real(t, 50, check, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "counter", res)
}

func TestDecrement(t *testing.T) {
	ctx := context.Background()
	v, _ := Counter{}.HandleCast(ctx, Decrement{}, 1)
	if v != 0 {
		t.Errorf("Decrement from 1 = %d, want 0", v)
	}
	if _, err := (Counter{}).HandleCast(ctx, nil, 1); err == nil {
		t.Error("a nil cast gave no error")
	}
}

// writer casts three increments to the counter when told to.
type writer struct{}

type incrementThrice struct {
	counter noex.Ref[Get, CounterCast, int]
}

func (writer) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (writer) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (writer) HandleCast(ctx context.Context, m incrementThrice, s struct{}) (struct{}, error) {
	for range 3 {
		if err := m.counter.Cast(ctx, Increment{}); err != nil {
			return s, err
		}
	}
	return s, nil
}

// naiveDemo has another process do the writes. The order guarantee is per
// sender: main's read and the writer's increments come from different
// senders, so the read may overtake them.
func naiveDemo(ctx context.Context, out io.Writer) error {
	counter, err := noex.Start(ctx, Counter{})
	if err != nil {
		return err
	}
	w, err := noex.Start(ctx, writer{})
	if err != nil {
		return err
	}
	if err := w.Cast(ctx, incrementThrice{counter: counter}); err != nil {
		return err
	}
	value, err := counter.Call(ctx, Get{})
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, strconv.Itoa(value))
	return err
}

// Some seed shows the naive version reading less than 3, while the
// chapter's version (one sender) reads 3 under every seed.
func TestNaiveWritesFromAnotherProcess(t *testing.T) {
	seed, found := chaptertest.FindSeed(chaptertest.SearchSeeds, func(seed uint64) bool {
		return chaptertest.Run(t, seed, naiveDemo).Output != "3"
	})
	if !found {
		t.Fatal("no seed let the read overtake the increments of another sender")
	}
	t.Logf("seed %d: the read overtook increments sent by another process: %q",
		seed, chaptertest.Run(t, seed, naiveDemo).Output)
}
