// Hub and spoke: a coordinator hands tasks to three workers in turn with
// cast; each worker reports its result back to the coordinator with call.
//
//	go run ./chapters/02-ipc/hubspoke
package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// Task is one unit of work.
type Task struct {
	ID      int
	Payload string
}

// Result is a finished task.
type Result struct {
	Task   Task
	Worker string
	Output string
}

// listing: hubspoke-coordinator
// CoordinatorName is where workers report.
var CoordinatorName = noex.Name[CoordinatorCall, noex.None, CoordinatorReply]("coordinator")

// CoordinatorCall is Submit (from clients), Report (from workers) or
// AwaitResults.
type CoordinatorCall interface{ isCoordinatorCall() }

type Submit struct{ Task Task }
type Report struct{ Result Result }

// AwaitResults is answered once N results are in.
type AwaitResults struct{ N int }

func (Submit) isCoordinatorCall()       {}
func (Report) isCoordinatorCall()       {}
func (AwaitResults) isCoordinatorCall() {}

// CoordinatorReply is the worker a task went to (Submit), or the results.
type CoordinatorReply struct {
	Worker  string
	Results []Result
}

// CoordinatorState is the workers, whose turn is next, the results, and
// the AwaitResults calls not answered yet.
type CoordinatorState struct {
	Workers []WorkerName
	Next    int
	Results []Result
	Waiting []Awaiting
}

// Awaiting is an AwaitResults call whose reply is deferred.
type Awaiting struct {
	N     int
	Reply *noex.Deferred
}

// Coordinator distributes tasks round-robin.
type Coordinator struct{ Workers []WorkerName }

func (c Coordinator) Init(ctx context.Context) (CoordinatorState, error) {
	return CoordinatorState{Workers: c.Workers}, nil
}

func (c Coordinator) HandleCall(ctx context.Context, msg CoordinatorCall, s CoordinatorState) (CoordinatorReply, CoordinatorState, error) {
	switch m := msg.(type) {
	case Submit:
		worker := s.Workers[s.Next]
		// Hand the task over and return at once: the worker reports later.
		if err := worker.Cast(ctx, Process(m)); err != nil {
			return CoordinatorReply{}, s, err
		}
		s.Next = (s.Next + 1) % len(s.Workers)
		return CoordinatorReply{Worker: worker.String()}, s, nil
	case Report:
		s.Results = append(slices.Clip(s.Results), m.Result)
		// Answer the AwaitResults calls that are now satisfied.
		s.Waiting = slices.DeleteFunc(slices.Clone(s.Waiting), func(w Awaiting) bool {
			if len(s.Results) < w.N {
				return false
			}
			w.Reply.Reply(CoordinatorReply{Results: s.Results}, nil)
			return true
		})
		return CoordinatorReply{}, s, nil
	case AwaitResults:
		if len(s.Results) >= m.N {
			return CoordinatorReply{Results: s.Results}, s, nil
		}
		// Reply later, from the Report that brings the N-th result.
		d, err := noex.DeferReply(ctx)
		if err != nil {
			return CoordinatorReply{}, s, err
		}
		s.Waiting = append(slices.Clip(s.Waiting), Awaiting{N: m.N, Reply: d})
		return CoordinatorReply{}, s, nil
	}
	return CoordinatorReply{}, s, fmt.Errorf("coordinator: unknown call %T", msg)
}

func (c Coordinator) HandleCast(ctx context.Context, _ noex.None, s CoordinatorState) (CoordinatorState, error) {
	return s, nil
}

// end listing

// listing: hubspoke-worker
// WorkerName is a worker's registered name.
type WorkerName = noex.Name[noex.None, Process, noex.None]

// Process asks a worker to do a task.
type Process struct{ Task Task }

// Worker does tasks one at a time and reports each to the coordinator.
type Worker struct {
	Name string
	out  io.Writer
}

func (w Worker) Init(ctx context.Context) (int, error) { return 0, nil }

func (w Worker) HandleCall(ctx context.Context, _ noex.None, done int) (noex.None, int, error) {
	return noex.None{}, done, nil
}

func (w Worker) HandleCast(ctx context.Context, m Process, done int) (int, error) {
	// Simulated work: 10 to 50 ms on the runtime's clock (virtual in
	// deterministic mode, so the run takes no real time).
	if err := noex.Sleep(ctx, time.Duration(10+noex.Rand(ctx).IntN(41))*time.Millisecond); err != nil {
		return done, err
	}
	r := Result{Task: m.Task, Worker: w.Name, Output: strings.ToUpper(m.Task.Payload)}
	fmt.Fprintf(w.out, "[%s] task %d done: %s\n", w.Name, m.Task.ID, r.Output)
	if _, err := CoordinatorName.Call(ctx, Report{Result: r}); err != nil {
		return done, err
	}
	return done + 1, nil
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: hubspoke-usage
	var workers []WorkerName
	for _, name := range []string{"worker-a", "worker-b", "worker-c"} {
		if _, err := noex.Start(ctx, Worker{Name: name, out: out}, noex.WithName(name)); err != nil {
			return err
		}
		workers = append(workers, WorkerName(name))
	}
	if _, err := noex.Start(ctx, Coordinator{Workers: workers}, noex.WithName(CoordinatorName.String())); err != nil {
		return err
	}
	payloads := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	for i, payload := range payloads {
		r, err := CoordinatorName.Call(ctx, Submit{Task: Task{ID: i + 1, Payload: payload}})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "task %d -> %s\n", i+1, r.Worker)
	}

	// Wait, without polling, until every task has been reported.
	r, err := CoordinatorName.Call(ctx, AwaitResults{N: len(payloads)})
	if err != nil {
		return err
	}
	// end listing
	results := slices.SortedFunc(slices.Values(r.Results), func(a, b Result) int { return a.Task.ID - b.Task.ID })
	fmt.Fprintf(out, "%d results:\n", len(results))
	for _, res := range results {
		fmt.Fprintf(out, "  task %d by %s: %s\n", res.Task.ID, res.Worker, res.Output)
	}
	return nil
}
