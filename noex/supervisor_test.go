package noex_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/noex"
)

// ---- helpers (prefixed sv: this package's tests share one namespace) ----

// svModes runs f in real mode and in deterministic mode under a few seeds.
func svModes(t *testing.T, f func(t *testing.T, rt *noex.Runtime)) {
	t.Helper()
	modesSeeds(t, []uint64{1, 2, 3}, f)
}

// lifecycle renders the start, stop and crash events of the processes
// labelled with one of labels, and the supervisors' child events about
// them, as "start a", "stop a shutdown", "crash b boom",
// "child-restarted b boom", in log order.
func (l *recorder) lifecycle(labels ...string) []string {
	var out []string
	for _, e := range l.all() {
		switch e.Kind {
		case noex.ProcessStarted:
			if slices.Contains(labels, e.Label) {
				out = append(out, "start "+e.Label)
			}
		case noex.ProcessStopped, noex.ProcessCrashed:
			if slices.Contains(labels, e.Label) {
				verb := map[noex.EventKind]string{noex.ProcessStopped: "stop ", noex.ProcessCrashed: "crash "}[e.Kind]
				out = append(out, verb+e.Label+" "+svReason(e.Reason))
			}
		case noex.ChildRestarted, noex.ChildStopped:
			if slices.Contains(labels, e.Name) {
				out = append(out, e.Kind.String()+" "+e.Name+" "+svReason(e.Reason))
			}
		}
	}
	return out
}

// svReason renders an exit reason: "normal", "shutdown", "killed", or the
// error's text without the "noex: " prefix.
func svReason(r error) string {
	switch r {
	case nil:
		return "normal"
	case noex.ErrShutdown:
		return "shutdown"
	case noex.ErrKilled:
		return "killed"
	}
	return strings.TrimPrefix(r.Error(), "noex: ")
}

// svMsg is the message of svWorker.
type svMsg struct {
	op     string // "get", "exit" (cast: stop itself with reason), "panic"
	reason error
}

// svWorker is a small child server. Its optional fields are fixed before
// it starts; starts counts its Inits when set.
type svWorker struct {
	initFail  func() error  // consulted at each Init
	termSleep time.Duration // Terminate sleeps this long on the runtime's clock
}

func (w *svWorker) Init(ctx context.Context) (int, error) {
	if w.initFail != nil {
		if err := w.initFail(); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

func (w *svWorker) HandleCall(ctx context.Context, m svMsg, n int) (int, int, error) {
	if m.op == "panic" {
		panic(m.reason)
	}
	return n, n, nil
}

func (w *svWorker) HandleCast(ctx context.Context, m svMsg, n int) (int, error) {
	switch m.op {
	case "exit":
		return n, noex.Stop(ctx, noex.Self(ctx), m.reason)
	case "panic":
		panic(m.reason)
	}
	return n + 1, nil
}

func (w *svWorker) Terminate(ctx context.Context, reason error, n int) {
	if w.termSleep > 0 {
		noex.Sleep(ctx, w.termSleep)
	}
}

// svChild is a named worker child whose ID is its registered name.
func svChild(id string) noex.ChildSpec {
	return noex.ServerChild(id, &svWorker{}, noex.WithName(id))
}

// svStartErr is a child spec whose Start fails with err.
func svStartErr(id string, err error) noex.ChildSpec {
	return noex.ServerChild(id, &svWorker{initFail: func() error { return err }}, noex.WithName(id))
}

// svPID looks name up. It reports a missing name with Errorf, not Fatal:
// Run's body may run off the test goroutine.
func svPID(t *testing.T, rt *noex.Runtime, name string) noex.PID {
	t.Helper()
	pid, err := rt.Registry().Lookup(name)
	if err != nil {
		t.Errorf("Lookup(%q): %v", name, err)
	}
	return pid
}

// svChildren returns the children of sup, failing the test on error.
func svChildren(ctx context.Context, t *testing.T, sup noex.SupervisorAddr) []noex.ChildInfo {
	t.Helper()
	cs, err := noex.Children(ctx, sup)
	if err != nil {
		t.Errorf("Children: %v", err)
	}
	return cs
}

// svCheckNamed checks that every child of sup is running, alive, and found
// under its ID in the registry.
func svCheckNamed(ctx context.Context, rt *noex.Runtime, sup noex.SupervisorAddr) error {
	cs, err := noex.Children(ctx, sup)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range cs {
		got, ok := rt.Registry().Whereis(c.ID)
		switch {
		case !c.Running:
			errs = append(errs, fmt.Errorf("child %q is not running", c.ID))
		case !ok || got != c.PID:
			errs = append(errs, fmt.Errorf("child %q: registry has %v (found %v), supervisor has %v", c.ID, got, ok, c.PID))
		case !rt.IsAlive(got):
			errs = append(errs, fmt.Errorf("child %q: %v is dead", c.ID, got))
		}
	}
	return errors.Join(errs...)
}

var errBoom = errors.New("boom")

// ---- strategies ----

func TestSupervisorStrategiesStopAndStartInOrder(t *testing.T) {
	tests := []struct {
		strategy noex.Strategy
		want     []string
		same     []string // children whose process must not change
	}{
		{noex.OneForOne, []string{
			"crash b boom", "start b", "child-restarted b boom",
		}, []string{"a", "c"}},
		{noex.OneForAll, []string{
			"crash b boom",
			"stop c shutdown", "child-stopped c shutdown", "stop a shutdown", "child-stopped a shutdown",
			"start a", "child-restarted a shutdown", "start b", "child-restarted b boom", "start c", "child-restarted c shutdown",
		}, nil},
		{noex.RestForOne, []string{
			"crash b boom",
			"stop c shutdown", "child-stopped c shutdown",
			"start b", "child-restarted b boom", "start c", "child-restarted c shutdown",
		}, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.strategy.String(), func(t *testing.T) {
			svModes(t, func(t *testing.T, rt *noex.Runtime) {
				log := record(rt)
				var sup noex.Supervisor
				var before []noex.ChildInfo
				run(t, rt, func(ctx context.Context) error {
					var err error
					sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{Strategy: tc.strategy,
						Children: []noex.ChildSpec{svChild("a"), svChild("b"), svChild("c")}})
					if err != nil {
						return err
					}
					before = svChildren(ctx, t, sup)
					log.reset()
					return noex.Kill(ctx, before[1].PID, errBoom)
				})
				if diff := cmp.Diff(tc.want, log.lifecycle("a", "b", "c")); diff != "" {
					t.Errorf("stop/start order (-want +got):\n%s", diff)
				}
				run(t, rt, func(ctx context.Context) error {
					after := svChildren(ctx, t, sup)
					for i, c := range after {
						same := slices.Contains(tc.same, c.ID)
						if (c.PID == before[i].PID) != same {
							t.Errorf("child %s: PID %v → %v; want unchanged=%v", c.ID, before[i].PID, c.PID, same)
						}
					}
					return svCheckNamed(ctx, rt, sup)
				})
			})
		})
	}
}

func TestSupervisorStopStopsChildrenInReverseOrder(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		log := record(rt)
		run(t, rt, func(ctx context.Context) error {
			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Children: []noex.ChildSpec{svChild("a"), svChild("b"), svChild("c")}}, noex.WithName("sup"))
			if err != nil {
				return err
			}
			if err := noex.Stop(ctx, sup, nil); err != nil {
				return err
			}
			if reason, err := noex.Wait(ctx, sup); reason != nil || err != nil {
				t.Errorf("Wait = %v, %v; want a normal end", reason, err)
			}
			if names := rt.Registry().Names(); len(names) != 0 {
				t.Errorf("names left after Stop returned: %v", names)
			}
			if ps := rt.Processes(); len(ps) != 0 {
				t.Errorf("processes left after Stop returned: %v", ps)
			}
			return nil
		})
		want := []string{
			"start sup.guard", "start a", "start b", "start c", "start sup",
			"stop c shutdown", "child-stopped c shutdown", "stop b shutdown", "child-stopped b shutdown",
			"stop a shutdown", "child-stopped a shutdown", "stop sup.guard normal", "stop sup normal",
		}
		if diff := cmp.Diff(want, log.lifecycle("a", "b", "c", "sup", "sup.guard")); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// ---- restart intensity ----

