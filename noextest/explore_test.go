package noextest_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/noex-go/noex/internal/golden"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// A register that clients update by reading it and writing the value plus
// one: two clients lose an update when both read before either writes.
type register struct{}

type regGet struct{}
type regSet struct{ V int }

func (register) Init(context.Context) (int, error) { return 0, nil }
func (register) HandleCall(_ context.Context, c any, v int) (int, int, error) {
	if s, ok := c.(regSet); ok {
		v = s.V
	}
	return v, v, nil
}
func (register) HandleCast(_ context.Context, _ regInc, v int) (int, error) { return v + 1, nil }

type regInc struct{}

var regName = noex.Name[any, regInc, int]("register")

// client increments the register when it is kicked: by a read and a write,
// or (atomic) by a cast the register applies itself.
type client struct{ atomic bool }

func (c client) Init(context.Context) (int, error) { return 0, nil }
func (c client) HandleCall(_ context.Context, _ noex.None, s int) (int, int, error) {
	return s, s, nil
}
func (c client) HandleCast(ctx context.Context, _ noex.None, s int) (int, error) {
	if c.atomic {
		return s, noex.Cast(ctx, regName, regInc{})
	}
	v, err := noex.Call(ctx, regName, any(regGet{}))
	if err != nil {
		return s, err
	}
	_, err = noex.Call(ctx, regName, any(regSet{V: v + 1}))
	return s, err
}

func registerClients(atomic bool) func(t noextest.TB, rt *noextest.Runtime) {
	return func(t noextest.TB, rt *noextest.Runtime) {
		rt.Run(func(ctx context.Context) error {
			if _, err := noex.Start(ctx, register{}, noex.WithName("register")); err != nil {
				return err
			}
			for _, name := range []string{"alice", "bob"} {
				c, err := noex.Start(ctx, client{atomic: atomic}, noex.WithName(name))
				if err != nil {
					return err
				}
				noex.Cast(ctx, c, noex.None{})
			}
			return nil
		})
		var got int
		rt.Run(func(ctx context.Context) (err error) {
			got, err = noex.Call(ctx, regName, any(regGet{}))
			return err
		})
		if got != 2 {
			t.Errorf("register is %d after two increments, want 2", got)
		}
		rt.Run(func(ctx context.Context) error {
			for _, name := range []string{"alice", "bob", "register"} {
				if err := noex.Stop(ctx, noex.Name[noex.None, noex.None, int](name), nil); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// TestExploreHelper is run by TestExploreReports in a child process; on
// its own it does nothing.
func TestExploreHelper(t *testing.T) {
	switch os.Getenv("NOEX_KIT_EXPLORE_HELPER") {
	case "fixed":
		noextest.Explore(t, registerClients(true))
	case "buggy":
		noextest.Explore(t, registerClients(false))
	case "nil":
		noextest.Explore(t, nil)
	case "no seeds":
		noextest.Seeds(t, 0, func(*testing.T, *noextest.Runtime) {})
	case "nil seeds":
		noextest.Seeds(t, 3, nil)
	}
}

// Mistakes in calling the kit fail the test with a message, never a panic.
func TestKitRefusesMistakes(t *testing.T) {
	for which, want := range map[string]string{
		"nil":       "[noex] Explore: the scenario is nil",
		"no seeds":  "[noex] Seeds(0): the number of seeds must be positive",
		"nil seeds": "[noex] Seeds: the scenario is nil",
	} {
		out, ok := exploreChild(t, which)
		if ok || !strings.Contains(out, want) || strings.Contains(out, "panic") {
			t.Errorf("%s: passed=%v, printed:\n%s\nwant a failure saying %q and no panic", which, ok, out, want)
		}
	}
}

func exploreChild(t *testing.T, which string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestExploreHelper$", "-test.v"}, args...)...)
	cmd.Env = append(os.Environ(), "NOEX_KIT_EXPLORE_HELPER="+which)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func TestExploreReports(t *testing.T) {
	out, ok := exploreChild(t, "fixed")
	if !ok {
		t.Fatalf("the correct scenario failed:\n%s", out)
	}
	wantContains(t, "the output", out, "[noex] explored: 2 schedules, all passed (complete)")

	out, ok = exploreChild(t, "buggy")
	if ok {
		t.Fatalf("the lost update was not found:\n%s", out)
	}
	wantContains(t, "the output", out,
		"[noex] explored: schedule ",
		"register is 1 after two increments, want 2",
		"[noex] replay: go test ./noextest -run '^TestExploreHelper$' -noex.seed=1 -noex.schedule=",
		"[noex] why it fails:",
		"shrunk to 1 departure(s) from the natural order",
		"it fails when register handles bob's call regGet{} before alice's call regSet{V:1} (decision 6); with the other order first it passes",
		"[noex] causal slice of the failure")
	golden.Check(t, "testdata/explain.golden", failureBlock(out), *update)
	m := regexp.MustCompile(`-noex\.schedule=(\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no replay line in:\n%s", out)
	}
	replayed, ok := exploreChild(t, "buggy", "-noex.seed=1", "-noex.schedule="+m[1])
	if ok {
		t.Fatalf("replaying the schedule %s passed:\n%s", m[1], replayed)
	}
	wantContains(t, "the replay", replayed, "register is 1 after two increments, want 2")
}

// TestSeedsExplainHelper is run by TestSeedsExplainTheFailure in a child
// process; on its own it does nothing.
func TestSeedsExplainHelper(t *testing.T) {
	if os.Getenv("NOEX_KIT_SEEDS_EXPLAIN_HELPER") == "" {
		return
	}
	noextest.Seeds(t, 40, func(t *testing.T, rt *noextest.Runtime) {
		registerClients(false)(t, rt)
	}, noextest.WithStrategy("random"))
}

// A failing seed is explained: its schedule shrunk by rerunning the test,
// the deciding order, the causal slice.
func TestSeedsExplainTheFailure(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSeedsExplainHelper$", "-test.v", "-noex.seed=1", "-test.parallel=1")
	cmd.Env = append(os.Environ(), "NOEX_KIT_SEEDS_EXPLAIN_HELPER=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("no seed lost the update:\n%s", out)
	}
	wantContains(t, "the output", string(out),
		"[noex] why it fails:",
		"shrunk to 1 departure(s) from the natural order",
		"go test ./noextest -run '^TestSeedsExplainHelper$/^seed=",
		"it fails when register handles bob's call regGet{} before alice's call regSet{V:1}",
		"[noex] causal slice of the failure")
	if n := strings.Count(string(out), "[noex] why it fails:"); n > 3 {
		t.Errorf("%d failures explained; at most 3 per run", n)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// failureBlock is the failure message of a child's output: from the
// explored line to the end of the test, unindented.
func failureBlock(out string) string {
	lines := strings.Split(out, "\n")
	var block []string
	indent := ""
	for _, l := range lines {
		if strings.Contains(l, "[noex] explored: schedule") {
			i := strings.Index(l, "explore_test.go:")
			indent = strings.Repeat(" ", i+4)
			l = l[i:]
			l = l[strings.Index(l, " ")+1:]
			block = append(block, l)
			continue
		}
		if len(block) == 0 {
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(l), "--- FAIL") {
			break
		}
		block = append(block, strings.TrimPrefix(l, indent))
	}
	return strings.Join(block, "\n") + "\n"
}
