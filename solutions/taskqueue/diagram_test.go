package taskqueue_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/noex-go/noex/internal/golden"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
	"github.com/noex-go/noex/solutions/taskqueue"
	"github.com/noex-go/noex/trace/diagram"
)

var update = flag.Bool("update", false, "rewrite the sequence diagrams in README.md")

const docPath = "README.md"

// diagramRun is a short run of the solution, drawn in the docs: three tasks
// under seed 1, and with crash set, worker-1 killed while it works on its
// task, 5 ms (virtual) into the run.
func diagramRun(t *testing.T, crash bool) []noex.Event {
	t.Helper()
	rec := noextest.NewRecorder()
	rt := noex.NewRuntime(noex.WithSeed(1), noex.WithObserver(rec.Observe))
	ctx := context.Background()
	err := rt.Run(ctx, func(ctx context.Context) error {
		sys, err := taskqueue.Start(ctx)
		if err != nil {
			return err
		}
		for i := range 3 {
			if _, err := sys.Enqueue(ctx, fmt.Sprintf("job-%d", i+1)); err != nil {
				return err
			}
		}
		if crash {
			if err := noex.Sleep(ctx, 5*time.Millisecond); err != nil {
				return err
			}
			if err := noex.Kill(ctx, noex.Name[noex.None, taskqueue.Assign, noex.None](taskqueue.WorkerName(1)),
				errors.New("crash")); err != nil {
				return err
			}
		}
		if err := noex.Sleep(ctx, time.Second); err != nil {
			return err
		}
		done, err := sys.Completions(ctx)
		if err == nil && len(done) != 3 {
			err = fmt.Errorf("%d completions, want 3: %v", len(done), done)
		}
		return errors.Join(err, sys.Shutdown(ctx))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return rec.Raw()
}

// TestDiagrams checks that the sequence diagrams in the solution's README
// are those of its runs; -update rewrites them. (The exercise's doc shows
// the skeleton's and a failing attempt's instead, checked by the grader's
// tests.)
func TestDiagrams(t *testing.T) {
	for _, d := range []struct {
		name  string
		crash bool
	}{{"taskqueue", false}, {"taskqueue-crash", true}} {
		block := "```mermaid\n" + diagram.Mermaid(diagramRun(t, d.crash)) + "```\n"
		golden.Section(t, docPath, "<!-- begin diagram "+d.name+" -->\n", "<!-- end diagram "+d.name+" -->", block, *update)
	}
}