func TestSupervisorIntensityExceededStopsEverything(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		log := record(rt)
		var sup noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Children: []noex.ChildSpec{svChild("keep"), svChild("w")}}, noex.WithName("sup"))
			return err
		})
		start := rt.Now()
		for i := 1; i <= 3; i++ {
			run(t, rt, func(ctx context.Context) error {
				return noex.Kill(ctx, svPID(t, rt, "w"), fmt.Errorf("crash %d", i))
			})
			run(t, rt, func(ctx context.Context) error {
				cs := svChildren(ctx, t, sup)
				if len(cs) != 2 || cs[1].Restarts != i {
					t.Errorf("after crash %d: children %v; want w restarted %d times", i, cs, i)
				}
				return svCheckNamed(ctx, rt, sup)
			})
		}
		run(t, rt, func(ctx context.Context) error {
			return noex.Kill(ctx, svPID(t, rt, "w"), errBoom)
		})
		run(t, rt, func(ctx context.Context) error {
			reason, err := noex.Wait(ctx, sup)
			if err != nil {
				return err
			}
			var mre *noex.MaxRestartsError
			if !errors.As(reason, &mre) || !errors.Is(reason, noex.ErrMaxRestarts) {
				return fmt.Errorf("exit reason %v; want a *MaxRestartsError", reason)
			}
			got := *mre
			got.Reason = nil
			want := noex.MaxRestartsError{Supervisor: "sup", MaxRestarts: 3, Within: 5 * time.Second, Child: "w"}
			if diff := cmp.Diff(want, got); diff != "" || mre.Reason != errBoom {
				t.Errorf("MaxRestartsError (-want +got):\n%s\nReason: %v", diff, mre.Reason)
			}
			if errors.Is(reason, errBoom) {
				t.Errorf("the exit reason wraps the child's reason: a parent could mistake it for that child's end")
			}
			return nil
		})
		if rt.Deterministic() && !rt.Now().Equal(start) {
			t.Errorf("virtual time moved by %v; the 4 crashes happened at one instant", rt.Now().Sub(start))
		}
		ex := log.kinds(noex.SupervisorExceeded)
		if len(ex) != 1 || !errors.Is(ex[0].Reason, noex.ErrMaxRestarts) || ex[0].Label != "sup" {
			t.Errorf("SupervisorExceeded events: %v", ex)
		}
		tail := log.lifecycle("keep", "w", "sup", "sup.guard")
		wantTail := []string{"crash w boom", "stop keep shutdown", "child-stopped keep shutdown", "stop sup.guard normal",
			`crash sup supervisor sup exceeded its restart intensity (3 restarts within 5s): child "w" ended: boom`}
		if got := tail[max(0, len(tail)-len(wantTail)):]; !slices.Equal(got, wantTail) {
			t.Errorf("end of the log (-want +got):\n%s", cmp.Diff(wantTail, got))
		}
		if n := rt.Registry().Count(); n != 0 {
			t.Errorf("%d names left: %v", n, rt.Registry().Names())
		}
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("processes left: %v", ps)
		}
	})
}

func TestSupervisorSpacedCrashesGoOnForever(t *testing.T) {
	rt := newRT(t, noex.WithSeed(5))
	var sup noex.Supervisor
	run(t, rt, func(ctx context.Context) error {
		var err error
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{svChild("w")}})
		return err
	})
	start := rt.Now()
	for i := range 20 {
		run(t, rt, func(ctx context.Context) error {
			if err := noex.Sleep(ctx, 2*time.Second); err != nil {
				return err
			}
			return noex.Kill(ctx, svPID(t, rt, "w"), fmt.Errorf("crash %d", i))
		})
	}
	run(t, rt, func(ctx context.Context) error {
		cs := svChildren(ctx, t, sup)
		if len(cs) != 1 || cs[0].Restarts != 20 {
			t.Errorf("children %v; want w restarted 20 times", cs)
		}
		return svCheckNamed(ctx, rt, sup)
	})
	if got := rt.Now().Sub(start); got != 40*time.Second {
		t.Errorf("virtual time advanced %v; want 40s", got)
	}
}

