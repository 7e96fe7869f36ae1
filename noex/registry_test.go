package noex_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/noex-go/noex/noex"
)

func TestRegistryOperations(t *testing.T) {
	modes(t, func(t *testing.T, rt *noex.Runtime) {
		reg := rt.Registry()
		run(t, rt, func(ctx context.Context) error {
			a := start(t, ctx, &testSrv{})
			b := start(t, ctx, &testSrv{}, noex.WithName("order-service"))
			must(t, reg.Register("user-service", a.PID()))
			must(t, reg.Register("cache", a.PID()))
			if got, want := reg.Names(), []string{"cache", "order-service", "user-service"}; !slices.Equal(got, want) {
				t.Errorf("Names = %v; want sorted %v", got, want)
			}
			if reg.Count() != 3 {
				t.Errorf("Count = %d; want 3 (names, not processes)", reg.Count())
			}
			if pid, err := reg.Lookup("user-service"); err != nil || pid != a.PID() {
				t.Errorf("Lookup = %v, %v", pid, err)
			}
			_, err := reg.Lookup("missing")
			var re *noex.RegistryError
			if !errors.Is(err, noex.ErrNotRegistered) || !errors.As(err, &re) || re.Name != "missing" {
				t.Errorf("Lookup(missing) = %v; want a *RegistryError naming it", err)
			}
			if _, ok := reg.Whereis("missing"); ok {
				t.Error("Whereis(missing) reported ok")
			}
			if pid, ok := reg.Whereis("order-service"); !ok || pid != b.PID() {
				t.Errorf("Whereis = %v, %v", pid, ok)
			}
			err = reg.Register("cache", b.PID())
			var nt *noex.NameTakenError
			if !errors.As(err, &nt) || nt.Holder != a.PID() {
				t.Errorf("duplicate Register = %v; want holder %v", err, a.PID())
			}
			if err := reg.Register("cache", a.PID()); err != nil {
				t.Errorf("re-registering the holder's own name: %v; want nil", err)
			}
			if err := reg.Register("", a.PID()); !errors.Is(err, noex.ErrInvalidName) {
				t.Errorf("empty name: %v", err)
			}
			if !reg.Unregister("cache") || reg.Unregister("cache") {
				t.Error("Unregister should report true once, then false")
			}
			if !rt.IsAlive(a.PID()) {
				t.Error("Unregister stopped the process")
			}
			typed, err := noex.LookupRef[op, op, int](reg, "user-service")
			must(t, err)
			if v, err := noex.Call(ctx, typed, op{kind: "add", n: 2}); err != nil || v != 2 {
				t.Errorf("typed lookup call = %d, %v", v, err)
			}
			if got := reg.NamesOf(a.PID()); !slices.Equal(got, []string{"user-service"}) {
				t.Errorf("NamesOf = %v", got)
			}
			return nil
		})
	})
}

// Every name of a process is released on stop, crash and kill, before the
// operation returns and before any monitor hears of the end.
func TestAllNamesReleasedBeforeEndIsObservable(t *testing.T) {
	ends := []struct {
		name string
		end  func(ctx context.Context, r ref) error
	}{
		{"stop", func(ctx context.Context, r ref) error { return noex.Stop(ctx, r, nil) }},
		{"crash", func(ctx context.Context, r ref) error {
			_, err := noex.Call(ctx, r, op{kind: "panic"})
			if !errors.Is(err, noex.ErrCrashed) {
				return err
			}
			return nil
		}},
		{"kill", func(ctx context.Context, r ref) error { return noex.Kill(ctx, r, nil) }},
	}
	for _, end := range ends {
		t.Run(end.name, func(t *testing.T) {
			modes(t, func(t *testing.T, rt *noex.Runtime) {
				reg := rt.Registry()
				seenAtDown := make(chan []string, 1)
				run(t, rt, func(ctx context.Context) error {
					target := start(t, ctx, &testSrv{}, noex.WithName("a"))
					must(t, reg.Register("b", target.PID()))
					must(t, reg.Register("c", target.PID()))
					watcher := start(t, ctx, &testSrv{info: func(ctx context.Context, msg any, s srvState) (srvState, error) {
						if _, ok := msg.(noex.Down); ok {
							seenAtDown <- reg.Names()
						}
						return s, nil
					}})
					must(t, monitorFrom(ctx, watcher, target))
					// Same sender, same receiver: the call is handled after the
					// monitor request, so the monitor is in place.
					_, err := noex.Call(ctx, watcher, op{kind: "get"})
					must(t, err)
					if err := end.end(ctx, target); err != nil {
						t.Errorf("ending: %v", err)
					}
					if names := reg.Names(); len(names) != 0 {
						t.Errorf("names right after %s = %v; want none", end.name, names)
					}
					return nil
				})
				if got := <-seenAtDown; len(got) != 0 {
					t.Errorf("names seen by the monitor on Down = %v; want none", got)
				}
			})
		})
	}
}

// monitorFrom makes watcher monitor target (through a Send the watcher handles).
func monitorFrom(ctx context.Context, watcher, target ref) error {
	return noex.Send(ctx, watcher, monitorReq{target.PID()})
}

type monitorReq struct{ target noex.PID }
