package main

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	hactor "github.com/anthdm/hollywood/actor"
	pactor "github.com/asynkron/protoactor-go/actor"
	"github.com/noex-go/noex/noex"
)

// TestSides runs every side of every row (but the million casts, which
// only repeats the cast side) for a few operations: each checks its own
// counts and replies.
func TestSides(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	slog.SetDefault(quiet)
	hw, err := hactor.NewEngine(hactor.NewEngineConfig())
	if err != nil {
		t.Fatal(err)
	}
	pa := pactor.NewActorSystem(pactor.WithLoggerFactory(func(*pactor.ActorSystem) *slog.Logger { return quiet }))
	defer pa.Shutdown()
	rt := noex.NewRuntime()
	defer func() {
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	err = rt.Run(context.Background(), func(ctx context.Context) error {
		e := &env{ctx: ctx, hw: hw, pa: pa}
		for _, r := range rows() {
			if strings.HasPrefix(r.name, "1M") {
				continue
			}
			for i, mk := range r.sides {
				s, err := mk(e)
				if err != nil {
					t.Fatalf("%s, %s: %v", r.name, subjects[i], err)
				}
				for range 2 {
					if err := s.run(16); err != nil {
						t.Errorf("%s, %s: %v", r.name, subjects[i], err)
					}
				}
				s.close()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRun measures one row briefly and checks the tables' shape.
func TestRun(t *testing.T) {
	var out, progress bytes.Buffer
	cfg := config{passes: 2, rounds: 2, window: time.Millisecond}
	if err := run(cfg, regexp.MustCompile("^call$"), &out, &progress); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| row | naive (time per operation) | noex | hollywood | protoactor |", "| call | "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if got := strings.Count(progress.String(), "call: pass"); got != 2 {
		t.Errorf("progress shows %d passes, want 2:\n%s", got, progress.String())
	}
	if err := run(cfg, regexp.MustCompile("no such row"), &out, &progress); err == nil {
		t.Error("a filter that matches no row: no error")
	}
}