func TestSupervisorIntensityWindow(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		within time.Duration
		gaps   []time.Duration // wait before each crash
		downAt int             // the crash (1-based) that brings the supervisor down; 0: none
	}{
		{"restarts exactly Within apart do not count together", 1, time.Second, []time.Duration{0, time.Second, time.Second}, 0},
		{"a restart less than Within after the last is refused", 1, time.Second, []time.Duration{0, time.Second, 999 * time.Millisecond}, 3},
		{"the window slides", 2, 10 * time.Second, []time.Duration{0, 6 * time.Second, 6 * time.Second, time.Second}, 4},
		{"negative MaxRestarts allows none", -1, 0, []time.Duration{0}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRT(t, noex.WithSeed(1))
			var sup noex.Supervisor
			run(t, rt, func(ctx context.Context) error {
				var err error
				sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{MaxRestarts: tc.max, Within: tc.within,
					Children: []noex.ChildSpec{svChild("w")}})
				return err
			})
			for i, gap := range tc.gaps {
				run(t, rt, func(ctx context.Context) error {
					noex.Sleep(ctx, gap)
					return noex.Kill(ctx, svPID(t, rt, "w"), errBoom)
				})
				alive := rt.IsAlive(sup.PID())
				if wantAlive := tc.downAt == 0 || i+1 < tc.downAt; alive != wantAlive {
					t.Fatalf("after crash %d: supervisor alive=%v, want %v", i+1, alive, wantAlive)
				}
			}
			if tc.downAt > 0 {
				reason, _ := rt.ExitReason(sup.PID())
				var mre *noex.MaxRestartsError
				if !errors.As(reason, &mre) || mre.MaxRestarts != max(tc.max, 0) {
					t.Errorf("exit reason %#v", reason)
				}
			}
		})
	}
}

func TestSupervisorExceedReasonSurvivesARacingStop(t *testing.T) {
	rt := newRT(t, noex.WithSeed(3))
	var sup noex.Supervisor
	run(t, rt, func(ctx context.Context) error {
		var err error
		slow := noex.ServerChild("slow", &svWorker{termSleep: time.Second}, noex.WithName("slow"))
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{MaxRestarts: -1,
			Children: []noex.ChildSpec{slow, svChild("w")}})
		return err
	})
	run(t, rt, func(ctx context.Context) error {
		// The crash exceeds the intensity at once; stopping "slow" then takes 1s,
		// during which Stop is requested.
		noex.Kill(ctx, svPID(t, rt, "w"), errBoom)
		noex.Sleep(ctx, 500*time.Millisecond)
		if !rt.IsAlive(sup.PID()) {
			return errors.New("the supervisor ended before the slow child stopped")
		}
		// Stop reports the reason the supervisor really ended with.
		if err := noex.Stop(ctx, sup, nil); !errors.Is(err, noex.ErrMaxRestarts) {
			t.Errorf("Stop = %v; want an error wrapping the *MaxRestartsError", err)
		}
		reason, err := noex.Wait(ctx, sup)
		if err != nil || !errors.Is(reason, noex.ErrMaxRestarts) {
			t.Errorf("Wait = %v, %v; want the *MaxRestartsError", reason, err)
		}
		return nil
	})
}

// ---- names, restart types ----

func TestSupervisorNamedChildReregistersAfterEveryRestart(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		var sup noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{MaxRestarts: 100,
				Children: []noex.ChildSpec{svChild("db")}}, noex.WithName("sup"))
			return err
		})
		seen := map[noex.PID]bool{}
		for i := range 10 {
			var old noex.PID
			run(t, rt, func(ctx context.Context) error {
				old = svPID(t, rt, "db")
				seen[old] = true
				if i%2 == 0 {
					return noex.Cast(ctx, noex.Name[svMsg, svMsg, int]("db"), svMsg{op: "panic", reason: errBoom})
				}
				return noex.Kill(ctx, old, errBoom)
			})
			run(t, rt, func(ctx context.Context) error {
				pid := svPID(t, rt, "db")
				if seen[pid] || !rt.IsAlive(pid) {
					t.Errorf("after restart %d the name resolves to %v (seen before: %v, alive: %v)", i, pid, seen[pid], rt.IsAlive(pid))
				}
				if rt.IsAlive(old) {
					t.Errorf("the old process %v still runs", old)
				}
				if got, err := noex.ChildPID(ctx, sup, "db"); got != pid || err != nil {
					t.Errorf("ChildPID = %v, %v; the registry has %v", got, err, pid)
				}
				v, err := noex.Call(ctx, noex.Name[svMsg, svMsg, int]("db"), svMsg{op: "get"})
				if err != nil || v != 0 {
					t.Errorf("call through the name: %v, %v", v, err)
				}
				return svCheckNamed(ctx, rt, noex.SupervisorName("sup"))
			})
		}
	})
}

