package report_test

import (
	"context"
	"errors"
	"testing"

	"github.com/noex-go/noex/noex"
)

// A router asks a worker to do jobs; the job "bad" makes the worker panic,
// which fails the router's call and the router's own caller.

type job struct{ Name string }

type worker struct{}

func (worker) Init(context.Context) (int, error) { return 0, nil }
func (worker) HandleCall(_ context.Context, j job, n int) (string, int, error) {
	if j.Name == "bad" {
		panic("worker bug")
	}
	return "done " + j.Name, n + 1, nil
}
func (worker) HandleCast(_ context.Context, _ string, n int) (int, error) { return n + 1, nil }

type router struct{}

var workerName = noex.Name[job, string, string]("worker")

func (router) Init(context.Context) (int, error) { return 0, nil }
func (router) HandleCall(ctx context.Context, j job, n int) (string, int, error) {
	r, err := noex.Call(ctx, workerName, j)
	return r, n, err
}
func (router) HandleCast(ctx context.Context, s string, n int) (int, error) {
	return n, noex.Cast(ctx, workerName, s)
}

// jobs runs a good job, an unrelated cast and a bad job.
func jobs(ctx context.Context) error {
	if _, err := noex.Start(ctx, worker{}, noex.WithName("worker")); err != nil {
		return err
	}
	r, err := noex.Start(ctx, router{}, noex.WithName("router"))
	if err != nil {
		return err
	}
	if _, err := noex.Call(ctx, r, job{"good"}); err != nil {
		return err
	}
	if err := noex.Cast(ctx, r, "unrelated"); err != nil {
		return err
	}
	if _, err := noex.Call(ctx, r, job{"bad"}); !errors.Is(err, noex.ErrCrashed) {
		return errors.New("want a crash")
	}
	return nil
}

// record runs body under seed and returns the events.
func record(t testing.TB, seed uint64, body func(context.Context) error) []noex.Event {
	t.Helper()
	var evs []noex.Event
	rt := noex.NewRuntime(noex.WithSeed(seed), noex.WithObserver(func(e noex.Event) { evs = append(evs, e) }))
	ctx := context.Background()
	if err := rt.Run(ctx, body); err != nil {
		t.Fatal(err)
	}
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return evs
}
