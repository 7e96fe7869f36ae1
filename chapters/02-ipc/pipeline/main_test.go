package main

import (
	"context"
	"errors"
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Calls nest: each input's answer comes back before the next input is sent,
// so the output is the same under every seed and in real mode.
func TestOutput(t *testing.T) {
	want := []string{
		`"name=Alice;age=30"  stored as rec-1: {Name:Alice Age:30}`,
		`"name=Bob;age=-4"    rejected: invalid: age -4 out of range`,
		`"garbage"            rejected: parse: "garbage" is not key=value`,
		`"name=Carol;age=41"  stored as rec-2: {Name:Carol Age:41}`,
		`store: rec-1 {Name:Alice Age:30}`,
		`store: rec-2 {Name:Carol Age:41}`,
	}
	chaptertest.Lines(t, want, 20, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
	chaptertest.Diagram(t, "pipeline", res)
}

func startAll(ctx context.Context) error {
	for _, s := range []func() error{
		func() error { _, err := noex.Start(ctx, StoreStage{}, noex.WithName("store")); return err },
		func() error { _, err := noex.Start(ctx, ValidateStage{}, noex.WithName("validator")); return err },
		func() error { _, err := noex.Start(ctx, ParseStage{}, noex.WithName("parser")); return err },
	} {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// A stage's error reaches the input unchanged, two calls up: errors.Is
// still finds the validator's sentinel. A missing stage is reported as
// ErrNotRegistered, and the stages before it keep running.
func TestErrorsTravelBack(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		if err := startAll(ctx); err != nil {
			return err
		}
		if _, err := Parser.Call(ctx, Parse{Data: "name=;age=3"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty name: %v, want ErrInvalid", err)
		}
		if _, err := Parser.Call(ctx, Parse{Data: "name=X;age=old"}); !errors.Is(err, ErrParse) {
			t.Errorf("bad age: %v, want ErrParse", err)
		}
		if err := noex.Stop(ctx, Store, nil); err != nil {
			return err
		}
		if _, err := Parser.Call(ctx, Parse{Data: "name=Dan;age=7"}); !errors.Is(err, noex.ErrNotRegistered) {
			t.Errorf("without a store: %v, want ErrNotRegistered", err)
		}
		if _, err := Parser.Call(ctx, Parse{Data: "name=Dan;age=200"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("the validator still answers: %v, want ErrInvalid", err)
		}
		return nil
	})
}

func TestParseRecord(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Record
		err  error
	}{
		{"name=Alice;age=30", Record{Name: "Alice", Age: 30}, nil},
		{"age=1;name=Z", Record{Name: "Z", Age: 1}, nil},
		{"name=Alice", Record{}, ErrParse},
		{"name=A;age=1;x=2", Record{}, ErrParse},
		{"", Record{}, ErrParse},
	} {
		got, err := parseRecord(c.in)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("parseRecord(%q) = %+v, %v; want %+v, %v", c.in, got, err, c.want, c.err)
		}
	}
}