func TestSupervisorRestartTypes(t *testing.T) {
	ends := []struct {
		name string
		end  func(ctx context.Context, pid noex.PID) error
	}{
		{"normal", func(ctx context.Context, pid noex.PID) error { return noex.Stop(ctx, pid, nil) }},
		{"shutdown", func(ctx context.Context, pid noex.PID) error { return noex.Stop(ctx, pid, noex.ErrShutdown) }},
		{"wrapped-shutdown", func(ctx context.Context, pid noex.PID) error {
			return noex.Cast(ctx, noex.RefOf[svMsg, svMsg, int](pid), svMsg{op: "exit", reason: fmt.Errorf("bye: %w", noex.ErrShutdown)})
		}},
		{"crash", func(ctx context.Context, pid noex.PID) error {
			return noex.Cast(ctx, noex.RefOf[svMsg, svMsg, int](pid), svMsg{op: "panic", reason: errBoom})
		}},
		{"kill", func(ctx context.Context, pid noex.PID) error { return noex.Kill(ctx, pid, errBoom) }},
	}
	restarted := map[noex.Restart]map[string]bool{
		noex.Permanent: {"normal": true, "shutdown": true, "wrapped-shutdown": true, "crash": true, "kill": true},
		noex.Transient: {"crash": true, "kill": true},
		noex.Temporary: {},
	}
	for _, typ := range []noex.Restart{noex.Permanent, noex.Transient, noex.Temporary} {
		for _, end := range ends {
			t.Run(typ.String()+"/"+end.name, func(t *testing.T) {
				rt := newRT(t, noex.WithSeed(2))
				log := record(rt)
				var sup noex.Supervisor
				run(t, rt, func(ctx context.Context) error {
					c := svChild("w")
					c.Restart = typ
					var err error
					sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{c}})
					if err != nil {
						return err
					}
					return end.end(ctx, svPID(t, rt, "w"))
				})
				want := restarted[typ][end.name]
				run(t, rt, func(ctx context.Context) error {
					cs := svChildren(ctx, t, sup)
					switch {
					case want:
						if len(cs) != 1 || !cs[0].Running || cs[0].Restarts != 1 {
							t.Errorf("children %v; want w restarted once", cs)
						}
						return svCheckNamed(ctx, rt, sup)
					case typ == noex.Temporary:
						if len(cs) != 0 {
							t.Errorf("children %v; want the temporary child removed", cs)
						}
					default:
						if len(cs) != 1 || cs[0].Running || !cs[0].PID.IsZero() || cs[0].Restarts != 0 {
							t.Errorf("children %v; want w kept, not running", cs)
						}
						if _, err := noex.ChildPID(ctx, sup, "w"); !errors.Is(err, noex.ErrNotRunning) {
							t.Errorf("ChildPID of a stopped child: %v; want ErrNotRunning", err)
						}
					}
					return nil
				})
				if got := len(log.kinds(noex.ChildRestarted)); (got == 1) != want || got > 1 {
					t.Errorf("%d ChildRestarted events; want restart=%v", got, want)
				}
				if stopped := log.kinds(noex.ChildStopped); !want && len(stopped) != 1 {
					t.Errorf("ChildStopped events %v; want one for the end that was not restarted", stopped)
				}
			})
		}
	}
}

func TestSupervisorJudgesAnEarlyEndByItsRealReason(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		// The child ends normally before the supervisor can monitor it: the
		// Down says "not running", but a transient child must not be
		// restarted for a normal end.
		early := noex.ChildSpec{ID: "early", Restart: noex.Transient, Start: func(ctx context.Context) (noex.PID, error) {
			r, err := noex.Start(ctx, &svWorker{})
			if err != nil {
				return noex.PID{}, err
			}
			return r.PID(), noex.Stop(ctx, r, nil)
		}}
		var sup noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{MaxRestarts: -1, Children: []noex.ChildSpec{early}})
			return err
		})
		run(t, rt, func(ctx context.Context) error {
			cs := svChildren(ctx, t, sup)
			if len(cs) != 1 || cs[0].Running || cs[0].Restarts != 0 {
				t.Errorf("children %v; want the child kept, not restarted", cs)
			}
			return nil
		})
	})
}

func TestSupervisorTemporarySiblingIsNotRestartedByGroup(t *testing.T) {
	rt := newRT(t, noex.WithSeed(4))
	var sup noex.Supervisor
	run(t, rt, func(ctx context.Context) error {
		tmp := svChild("tmp")
		tmp.Restart = noex.Temporary
		var err error
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{Strategy: noex.OneForAll,
			Children: []noex.ChildSpec{svChild("a"), tmp, svChild("b")}})
		if err != nil {
			return err
		}
		return noex.Kill(ctx, svPID(t, rt, "b"), errBoom)
	})
	run(t, rt, func(ctx context.Context) error {
		var ids []string
		for _, c := range svChildren(ctx, t, sup) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []string{"a", "b"}) {
			t.Errorf("children %v; want the temporary sibling stopped and removed", ids)
		}
		if rt.Registry().IsRegistered("tmp") {
			t.Errorf("the temporary sibling runs again")
		}
		return svCheckNamed(ctx, rt, sup)
	})
}

// ---- start failures ----

func TestSupervisorStartFailureStopsEarlierChildrenInReverse(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		log := record(rt)
		dStarted := false
		d := svChild("d")
		start := d.Start
		d.Start = func(ctx context.Context) (noex.PID, error) { dStarted = true; return start(ctx) }
		run(t, rt, func(ctx context.Context) error {
			_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Children: []noex.ChildSpec{svChild("a"), svChild("b"), svStartErr("c", errBoom), d}}, noex.WithName("sup"))
			for _, want := range []error{noex.ErrInit, noex.ErrChildStart, errBoom} {
				if !errors.Is(err, want) {
					t.Errorf("StartSupervisor: %v; want an error wrapping %v", err, want)
				}
			}
			var ce *noex.ChildError
			if !errors.As(err, &ce) || ce.Child != "c" || ce.Supervisor != "sup" {
				t.Errorf("StartSupervisor: %#v; want a *ChildError for c", err)
			} else if msg := ce.Error(); !strings.Contains(msg, `"c"`) || !strings.Contains(msg, "boom") || !strings.Contains(msg, "sup") {
				t.Errorf("message %q does not name the supervisor, the child and the cause", msg)
			}
			var ie *noex.InitError
			if !errors.As(err, &ie) {
				t.Errorf("StartSupervisor: %#v; want an *InitError", err)
			}
			return nil
		})
		if dStarted {
			t.Error("the child after the failing one was started")
		}
		want := []string{"start sup.guard", "start a", "start b", "stop b shutdown", "child-stopped b shutdown",
			"stop a shutdown", "child-stopped a shutdown", "stop sup.guard normal"}
		if diff := cmp.Diff(want, log.lifecycle("a", "b", "c", "d", "sup", "sup.guard")); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if names := rt.Registry().Names(); len(names) != 0 {
			t.Errorf("names left: %v", names)
		}
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("processes left: %v", ps)
		}
	})
}

func TestSupervisorInitTimeoutLeavesNothingBehind(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1))
	slowW := &svWorker{}
	slow := noex.ServerChild("slow", slowW, noex.WithName("slow"))
	start := slow.Start
	slow.Start = func(ctx context.Context) (noex.PID, error) {
		noex.Sleep(ctx, 2*time.Second) // longer than the supervisor may take
		return start(ctx)
	}
	run(t, rt, func(ctx context.Context) error {
		_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{svChild("a"), slow}},
			noex.WithName("sup"), noex.WithInitTimeout(time.Second))
		if !errors.Is(err, noex.ErrInitTimeout) {
			t.Errorf("StartSupervisor: %v; want ErrInitTimeout", err)
		}
		return noex.Sleep(ctx, 5*time.Second) // let the abandoned Init run to its end
	})
	if ps := rt.Processes(); len(ps) != 0 {
		t.Errorf("processes left: %v", ps)
	}
	if names := rt.Registry().Names(); len(names) != 0 {
		t.Errorf("names left: %v", names)
	}
}

