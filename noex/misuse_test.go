package noex_test

import (
	"context"
	"errors"
	"testing"

	"github.com/noex-go/noex/noex"
)

// TestANilRegistryGivesTypedErrors: before, LookupRef(nil, name) and the
// methods of a nil *Registry panicked with a nil dereference.
func TestANilRegistryGivesTypedErrors(t *testing.T) {
	for _, reg := range []*noex.Registry{nil, {}} {
		if _, err := noex.LookupRef[op, op, int](reg, "x"); !errors.Is(err, noex.ErrNoRegistry) {
			t.Errorf("LookupRef = %v, want ErrNoRegistry", err)
		}
		_, err := reg.Lookup("x")
		if re, ok := errors.AsType[*noex.RegistryError](err); !ok || re.Name != "x" || !errors.Is(err, noex.ErrNoRegistry) {
			t.Errorf("Lookup = %v, want a *RegistryError wrapping ErrNoRegistry", err)
		}
		if err := reg.Register("x", noex.PID{}); !errors.Is(err, noex.ErrNoRegistry) {
			t.Errorf("Register = %v, want ErrNoRegistry", err)
		}
		if _, ok := reg.Whereis("x"); ok || reg.IsRegistered("x") || reg.Unregister("x") ||
			reg.Names() != nil || reg.Count() != 0 || reg.NamesOf(noex.PID{}) != nil {
			t.Error("a nil registry reported a name")
		}
	}
}

// TestAChildStartReturningTheSupervisorIsAStartFailure: before, it was
// accepted, and Shutdown later failed on its deadline.
func TestAChildStartReturningTheSupervisorIsAStartFailure(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			self := noex.ChildSpec{ID: "self", Start: func(ctx context.Context) (noex.PID, error) {
				return noex.Self(ctx), nil
			}}
			_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{self}})
			if ce, ok := errors.AsType[*noex.ChildError](err); !ok || ce.Child != "self" || !errors.Is(err, noex.ErrChildStart) {
				t.Errorf("StartSupervisor = %v, want a *ChildError for child self", err)
			}
			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{})
			if err != nil {
				return err
			}
			if _, err := noex.StartChild(ctx, sup, self); !errors.Is(err, noex.ErrChildStart) {
				t.Errorf("StartChild = %v, want a start failure", err)
			}
			return noex.Stop(ctx, sup, nil)
		})
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("left running: %v", ps)
		}
	})
}

// TestWithNameTwiceIsRefused: before, the last name silently won.
func TestWithNameTwiceIsRefused(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			_, err := noex.Start(ctx, &testSrv{}, noex.WithName("a"), noex.WithName("b"))
			if !errors.Is(err, noex.ErrBadOption) || !errors.Is(err, noex.ErrInit) {
				t.Errorf("Start = %v, want an *InitError wrapping ErrBadOption", err)
			}
			if names := rt.Registry().Names(); len(names) != 0 || len(rt.Processes()) != 0 {
				t.Errorf("left behind: %v, %v", names, rt.Processes())
			}
			return nil
		})
	})
}

// ctxKeeper hands its context out, to be used after it has ended.
type ctxKeeper struct{ out chan<- context.Context }

func (k ctxKeeper) Init(ctx context.Context) (int, error) { k.out <- ctx; return 0, nil }
func (ctxKeeper) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (ctxKeeper) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// TestTheContextOfAnEndedProcessIsRefused: before, real mode accepted a
// cast with the context of a stopped process, where deterministic mode
// said ErrNotOwner; now both say the process has ended.
func TestTheContextOfAnEndedProcessIsRefused(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			target := start(t, ctx, &testSrv{})
			out := make(chan context.Context, 1)
			k, err := noex.Start(ctx, ctxKeeper{out: out})
			if err != nil {
				return err
			}
			stale := <-out
			must(t, noex.Stop(ctx, k, nil))
			if err := noex.Cast(stale, target, op{kind: "add", n: 1}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Cast with a stopped process's ctx = %v, want ErrNotRunning", err)
			}
			if _, err := noex.Call(stale, target, op{kind: "get"}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Call with a stopped process's ctx = %v, want ErrNotRunning", err)
			}
			return nil
		})
	})
}

// TestSameInputSameErrorInBothModes: a cancelled ctx given to Start, and a
// Run body's ctx used after Run returned and after Shutdown. Before, real
// mode said context.Canceled where deterministic mode accepted the Start,
// and ErrClosed or ErrNotRunning where deterministic mode said ErrNotOwner.
func TestSameInputSameErrorInBothModes(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		var stale context.Context
		var target ref
		run(t, rt, func(ctx context.Context) error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := noex.Start(cctx, &testSrv{}); !errors.Is(err, context.Canceled) || !errors.Is(err, noex.ErrInit) {
				t.Errorf("Start with a cancelled ctx = %v, want an *InitError wrapping context.Canceled", err)
			}
			if len(rt.Processes()) != 0 {
				t.Errorf("left running: %v", rt.Processes())
			}
			stale, target = ctx, start(t, ctx, &testSrv{})
			_, werr := noex.Wait(cctx, target)
			for name, err := range map[string]error{
				"Stop":  noex.Stop(cctx, target, nil),
				"Wait":  werr,
				"Sleep": noex.Sleep(cctx, 1),
			} {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("%s with a cancelled ctx = %v, want context.Canceled", name, err)
				}
			}
			if !rt.IsAlive(target.PID()) {
				t.Error("a Stop with a cancelled ctx stopped its target")
			}
			return nil
		})
		check := func(when string) {
			t.Helper()
			if _, err := noex.Start(stale, &testSrv{}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Start with a Run's ctx %s = %v, want ErrNotRunning", when, err)
			}
			if err := noex.Cast(stale, target, op{kind: "add"}); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Cast with a Run's ctx %s = %v, want ErrNotRunning", when, err)
			}
		}
		check("after Run")
		must(t, rt.Shutdown(context.Background()))
		check("after Shutdown")
	})
}
