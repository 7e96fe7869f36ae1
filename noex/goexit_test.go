package noex_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

// quitter calls runtime.Goexit, as t.FailNow and require helpers do, where
// its fields say.
type quitter struct {
	inInit, inTerminate bool
}

type quit struct{}

func (q *quitter) Init(context.Context) (int, error) {
	if q.inInit {
		runtime.Goexit()
	}
	return 0, nil
}
func (q *quitter) HandleCall(_ context.Context, m string, n int) (string, int, error) {
	if m == "quit" {
		runtime.Goexit()
	}
	return m, n, nil
}
func (q *quitter) HandleCast(_ context.Context, _ quit, n int) (int, error) {
	runtime.Goexit()
	return n, nil
}
func (q *quitter) HandleInfo(_ context.Context, _ any, n int) (int, error) {
	runtime.Goexit()
	return n, nil
}
func (q *quitter) Terminate(context.Context, error, int) {
	if q.inTerminate {
		runtime.Goexit()
	}
}

// wantGoexitCrash checks that err reports a Goexit crash in site.
func wantGoexitCrash(t *testing.T, what string, err error, site string) {
	t.Helper()
	if !errors.Is(err, noex.ErrGoexit) || !errors.Is(err, noex.ErrCrashed) {
		t.Errorf("%s = %v, want a crash wrapping ErrGoexit", what, err)
		return
	}
	if !strings.Contains(err.Error(), "runtime.Goexit called in "+site) {
		t.Errorf("%s = %q, want it to say Goexit was called in %s", what, err, site)
	}
}

// TestGoexitInAHandlerCrashesTheProcess: before, the process stayed
// registered and its caller timed out (real mode) or the run deadlocked
// (deterministic mode).
func TestGoexitInAHandlerCrashesTheProcess(t *testing.T) {
	for _, tc := range []struct {
		name string
		site string
		send func(ctx context.Context, r noex.Ref[string, quit, string]) error
	}{
		{"call", "HandleCall", func(ctx context.Context, r noex.Ref[string, quit, string]) error {
			_, err := noex.Call(ctx, r, "quit")
			return err
		}},
		{"cast", "HandleCast", func(ctx context.Context, r noex.Ref[string, quit, string]) error {
			return noex.Cast(ctx, r, quit{})
		}},
		{"info", "HandleInfo", func(ctx context.Context, r noex.Ref[string, quit, string]) error {
			return noex.Send(ctx, r, "quit")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			modes(t, func(t *testing.T, rt *noex.Runtime) {
				rec := record(rt)
				run(t, rt, func(ctx context.Context) error {
					r, err := noex.Start(ctx, &quitter{}, noex.WithName("q"))
					if err != nil {
						return err
					}
					serr := tc.send(ctx, r)
					reason, err := noex.Wait(ctx, r)
					if err != nil {
						return err
					}
					wantGoexitCrash(t, "exit reason", reason, tc.site)
					if tc.name == "call" {
						wantGoexitCrash(t, "Call", serr, tc.site)
					}
					if rt.Registry().IsRegistered("q") {
						t.Error("the name is still registered")
					}
					return nil
				})
				if n := len(rec.kinds(noex.ProcessCrashed)); n != 1 {
					t.Errorf("%d ProcessCrashed events, want 1", n)
				}
			})
		})
	}
}

func TestGoexitInInitFailsTheStart(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			_, err := noex.Start(ctx, &quitter{inInit: true}, noex.WithName("q"))
			if !errors.Is(err, noex.ErrInit) {
				t.Errorf("Start = %v, want an *InitError", err)
			}
			wantGoexitCrash(t, "Start", err, "Init")
			if rt.Registry().IsRegistered("q") || len(rt.Processes()) != 0 {
				t.Errorf("left behind: %v", rt.Processes())
			}
			return nil
		})
	})
}

func TestGoexitInTerminateIsACrash(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			r, err := noex.Start(ctx, &quitter{inTerminate: true})
			if err != nil {
				return err
			}
			wantGoexitCrash(t, "Stop", noex.Stop(ctx, r, nil), "Terminate")
			return nil
		})
		crashed := rec.kinds(noex.ProcessCrashed)
		if len(crashed) != 1 {
			t.Fatalf("%d ProcessCrashed events, want 1", len(crashed))
		}
		wantGoexitCrash(t, "the end event's reason", crashed[0].Reason, "Terminate")
	})
}