func TestSupervisorChildStartFaults(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1))
	var foreign noex.PID
	other := noex.NewRuntime()
	run(t, other, func(ctx context.Context) error {
		r, err := noex.Start(ctx, &svWorker{})
		foreign = r.PID()
		return err
	})
	if err := other.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		start func(ctx context.Context) (noex.PID, error)
		want  error
	}{
		{"panic", func(ctx context.Context) (noex.PID, error) { panic("no luck") }, noex.ErrCrashed},
		{"no process", func(ctx context.Context) (noex.PID, error) { return noex.PID{}, nil }, noex.ErrChildStart},
		{"error", func(ctx context.Context) (noex.PID, error) { return noex.PID{}, errBoom }, errBoom},
		{"foreign process", func(ctx context.Context) (noex.PID, error) { return foreign, nil }, noex.ErrForeignRef},
	}
	for _, tc := range tests {
		run(t, rt, func(ctx context.Context) error {
			_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{{ID: "x", Start: tc.start}}})
			if !errors.Is(err, noex.ErrChildStart) || !errors.Is(err, tc.want) {
				t.Errorf("%s: StartSupervisor: %v; want ErrChildStart and %v", tc.name, err, tc.want)
			}
			return nil
		})
	}
	if ps := rt.Processes(); len(ps) != 0 {
		t.Errorf("processes left: %v", ps)
	}
}

func TestSupervisorFailedRestartIsRetriedWithinIntensity(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		rt := newRT(t, noex.WithSeed(1))
		fails := 0
		w := &svWorker{initFail: func() error {
			if fails > 0 {
				fails--
				return errBoom
			}
			return nil
		}}
		var sup noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Children: []noex.ChildSpec{noex.ServerChild("w", w, noex.WithName("w"))}})
			if err != nil {
				return err
			}
			fails = 2
			return noex.Kill(ctx, svPID(t, rt, "w"), errBoom)
		})
		run(t, rt, func(ctx context.Context) error {
			if cs := svChildren(ctx, t, sup); len(cs) != 1 || !cs[0].Running || cs[0].Restarts != 1 {
				t.Errorf("children %v; want w running after two failed restarts", cs)
			}
			return svCheckNamed(ctx, rt, sup)
		})
	})
	t.Run("gives up", func(t *testing.T) {
		rt := newRT(t, noex.WithSeed(1))
		inits := 0
		w := &svWorker{initFail: func() error {
			if inits++; inits > 1 {
				return errBoom
			}
			return nil
		}}
		var sup noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{
				Children: []noex.ChildSpec{noex.ServerChild("w", w, noex.WithName("w"))}})
			if err != nil {
				return err
			}
			return noex.Kill(ctx, svPID(t, rt, "w"), errors.New("first"))
		})
		reason, _ := rt.ExitReason(sup.PID())
		var mre *noex.MaxRestartsError
		if !errors.As(reason, &mre) || !errors.Is(mre.Reason, noex.ErrChildStart) || !errors.Is(mre.Reason, errBoom) {
			t.Errorf("exit reason %v; want a *MaxRestartsError caused by the failed start", reason)
		}
		if inits != 1+3 {
			t.Errorf("%d Inits; want the first start and 3 restart attempts", inits)
		}
	})
}

// ---- invalid input ----

func TestSupervisorInvalidSpecs(t *testing.T) {
	ok := svChild("a")
	tests := []struct {
		name string
		spec noex.SupervisorSpec
		want error
	}{
		{"bad strategy", noex.SupervisorSpec{Strategy: 9}, noex.ErrBadOption},
		{"negative within", noex.SupervisorSpec{Within: -time.Second}, noex.ErrBadOption},
		{"empty id", noex.SupervisorSpec{Children: []noex.ChildSpec{ok, {Start: ok.Start}}}, noex.ErrBadOption},
		{"nil start", noex.SupervisorSpec{Children: []noex.ChildSpec{{ID: "x"}}}, noex.ErrBadOption},
		{"bad restart", noex.SupervisorSpec{Children: []noex.ChildSpec{{ID: "x", Start: ok.Start, Restart: 7}}}, noex.ErrBadOption},
		{"negative shutdown", noex.SupervisorSpec{Children: []noex.ChildSpec{{ID: "x", Start: ok.Start, Shutdown: -1}}}, noex.ErrBadOption},
		{"duplicate id", noex.SupervisorSpec{Children: []noex.ChildSpec{ok, svChild("b"), ok}}, noex.ErrDuplicateChild},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRT(t, noex.WithSeed(1))
			run(t, rt, func(ctx context.Context) error {
				_, err := noex.StartSupervisor(ctx, tc.spec)
				var ie *noex.InitError
				if !errors.Is(err, tc.want) || !errors.As(err, &ie) {
					t.Errorf("StartSupervisor: %v; want an *InitError wrapping %v", err, tc.want)
				}
				sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{})
				if err != nil {
					return err
				}
				for _, c := range tc.spec.Children {
					if c.ID == "a" || c.ID == "b" {
						continue
					}
					if _, err := noex.StartChild(ctx, sup, c); !errors.Is(err, tc.want) {
						t.Errorf("StartChild(%+v): %v; want %v", c.ID, err, tc.want)
					}
				}
				return noex.Stop(ctx, sup, nil)
			})
			if ps := rt.Processes(); len(ps) != 0 {
				t.Errorf("processes left: %v", ps)
			}
		})
	}
	t.Run("nil address", func(t *testing.T) {
		rt := newRT(t, noex.WithSeed(1))
		run(t, rt, func(ctx context.Context) error {
			if _, err := noex.Children(ctx, nil); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Children(nil): %v", err)
			}
			if _, err := noex.Children(ctx, noex.SupervisorName("nobody")); !errors.Is(err, noex.ErrNotRegistered) {
				t.Errorf("Children(unknown name): %v", err)
			}
			return nil
		})
	})
	t.Run("outside a runtime", func(t *testing.T) {
		if _, err := noex.StartSupervisor(context.Background(), noex.SupervisorSpec{}); !errors.Is(err, noex.ErrNoRuntime) {
			t.Errorf("StartSupervisor: %v; want ErrNoRuntime", err)
		}
		if err := noex.TerminateChild(context.Background(), noex.SupervisorName("x"), "a"); !errors.Is(err, noex.ErrNoRuntime) {
			t.Errorf("TerminateChild: %v; want ErrNoRuntime", err)
		}
	})
}

