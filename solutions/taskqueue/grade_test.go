package taskqueue_test

import (
	"context"
	"testing"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/solutions/taskqueue"
)

// TestGrade grades the reference solution with the exercise's grader. It is
// strict: every requirement of both parts must hold under every seed.
func TestGrade(t *testing.T) {
	grader.Grade(t, Impl())
}

// Impl is the reference solution as the grader drives it.
func Impl() grader.Impl {
	return grader.Impl{Start: start, Strict: true, Dir: "."}
}

func start(ctx context.Context) (grader.System, error) {
	s, err := taskqueue.Start(ctx)
	if err != nil {
		return nil, err
	}
	return system{s}, nil
}

// system adapts *taskqueue.System to grader.System.
type system struct{ s *taskqueue.System }

func (s system) Enqueue(ctx context.Context, payload string) (string, error) {
	id, err := s.s.Enqueue(ctx, payload)
	return string(id), err
}

func (s system) Completions(ctx context.Context) ([]grader.Completion, error) {
	cs, err := s.s.Completions(ctx)
	out := make([]grader.Completion, len(cs))
	for i, c := range cs {
		out[i] = grader.Completion{TaskID: string(c.TaskID), Worker: c.Worker}
	}
	return out, err
}

func (s system) Shutdown(ctx context.Context) error { return s.s.Shutdown(ctx) }
