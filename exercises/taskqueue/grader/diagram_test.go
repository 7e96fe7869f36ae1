package grader_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/noex-go/noex/exercises/taskqueue/grader"
	"github.com/noex-go/noex/exercises/taskqueue/grader/internal/mutant"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
	solution "github.com/noex-go/noex/solutions/taskqueue"
	"github.com/noex-go/noex/trace/diagram"
)

// diagramRun draws a short run of an implementation, as the docs show it:
// three tasks under seed 1, a second for the workers, the completions, and
// the shutdown. A step that fails ends the run there (the skeleton's
// Enqueue fails at once).
func diagramRun(t *testing.T, start func(context.Context) (grader.System, error)) string {
	t.Helper()
	rec := noextest.NewRecorder()
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithObserver(rec.Observe))
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		sys, err := start(ctx)
		if err != nil {
			return err
		}
		for i := range 3 {
			if _, err := sys.Enqueue(ctx, fmt.Sprintf("job-%d", i+1)); err != nil {
				return sys.Shutdown(ctx)
			}
		}
		if err := noex.Sleep(ctx, time.Second); err != nil {
			return err
		}
		_, _ = sys.Completions(ctx)
		return sys.Shutdown(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return diagram.Mermaid(rec.Raw())
}

// solutionStart adapts the reference solution to grader.System.
func solutionStart(ctx context.Context) (grader.System, error) {
	s, err := solution.Start(ctx)
	if err != nil {
		return nil, err
	}
	return solutionSystem{s}, nil
}

type solutionSystem struct{ s *solution.System }

func (s solutionSystem) Enqueue(ctx context.Context, payload string) (string, error) {
	id, err := s.s.Enqueue(ctx, payload)
	return string(id), err
}

func (s solutionSystem) Completions(ctx context.Context) ([]grader.Completion, error) {
	cs, err := s.s.Completions(ctx)
	out := make([]grader.Completion, len(cs))
	for i, c := range cs {
		out[i] = grader.Completion{TaskID: string(c.TaskID), Worker: c.Worker}
	}
	return out, err
}

func (s solutionSystem) Shutdown(ctx context.Context) error { return s.s.Shutdown(ctx) }

// TestMutantDrawsTheSolution checks that the grader's test implementation,
// without a mistake, runs exactly as the reference solution does: the
// diagrams the docs draw from its mistakes are those the exercise's code
// would give.
func TestMutantDrawsTheSolution(t *testing.T) {
	want := diagramRun(t, solutionStart)
	if got := diagramRun(t, mutant.Start(mutant.Mistakes{})); got != want {
		t.Errorf("the mutant without mistakes draws another run than the solution:\n%s\nwant:\n%s", got, want)
	}
}

// TestDocDiagrams checks that the sequence diagrams of the exercise's doc
// are those of the unsolved skeleton and of an attempt whose workers never
// say they are ready, and that the report shown is the grader's on that
// attempt;
// -update rewrites them. (The solution's diagrams are in its README,
// checked by its own test.)
func TestDocDiagrams(t *testing.T) {
	grader.CheckDocSection(t, "diagram skeleton", "```mermaid\n"+diagramRun(t, mutant.Start(mutant.Mistakes{TODO: "all"}))+"```\n")
	attempt := mutant.Start(mutant.Mistakes{SilentWorkers: true})
	grader.CheckDocSection(t, "diagram attempt", "```mermaid\n"+diagramRun(t, attempt)+"```\n")
	rep := grader.Run(grader.Impl{Start: attempt}, grader.Config{Seeds: 8, BaseSeed: 1, RealRuns: -1, TestName: "TestGrade"})
	_, parts, _ := strings.Cut(rep.Text(), "\n\n") // without the summary, which says how long it took
	grader.CheckDocSection(t, "report attempt", "```\n"+parts+"```\n")
}
