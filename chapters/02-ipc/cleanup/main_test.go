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

func TestOutput(t *testing.T) {
	want := []string{"true true", "false false"}
	chaptertest.Lines(t, want, 20, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}

// crasher panics on its first cast.
type crasher struct{}

func (crasher) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (crasher) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (crasher) HandleCast(ctx context.Context, _ struct{}, s struct{}) (struct{}, error) {
	panic("crash")
}

// watcher monitors a process and records, when its Down arrives, the
// names the ended process still held.
type watcher struct{ stale *[]string }

type watch struct{ target noex.PID }

func (w watcher) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (w watcher) HandleCall(ctx context.Context, m watch, s struct{}) (struct{}, struct{}, error) {
	_, err := noex.Monitor(ctx, m.target)
	return s, s, err
}
func (w watcher) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	return s, nil
}
func (w watcher) HandleInfo(ctx context.Context, msg any, s struct{}) (struct{}, error) {
	if down, ok := msg.(noex.Down); ok {
		reg := noex.RuntimeOf(ctx).Registry()
		for _, n := range []string{"temp-service", "temp-alias"} {
			// The name may already belong to the replacement.
			if pid, ok := reg.Whereis(n); ok && pid == down.PID {
				*w.stale = append(*w.stale, n)
			}
		}
	}
	return s, nil
}

// Every way of ending releases every name before anyone can see the end:
// the stopper when Stop returns, the monitors when their Down arrives, and
// a new server can take the name at once.
func TestNamesReleasedOnEveryEnd(t *testing.T) {
	ends := map[string]func(ctx context.Context, pid noex.PID) error{
		"stop": func(ctx context.Context, pid noex.PID) error { return noex.Stop(ctx, pid, nil) },
		"kill": func(ctx context.Context, pid noex.PID) error { return noex.Kill(ctx, pid, nil) },
		"crash": func(ctx context.Context, pid noex.PID) error {
			if err := noex.RefOf[noex.None, struct{}, struct{}](pid).Cast(ctx, struct{}{}); err != nil {
				return err
			}
			reason, err := noex.Wait(ctx, pid)
			if !errors.Is(reason, noex.ErrCrashed) {
				t.Errorf("crash reason = %v, want ErrCrashed", reason)
			}
			return err
		},
	}
	for _, how := range []string{"stop", "kill", "crash"} {
		t.Run(how, func(t *testing.T) {
			for seed := uint64(1); seed <= uint64(chaptertest.Seeds()); seed++ {
				var stale []string
				chaptertest.Run(t, seed, func(ctx context.Context, _ io.Writer) error {
					reg := noex.RuntimeOf(ctx).Registry()
					svc, err := noex.Start(ctx, crasher{}, noex.WithName("temp-service"))
					if err != nil {
						return err
					}
					if err := reg.Register("temp-alias", svc.PID()); err != nil {
						return err
					}
					w, err := noex.Start(ctx, watcher{stale: &stale})
					if err != nil {
						return err
					}
					if _, err := w.Call(ctx, watch{target: svc.PID()}); err != nil {
						return err
					}
					if err := ends[how](ctx, svc.PID()); err != nil {
						return err
					}
					if names := reg.Names(); len(names) != 0 {
						t.Errorf("seed %d: after %s, still registered: %v", seed, how, names)
					}
					_, err = noex.Start(ctx, Service{}, noex.WithName("temp-service"))
					return err
				})
				if len(stale) != 0 {
					t.Fatalf("seed %d: the monitor's Down came while %v were registered", seed, stale)
				}
			}
		})
	}
}