// ---- dynamic children ----

func TestSupervisorDynamicChildren(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		log := record(rt)
		run(t, rt, func(ctx context.Context) error {
			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{svChild("a")}}, noex.WithName("sup"))
			if err != nil {
				return err
			}
			ids := func() []string {
				var out []string
				for _, c := range svChildren(ctx, t, sup) {
					out = append(out, c.ID)
				}
				return out
			}
			for _, id := range []string{"b", "c"} {
				pid, err := noex.StartChild(ctx, sup, svChild(id))
				if err != nil || pid != svPID(t, rt, id) {
					t.Errorf("StartChild(%s) = %v, %v", id, pid, err)
				}
			}
			called := false
			dup := svChild("b")
			dup.Start = func(ctx context.Context) (noex.PID, error) { called = true; return noex.PID{}, nil }
			if _, err := noex.StartChild(ctx, sup, dup); !errors.Is(err, noex.ErrDuplicateChild) || called {
				t.Errorf("duplicate StartChild: %v (Start called: %v)", err, called)
			}
			if _, err := noex.StartChild(ctx, sup, svStartErr("bad", errBoom)); !errors.Is(err, noex.ErrChildStart) || !errors.Is(err, errBoom) {
				t.Errorf("failing StartChild: %v", err)
			}
			if got := ids(); !slices.Equal(got, []string{"a", "b", "c"}) {
				t.Errorf("children %v; want a b c", got)
			}

			// Terminate keeps the spec; the child is not restarted.
			oldB := svPID(t, rt, "b")
			if err := noex.TerminateChild(ctx, sup, "b"); err != nil {
				t.Errorf("TerminateChild: %v", err)
			}
			if rt.IsAlive(oldB) || rt.Registry().IsRegistered("b") {
				t.Errorf("b still runs after TerminateChild")
			}
			if r, _ := rt.ExitReason(oldB); r != noex.ErrShutdown {
				t.Errorf("b ended with %v; want ErrShutdown", r)
			}
			if err := noex.TerminateChild(ctx, sup, "b"); err != nil {
				t.Errorf("TerminateChild of a terminated child: %v", err)
			}
			if _, err := noex.ChildPID(ctx, sup, "b"); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("ChildPID(b) = %v; want ErrNotRunning", err)
			}

			// RestartChild starts a terminated child, or restarts a running one.
			newB, err := noex.RestartChild(ctx, sup, "b")
			if err != nil || newB == oldB || newB != svPID(t, rt, "b") {
				t.Errorf("RestartChild(b) = %v, %v", newB, err)
			}
			oldA := svPID(t, rt, "a")
			newA, err := noex.RestartChild(ctx, sup, "a")
			if err != nil || newA == oldA || rt.IsAlive(oldA) {
				t.Errorf("RestartChild(a) = %v, %v (old alive: %v)", newA, err, rt.IsAlive(oldA))
			}
			if pid, err := noex.ChildPID(ctx, sup, "a"); pid != newA || err != nil {
				t.Errorf("ChildPID(a) = %v, %v; want %v", pid, err, newA)
			}

			// Delete removes; new children go last.
			if err := noex.DeleteChild(ctx, sup, "a"); err != nil {
				t.Errorf("DeleteChild: %v", err)
			}
			if rt.IsAlive(newA) {
				t.Errorf("a still runs after DeleteChild")
			}
			noex.StartChild(ctx, sup, svChild("d"))
			if got := ids(); !slices.Equal(got, []string{"b", "c", "d"}) {
				t.Errorf("children %v; want b c d", got)
			}
			cs := svChildren(ctx, t, sup)
			if cs[0].Restarts != 1 || cs[1].Restarts != 0 {
				t.Errorf("restart counts %v", cs)
			}

			for name, err := range map[string]error{
				"TerminateChild": noex.TerminateChild(ctx, sup, "zz"),
				"DeleteChild":    noex.DeleteChild(ctx, sup, "zz"),
				"RestartChild":   second(noex.RestartChild(ctx, sup, "zz")),
				"ChildPID":       second(noex.ChildPID(ctx, sup, "zz")),
			} {
				var ce *noex.ChildError
				if !errors.Is(err, noex.ErrChildNotFound) || !errors.As(err, &ce) || ce.Child != "zz" {
					t.Errorf("%s(unknown): %v; want a *ChildError wrapping ErrChildNotFound", name, err)
				}
			}

			tmp := svChild("tmp")
			tmp.Restart = noex.Temporary
			noex.StartChild(ctx, sup, tmp)
			noex.TerminateChild(ctx, sup, "tmp")
			if got := ids(); slices.Contains(got, "tmp") {
				t.Errorf("children %v: a terminated temporary child must be removed", got)
			}
			return svCheckNamed(ctx, rt, sup)
		})
		if n := len(log.kinds(noex.ChildStarted)); n != 5 { // a, b, c, d, tmp
			t.Errorf("%d ChildStarted events; want 5", n)
		}
		if n := len(log.kinds(noex.ChildRestarted)); n != 2 { // b, a
			t.Errorf("%d ChildRestarted events; want 2", n)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestSupervisorShutdownBoundThenKill(t *testing.T) {
	tests := []struct {
		shutdown, want time.Duration
	}{{2 * time.Second, 2 * time.Second}, {0, 5 * time.Second}}
	for _, tc := range tests {
		t.Run(tc.want.String(), func(t *testing.T) {
			rt := newRT(t, noex.WithSeed(1))
			run(t, rt, func(ctx context.Context) error {
				stuck := noex.ServerChild("stuck", &svWorker{termSleep: time.Hour}, noex.WithName("stuck"))
				stuck.Shutdown = tc.shutdown
				sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{stuck}})
				if err != nil {
					return err
				}
				pid := svPID(t, rt, "stuck")
				start := noex.Now(ctx)
				if err := noex.TerminateChild(ctx, sup, "stuck"); err != nil {
					return err
				}
				if took := noex.Now(ctx).Sub(start); took != tc.want {
					t.Errorf("TerminateChild took %v; want the %v bound", took, tc.want)
				}
				reason, _ := rt.ExitReason(pid)
				if !errors.Is(reason, noex.ErrKilled) || !strings.Contains(reason.Error(), "did not stop within") {
					t.Errorf("exit reason %v; want a kill after the bound", reason)
				}
				return nil
			})
		})
	}
}

