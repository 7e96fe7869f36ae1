package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// A service registers itself in a service directory (a server of its own,
// not the runtime's Registry) when it starts, and deregisters in
// Terminate. When it crashes, its supervisor restarts it: the old
// process's deregistration and the new process's registration come from
// two different processes, so the directory may handle them in either
// order. Handled new-first, the deregistration removes the new entry and
// the running service is no longer in the directory; and a registration
// sent as a cast by the old process can even arrive after the new one's.
// The fix: a service registers with a call, so its registration is in
// place before it runs, and a deregistration names the process it is for
// and removes the entry only if it is still that process's.

// dirCall looks Service up, or (Join set) registers it at Join.
type dirCall struct {
	Service string
	Join    noex.PID
}

// dirCast registers (or, Leave, deregisters) Service at PID.
type dirCast struct {
	Service string
	PID     noex.PID
	Leave   bool
}

// directory maps service names to processes. Careful, it removes an entry
// only for the process that holds it.
type directory struct{ careful bool }

var directoryName = noex.Name[dirCall, dirCast, noex.PID]("directory")

func (directory) Init(context.Context) (map[string]noex.PID, error) {
	return map[string]noex.PID{}, nil
}

func (d directory) HandleCast(_ context.Context, c dirCast, m map[string]noex.PID) (map[string]noex.PID, error) {
	switch {
	case !c.Leave:
		m[c.Service] = c.PID
	case !d.careful || m[c.Service] == c.PID:
		delete(m, c.Service)
	}
	return m, nil
}

func (directory) HandleCall(_ context.Context, c dirCall, m map[string]noex.PID) (noex.PID, map[string]noex.PID, error) {
	if !c.Join.IsZero() {
		m[c.Service] = c.Join
	}
	return m[c.Service], m, nil
}

type apiCrash struct{}

// apiServer registers in the directory as "api" for as long as it runs:
// with a call if careful, else with a cast.
type apiServer struct{ careful bool }

func (a apiServer) Init(ctx context.Context) (noex.None, error) {
	if a.careful {
		_, err := noex.Call(ctx, directoryName, dirCall{Service: "api", Join: noex.Self(ctx)})
		return noex.None{}, err
	}
	return noex.None{}, noex.Cast(ctx, directoryName, dirCast{Service: "api", PID: noex.Self(ctx)})
}

func (apiServer) Terminate(ctx context.Context, _ error, _ noex.None) {
	_ = noex.Cast(ctx, directoryName, dirCast{Service: "api", PID: noex.Self(ctx), Leave: true})
}

func (apiServer) HandleCast(context.Context, apiCrash, noex.None) (noex.None, error) {
	panic("api: out of file descriptors")
}

func (apiServer) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

func restartRegister() Kernel {
	return Kernel{
		Name:   "restart-register",
		Title:  "a restarted service's registration races its old instance's deregistration",
		Source: "classic supervisor restart racing a registration",
		Depth:  1,
		Why: "the directory handles the new api process's registration (sent from its Init) " +
			"before the old one's deregistration (sent from its Terminate) or before the old one's own registration",
		Buggy: restartRegisterProgram(false),
		Fixed: restartRegisterProgram(true),
	}
}

func restartRegisterProgram(careful bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var sup noex.Supervisor
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, directory{careful: careful}, noex.WithName(directoryName.String())); err != nil {
				return err
			}
			var err error
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Strategy: noex.OneForOne,
				Children: []noex.ChildSpec{noex.ServerChild("api", apiServer{careful: careful}, noex.WithName("api"))},
			}, noex.WithName("api-sup"))
			if err != nil {
				return err
			}
			chaos, err := startActor(ctx, "chaos", act(func(ctx context.Context) error {
				return noex.Cast(ctx, noex.Name[noex.None, apiCrash, noex.None]("api"), apiCrash{})
			}))
			if err != nil {
				return err
			}
			return kickAll(ctx, chaos)
		}, func(ctx context.Context) error {
			running, err := noex.ChildPID(ctx, sup, "api")
			if err != nil {
				return err
			}
			listed, err := noex.Call(ctx, directoryName, dirCall{Service: "api"})
			if err != nil {
				return err
			}
			switch {
			case listed.IsZero():
				return violation("the directory has no entry for api, which runs as %v", running)
			case listed != running:
				return violation("the directory lists api at %v, but api runs as %v", listed, running)
			}
			return nil
		})
	}
}
