package bugbench

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// actor is a client process: when it is kicked (a cast) it runs its
// script, and it keeps what the script returned for [outcome] calls.
// Kernels start their clients first and kick them afterwards, so that every
// client is running before any of them acts.
type actor struct {
	script func(ctx context.Context) (string, error)
}

// kick tells an actor to run its script.
type kick struct{}

// outcome asks an actor what its script returned.
type outcome struct{}

// result is an actor's state: whether its script ran, and what it returned.
type result struct {
	Ran   bool
	Value string
	Err   error
}

type actorRef = noex.Ref[outcome, kick, result]

var _ noex.Behavior[result, outcome, kick, result] = actor{}

func (actor) Init(context.Context) (result, error) { return result{}, nil }

func (a actor) HandleCast(ctx context.Context, _ kick, _ result) (result, error) {
	v, err := a.script(ctx)
	return result{Ran: true, Value: v, Err: err}, nil
}

func (actor) HandleCall(_ context.Context, _ outcome, r result) (result, result, error) {
	return r, r, nil
}

// startActor starts an actor registered under name.
func startActor(ctx context.Context, name string, script func(ctx context.Context) (string, error)) (actorRef, error) {
	return noex.Start(ctx, actor{script: script}, noex.WithName(name))
}

// act adapts a script that returns only an error.
func act(script func(ctx context.Context) error) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) { return "", script(ctx) }
}

// kickAll kicks the actors in order, from the calling process.
func kickAll(ctx context.Context, actors ...actorRef) error {
	for _, a := range actors {
		if err := noex.Cast(ctx, a, kick{}); err != nil {
			return err
		}
	}
	return nil
}

// resultOf asks an actor what its script returned. It is an error (not a
// violation) if the script never ran.
func resultOf(ctx context.Context, a actorRef) (result, error) {
	r, err := noex.Call(ctx, a, outcome{})
	if err == nil && !r.Ran {
		err = fmt.Errorf("bugbench: %v was never kicked", a)
	}
	return r, err
}

// valueOf is resultOf for a script that must not fail: its error, if any,
// is returned as an error of the run (not a violation).
func valueOf(ctx context.Context, a actorRef) (string, error) {
	r, err := resultOf(ctx, a)
	if err == nil && r.Err != nil {
		err = fmt.Errorf("bugbench: %v: %w", a, r.Err)
	}
	return r.Value, err
}

// scriptsOK checks that every actor's script ran and returned no error.
func scriptsOK(ctx context.Context, actors ...actorRef) error {
	for _, a := range actors {
		if _, err := valueOf(ctx, a); err != nil {
			return err
		}
	}
	return nil
}