// ---- nesting, kills, shutdown ----

// svTree is a root supervisor "root" with children a, "inner" (a
// supervisor with children d and e) and c, all one_for_one.
func svTree(ctx context.Context, innerMax, rootMax int) (noex.Supervisor, error) {
	inner := noex.SupervisorSpec{MaxRestarts: innerMax, Within: time.Minute,
		Children: []noex.ChildSpec{svChild("d"), svChild("e")}}
	innerChild := noex.ChildSpec{ID: "inner", Start: func(ctx context.Context) (noex.PID, error) {
		s, err := noex.StartSupervisor(ctx, inner, noex.WithName("inner"))
		return s.PID(), err
	}}
	return noex.StartSupervisor(ctx, noex.SupervisorSpec{MaxRestarts: rootMax, Within: time.Minute,
		Children: []noex.ChildSpec{svChild("a"), innerChild, svChild("c")}}, noex.WithName("root"))
}

func TestSupervisorNestedChildExceedingIsRestartedByParent(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		log := record(rt)
		var root noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			root, err = svTree(ctx, 1, 3)
			return err
		})
		oldInner := svPID(t, rt, "inner")
		for range 2 {
			run(t, rt, func(ctx context.Context) error { return noex.Kill(ctx, svPID(t, rt, "d"), errBoom) })
		}
		run(t, rt, func(ctx context.Context) error {
			reason, err := noex.Wait(ctx, oldInner)
			if err != nil || !errors.Is(reason, noex.ErrMaxRestarts) {
				t.Errorf("inner ended with %v, %v; want ErrMaxRestarts", reason, err)
			}
			cs := svChildren(ctx, t, root)
			if len(cs) != 3 || cs[1].ID != "inner" || cs[1].Restarts != 1 || cs[0].Restarts != 0 || cs[2].Restarts != 0 {
				t.Errorf("root's children %v; want inner restarted once, a and c untouched", cs)
			}
			if err := svCheckNamed(ctx, rt, root); err != nil {
				return err
			}
			return svCheckNamed(ctx, rt, noex.SupervisorName("inner"))
		})
		var restarted []noex.Event
		for _, e := range log.kinds(noex.ChildRestarted) {
			if e.Name == "inner" {
				restarted = append(restarted, e)
			}
		}
		if len(restarted) != 1 || !errors.Is(restarted[0].Reason, noex.ErrMaxRestarts) || restarted[0].Label != "root" {
			t.Errorf("root's ChildRestarted events for inner: %v", restarted)
		}
	})
}

func TestSupervisorKilledTakesItsChildrenDown(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		log := record(rt)
		var root noex.Supervisor
		run(t, rt, func(ctx context.Context) error {
			var err error
			root, err = svTree(ctx, 3, 3)
			return err
		})
		procs := len(rt.Processes())
		oldD, oldE := svPID(t, rt, "d"), svPID(t, rt, "e")
		killReason := errors.New("pulled the plug")
		run(t, rt, func(ctx context.Context) error { return noex.Kill(ctx, svPID(t, rt, "inner"), killReason) })
		run(t, rt, func(ctx context.Context) error {
			for _, pid := range []noex.PID{oldD, oldE} {
				if reason, ok := rt.ExitReason(pid); !ok || !errors.Is(reason, killReason) {
					t.Errorf("%v: ended=%v with %v; want killed with the supervisor's reason", pid, ok, reason)
				}
			}
			if err := svCheckNamed(ctx, rt, root); err != nil {
				return err
			}
			return svCheckNamed(ctx, rt, noex.SupervisorName("inner"))
		})
		if got := len(rt.Processes()); got != procs {
			t.Errorf("%d processes after the restart, %d before: %v", got, procs, rt.Processes())
		}
		if n := len(log.kinds(noex.InitFailed)); n != 0 {
			t.Errorf("%d start failures: a restarted child met a survivor of the killed supervisor", n)
		}
		var stopped []string
		for _, e := range log.kinds(noex.ChildStopped) {
			stopped = append(stopped, e.Label+":"+e.Name+":"+svReason(e.Reason))
		}
		if want := []string{"inner:e:pulled the plug", "inner:d:pulled the plug"}; !slices.Equal(stopped, want) {
			t.Errorf("ChildStopped events %v; want %v", stopped, want)
		}

		// Killing the root leaves nothing behind once its guard (which kills
		// the children) has ended.
		var guard noex.PID
		for _, p := range rt.Processes() {
			if p.Label == "root.guard" {
				guard = p.PID
			}
		}
		run(t, rt, func(ctx context.Context) error {
			if err := noex.Kill(ctx, root, nil); err != nil {
				return err
			}
			_, err := noex.Wait(ctx, guard)
			return err
		})
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("processes left after killing the root: %v", ps)
		}
		if names := rt.Registry().Names(); len(names) != 0 {
			t.Errorf("names left after killing the root: %v", names)
		}
	})
}

func TestSupervisorStopStopsANestedTreeDepthFirst(t *testing.T) {
	rt := newRT(t, noex.WithSeed(9))
	log := record(rt)
	run(t, rt, func(ctx context.Context) error {
		root, err := svTree(ctx, 3, 3)
		if err != nil {
			return err
		}
		log.reset()
		return noex.Stop(ctx, root, noex.ErrShutdown)
	})
	want := []string{
		"stop c shutdown", "child-stopped c shutdown",
		"stop e shutdown", "child-stopped e shutdown", "stop d shutdown", "child-stopped d shutdown",
		"stop inner.guard normal", "stop inner shutdown", "child-stopped inner shutdown",
		"stop a shutdown", "child-stopped a shutdown",
		"stop root.guard normal", "stop root shutdown",
	}
	got := log.lifecycle("a", "c", "d", "e", "inner", "inner.guard", "root", "root.guard")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ps := rt.Processes(); len(ps) != 0 {
		t.Errorf("processes left: %v", ps)
	}
}

