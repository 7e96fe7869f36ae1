package bugbench

import (
	"context"
	"errors"
	"time"

	"github.com/noex-go/noex/noex"
)

// A client is given the reference of a supervised key-value server when
// it starts, and keeps it. The server crashes and its supervisor restarts
// it as a new process under the same name; the client's reference still
// points to the old one, and a call through it fails. Resolving the name
// at each call, and retrying once the supervisor has had time to restart
// the server, is the fix.

type kvGet struct{ Key string }

type kvCrash struct{}

type kvServer struct{}

var kvName = noex.Name[kvGet, kvCrash, string]("kv")

func (kvServer) Init(context.Context) (map[string]string, error) {
	return map[string]string{"greeting": "hello"}, nil
}

func (kvServer) HandleCall(_ context.Context, g kvGet, m map[string]string) (string, map[string]string, error) {
	return m[g.Key], m, nil
}

func (kvServer) HandleCast(context.Context, kvCrash, map[string]string) (map[string]string, error) {
	panic("kv: corrupted table")
}

// callWithRetry calls kv by name and, if the server has just died, waits
// a little (on the runtime's clock) and tries again, three times at most.
func callWithRetry(ctx context.Context, g kvGet) (string, error) {
	for attempt := 1; ; attempt++ {
		v, err := noex.Call(ctx, kvName, g)
		died := errors.Is(err, noex.ErrCrashed) || errors.Is(err, noex.ErrNotRunning) || errors.Is(err, noex.ErrNotRegistered)
		if !died || attempt == 3 {
			return v, err
		}
		if err := noex.Sleep(ctx, 10*time.Millisecond); err != nil {
			return "", err
		}
	}
}

func staleRef() Kernel {
	return Kernel{
		Name:   "stale-ref",
		Title:  "a client keeps the reference of a server that its supervisor restarts",
		Source: "classic stale reference after a supervisor restart",
		Depth:  1,
		Why:    "kv handles the chaos process's crash before the client's call through its kept reference",
		Buggy:  staleRefProgram(false),
		Fixed:  staleRefProgram(true),
	}
}

func staleRefProgram(byName bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var client actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Strategy: noex.OneForOne,
				Children: []noex.ChildSpec{noex.ServerChild("kv", kvServer{}, noex.WithName(kvName.String()))},
			}, noex.WithName("kv-sup"))
			if err != nil {
				return err
			}
			kept, err := noex.LookupRef[kvGet, kvCrash, string](noex.RuntimeOf(ctx).Registry(), kvName.String())
			if err != nil {
				return err
			}
			client, err = startActor(ctx, "client", func(ctx context.Context) (string, error) {
				if byName {
					return callWithRetry(ctx, kvGet{Key: "greeting"})
				}
				return noex.Call(ctx, kept, kvGet{Key: "greeting"})
			})
			if err != nil {
				return err
			}
			chaos, err := startActor(ctx, "chaos", act(func(ctx context.Context) error {
				return noex.Cast(ctx, kvName, kvCrash{})
			}))
			if err != nil {
				return err
			}
			return kickAll(ctx, client, chaos)
		}, func(ctx context.Context) error {
			r, err := resultOf(ctx, client)
			if err != nil {
				return err
			}
			if r.Err != nil || r.Value != "hello" {
				return violation("the client's call to kv failed (%v) although kv was restarted", r.Err)
			}
			return nil
		})
	}
}