// TestGoexitInACrashingHandlersTerminate: the process ends with the
// handler's crash, and Terminate's Goexit is recorded.
func TestGoexitInACrashingHandlersTerminate(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			r, err := noex.Start(ctx, &quitter{inTerminate: true})
			if err != nil {
				return err
			}
			_, err = noex.Call(ctx, r, "quit")
			wantGoexitCrash(t, "Call", err, "HandleCall")
			return nil
		})
		var terms int
		for _, e := range rec.kinds(noex.MessageHandled) {
			if e.Name == "terminate" {
				terms++
				wantGoexitCrash(t, "Terminate's event", e.Err, "Terminate")
			}
		}
		if terms != 1 {
			t.Errorf("%d terminate events, want 1", terms)
		}
	})
}

func TestGoexitInABusHandlerCrashesTheBus(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			bus, err := noex.StartBus(ctx)
			if err != nil {
				return err
			}
			if _, err := noex.Subscribe(ctx, bus, "a.*", func(context.Context, any, string) { runtime.Goexit() }); err != nil {
				return err
			}
			perr := noex.PublishSync(ctx, bus, "a.b", 1)
			wantGoexitCrash(t, "PublishSync", perr, `bus handler #`)
			reason, err := noex.Wait(ctx, bus)
			if err != nil {
				return err
			}
			wantGoexitCrash(t, "the bus's exit reason", reason, `bus handler #`)
			return nil
		})
	})
}

func TestGoexitInAChildStartCrashesTheSupervisor(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			bad := noex.ChildSpec{ID: "bad", Start: func(context.Context) (noex.PID, error) {
				runtime.Goexit()
				return noex.PID{}, nil
			}}
			_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{bad}})
			wantGoexitCrash(t, "StartSupervisor", err, `the start function of child "bad"`)

			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{svChild("ok")}})
			if err != nil {
				return err
			}
			_, err = noex.StartChild(ctx, sup, bad)
			wantGoexitCrash(t, "StartChild", err, `the start function of child "bad"`)
			_, err = noex.Wait(ctx, sup)
			return err
		})
		// The guards end after their supervisors, once they hear of it
		// (before Run returns).
		if n := len(rt.Processes()); n != 0 {
			t.Errorf("left running: %v", rt.Processes())
		}
	})
}

func TestGoexitInARunBodyEndsRunWithAnError(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		err := rt.Run(context.Background(), func(ctx context.Context) error {
			runtime.Goexit()
			return nil
		})
		wantGoexitCrash(t, "Run", err, "the Run body")
		// The runtime goes on.
		run(t, rt, func(ctx context.Context) error {
			_, err := noex.Start(ctx, &quitter{})
			return err
		})
	})
}

// terminatePanic panics in Terminate.
type terminatePanic struct{}

func (terminatePanic) Init(context.Context) (int, error) { return 0, nil }
func (terminatePanic) HandleCall(_ context.Context, _ noex.None, n int) (noex.None, int, error) {
	return noex.None{}, n, nil
}
func (terminatePanic) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }
func (terminatePanic) Terminate(context.Context, error, int)                         { panic("terminate exploded") }

// TestStopReturnsATerminatePanic: before, Stop returned nil and the end
// event was a normal stop.
func TestStopReturnsATerminatePanic(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		rec := record(rt)
		run(t, rt, func(ctx context.Context) error {
			r, err := noex.Start(ctx, terminatePanic{}, noex.WithName("tp"))
			if err != nil {
				return err
			}
			err = noex.Stop(ctx, r, nil)
			if ce, ok := errors.AsType[*noex.CrashError](err); !ok || ce.Value != "terminate exploded" {
				t.Errorf("Stop = %v, want the Terminate crash", err)
			}
			reason, _ := rt.ExitReason(r.PID())
			if !errors.Is(reason, noex.ErrCrashed) {
				t.Errorf("exit reason = %v, want the crash", reason)
			}
			return nil
		})
		if n := len(rec.kinds(noex.ProcessStopped)); n != 0 {
			t.Errorf("%d ProcessStopped events, want none", n)
		}
		crashed := rec.kinds(noex.ProcessCrashed)
		if len(crashed) != 1 || !strings.Contains(noex.ReasonString(crashed[0].Reason), "terminate exploded") {
			t.Errorf("ProcessCrashed events = %v, want one carrying the Terminate crash", crashed)
		}
	})
}