func TestSupervisorReplacesAKilledGuard(t *testing.T) {
	rt := newRT(t, noex.WithSeed(1))
	guard := func() noex.PID {
		for _, p := range rt.Processes() {
			if p.Label == "sup.guard" {
				return p.PID
			}
		}
		return noex.PID{}
	}
	var sup noex.Supervisor
	run(t, rt, func(ctx context.Context) error {
		var err error
		sup, err = noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{svChild("a")}}, noex.WithName("sup"))
		return err
	})
	old := guard()
	run(t, rt, func(ctx context.Context) error { return noex.Kill(ctx, old, errBoom) })
	if g := guard(); g.IsZero() || g == old {
		t.Fatalf("guard after the kill: %v (old %v)", g, old)
	}
	run(t, rt, func(ctx context.Context) error { return noex.Kill(ctx, sup, errBoom) })
	if ps := rt.Processes(); len(ps) != 0 {
		t.Errorf("processes left: %v", ps)
	}
}

func TestSupervisorRestartsNothingDuringRuntimeShutdown(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			_, err := svTree(ctx, 3, 3)
			return err
		})
		log := record(rt) // from now on nothing may start
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(log.kinds(noex.ChildRestarted)) + len(log.kinds(noex.ChildStarted)); n != 0 {
			t.Errorf("%d children started during Shutdown:\n%s", n, log.text())
		}
		if ps := rt.Processes(); len(ps) != 0 {
			t.Errorf("processes left: %v", ps)
		}
	})
}

func TestSupervisorFoundByName(t *testing.T) {
	svModes(t, func(t *testing.T, rt *noex.Runtime) {
		run(t, rt, func(ctx context.Context) error {
			sup, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{svChild("a")}}, noex.WithName("top"))
			if err != nil {
				return err
			}
			if pid, ok := rt.Registry().Whereis("top"); !ok || pid != sup.PID() {
				t.Errorf("Whereis(top) = %v, %v; want %v", pid, ok, sup.PID())
			}
			byName := noex.SupervisorName("top")
			if pid, err := noex.ChildPID(ctx, byName, "a"); err != nil || pid != svPID(t, rt, "a") {
				t.Errorf("ChildPID through the name = %v, %v", pid, err)
			}
			if _, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{}, noex.WithName("top")); !errors.Is(err, noex.ErrNameTaken) {
				t.Errorf("a second supervisor under the same name: %v", err)
			}
			if err := noex.Stop(ctx, byName, nil); err != nil {
				return err
			}
			if _, err := noex.Children(ctx, byName); !errors.Is(err, noex.ErrNotRegistered) {
				t.Errorf("Children of a stopped supervisor: %v", err)
			}
			if _, err := noex.Children(ctx, sup); !errors.Is(err, noex.ErrNotRunning) {
				t.Errorf("Children of a stopped supervisor: %v", err)
			}
			return nil
		})
	})
}

func TestSupervisorStrategyAndRestartStrings(t *testing.T) {
	got := []string{noex.OneForOne.String(), noex.OneForAll.String(), noex.RestForOne.String(), noex.Strategy(7).String(),
		noex.Permanent.String(), noex.Transient.String(), noex.Temporary.String(), noex.Restart(9).String()}
	want := []string{"one_for_one", "one_for_all", "rest_for_one", "Strategy(7)", "permanent", "transient", "temporary", "Restart(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// ---- storm and determinism ----

// svStorm kills n random children across the tree, one at a time, and
// checks after each that the registry and the supervisors agree.
func svStorm(t *testing.T, rt *noex.Runtime, n int, seed uint64) {
	t.Helper()
	run(t, rt, func(ctx context.Context) error {
		_, err := svTree(ctx, 1_000_000, 1_000_000)
		return err
	})
	procs, names := len(rt.Processes()), rt.Registry().Names()
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range n + 1 {
		run(t, rt, func(ctx context.Context) error {
			var victims []noex.PID
			for _, sup := range []noex.SupervisorName{"root", "inner"} {
				if err := svCheckNamed(ctx, rt, sup); err != nil {
					return fmt.Errorf("after %d crashes: %w", i, err)
				}
				for _, c := range svChildren(ctx, t, sup) {
					victims = append(victims, c.PID)
				}
			}
			if got := len(rt.Processes()); got != procs {
				return fmt.Errorf("after %d crashes: %d processes, want %d: %v", i, got, procs, rt.Processes())
			}
			if got := rt.Registry().Names(); !slices.Equal(got, names) {
				return fmt.Errorf("after %d crashes: names %v, want %v", i, got, names)
			}
			if i == n {
				return nil
			}
			return noex.Kill(ctx, victims[rng.IntN(len(victims))], fmt.Errorf("storm %d", i))
		})
	}
}

func TestSupervisorCrashStorm(t *testing.T) {
	rt := newRT(t, noex.WithSeed(2026))
	log := record(rt)
	svStorm(t, rt, 1000, 7)
	if n := len(log.kinds(noex.ChildRestarted)); n < 1000 {
		t.Errorf("%d restarts for 1000 crashes", n)
	}
	if n := len(log.kinds(noex.InitFailed)); n != 0 {
		t.Errorf("%d failed starts during the storm", n)
	}
}

func TestSupervisorCrashStormRealMode(t *testing.T) {
	svStorm(t, newRT(t), 200, 8)
}

func TestSupervisorSameSeedSameLog(t *testing.T) {
	logOf := func(seed uint64, procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rt := newRT(t, noex.WithSeed(seed))
		log := record(rt)
		svStorm(t, rt, 40, seed)
		run(t, rt, func(ctx context.Context) error {
			return noex.Kill(ctx, svPID(t, rt, "inner"), errBoom)
		})
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		return log.text()
	}
	for _, seed := range []uint64{1, 2, 3} {
		a, b := logOf(seed, 1), logOf(seed, 4)
		if a != b {
			t.Errorf("seed %d: two runs differ (-first +second):\n%s", seed, cmp.Diff(a, b))
		}
		if !strings.Contains(a, "child-restarted") || !strings.Contains(a, `"inner"`) {
			t.Errorf("seed %d: the log misses the supervision events:\n%s", seed, a)
		}
	}
}
