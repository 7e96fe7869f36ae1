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
	want := []string{
		"User service not available",
		"registered: [order-service user-service]",
		"user u1: {ID:u1 Name:Alice}",
		"order o1 from order-service: {ID:o1 UserID:u1}",
		"archive-service not available",
	}
	chaptertest.Lines(t, want, 20, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}

// A name has one holder: registering it again for another process fails
// with a *noex.NameTakenError that names the holder, and so does starting a
// server with that name.
func TestNameTaken(t *testing.T) {
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		reg := noex.RuntimeOf(ctx).Registry()
		first, err := noex.Start(ctx, UserService{}, noex.WithName("user-service"))
		if err != nil {
			return err
		}
		second, err := noex.Start(ctx, UserService{})
		if err != nil {
			return err
		}
		err = reg.Register("user-service", second.PID())
		var taken *noex.NameTakenError
		if !errors.As(err, &taken) || taken.Holder != first.PID() {
			t.Errorf("Register of a taken name = %v, want a *NameTakenError held by %v", err, first.PID())
		}
		_, err = noex.Start(ctx, OrderService{}, noex.WithName("user-service"))
		if !errors.Is(err, noex.ErrNameTaken) {
			t.Errorf("Start with a taken name = %v, want an error wrapping ErrNameTaken", err)
		}
		if pid, _ := reg.Whereis("user-service"); pid != first.PID() {
			t.Errorf("user-service is held by %v, want %v", pid, first.PID())
		}
		return nil
	})
}

// selfFinder looks itself up by name in Init.
type selfFinder struct{ found *bool }

func (f selfFinder) Init(ctx context.Context) (struct{}, error) {
	pid, ok := noex.RuntimeOf(ctx).Registry().Whereis("finder")
	*f.found = ok && pid == noex.Self(ctx)
	return struct{}{}, nil
}
func (selfFinder) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (selfFinder) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	return s, nil
}

// WithName registers before Init runs, so a server can find itself (and
// others can find it) before it receives its first message.
func TestRegisteredBeforeInit(t *testing.T) {
	var found bool
	chaptertest.Run(t, 1, func(ctx context.Context, _ io.Writer) error {
		_, err := noex.Start(ctx, selfFinder{found: &found}, noex.WithName("finder"))
		return err
	})
	if !found {
		t.Error("Init did not find its own name")
	}
}
