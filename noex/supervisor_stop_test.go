package noex_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
)

// gatedChild counts its Inits; its Terminate, when began is set, says so
// and then waits: on gate in real mode, on the virtual clock otherwise.
type gatedChild struct {
	inits *atomic.Int32
	began chan<- struct{}
	gate  <-chan struct{}
}

func (g *gatedChild) Init(context.Context) (int, error) { g.inits.Add(1); return 0, nil }
func (g *gatedChild) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (g *gatedChild) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (g *gatedChild) Terminate(ctx context.Context, _ error, _ int) {
	if g.began == nil {
		return
	}
	select {
	case g.began <- struct{}{}:
	default:
	}
	if noex.RuntimeOf(ctx).Deterministic() {
		noex.Sleep(ctx, time.Second)
	} else {
		<-g.gate
	}
}

// TestSupervisorStopDuringAGroupRestartStartsNoChild: before, the
// children were started again (their Init ran) before being stopped.
func TestSupervisorStopDuringAGroupRestartStartsNoChild(t *testing.T) {
	for _, strategy := range []noex.Strategy{noex.OneForAll, noex.RestForOne} {
		t.Run(strategy.String(), func(t *testing.T) {
			modes(t, func(t *testing.T, rt *noex.Runtime) {
				var inits atomic.Int32
				began, gate := make(chan struct{}, 1), make(chan struct{})
				spec := noex.SupervisorSpec{Strategy: strategy, Children: []noex.ChildSpec{
					noex.ServerChild("a", &gatedChild{inits: &inits}),
					noex.ServerChild("b", &gatedChild{inits: &inits}),
					noex.ServerChild("c", &gatedChild{inits: &inits, began: began, gate: gate}),
				}}
				run(t, rt, func(ctx context.Context) error {
					sup, err := noex.StartSupervisor(ctx, spec)
					if err != nil {
						return err
					}
					a, err := noex.ChildPID(ctx, sup, "a")
					if err != nil {
						return err
					}
					must(t, noex.Kill(ctx, a, nil)) // the restart stops c, whose Terminate waits
					if rt.Deterministic() {
						noex.Sleep(ctx, time.Millisecond) // c's Terminate sleeps until 1 s
						return noex.Stop(ctx, sup, nil)
					}
					<-began
					stopped := make(chan error, 1)
					go func() { stopped <- noex.Stop(ctx, sup, nil) }()
					for !stopping(rt, sup.PID()) {
						runtime.Gosched()
					}
					close(gate)
					return <-stopped
				})
				if n := inits.Load(); n != 3 {
					t.Errorf("%d Inits, want 3: a child started again after Stop began", n)
				}
				if ps := rt.Processes(); len(ps) != 0 {
					t.Errorf("left running: %v", ps)
				}
			})
		})
	}
}

// stopping reports whether pid's process has been asked to stop.
func stopping(rt *noex.Runtime, pid noex.PID) bool {
	for _, p := range rt.Processes() {
		if p.PID == pid {
			return p.Status == "stopping"
		}
	}
	return true
}
