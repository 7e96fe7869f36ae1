package noextest_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

func TestSeedsRunsEachSeedOnItsOwnRuntime(t *testing.T) {
	var mu sync.Mutex // seeds run in parallel
	seen := map[uint64]bool{}
	noextest.Seeds(t, 20, func(t *testing.T, rt *noextest.Runtime) {
		mu.Lock()
		if seen[rt.Seed()] {
			t.Errorf("seed %d ran twice", rt.Seed())
		}
		seen[rt.Seed()] = true
		mu.Unlock()
		if want := "seed=" + strconv.FormatUint(rt.Seed(), 10); t.Name() != "TestSeedsRunsEachSeedOnItsOwnRuntime/"+want {
			t.Errorf("subtest %q does not name its seed", t.Name())
		}
		rt.Run(scenario)
		rt.ExpectFIFO()
	})
	if len(seen) != 20 {
		t.Errorf("ran %d seeds, want 20", len(seen))
	}
}

// TestSeedsHelperFailing is run by TestSeedsReportsTheFailingSeed in a
// child process; on its own it does nothing.
func TestSeedsHelperFailing(t *testing.T) {
	if os.Getenv("NOEX_KIT_SEEDS_HELPER") != "1" {
		return
	}
	noextest.Seeds(t, 10, func(t *testing.T, rt *noextest.Runtime) {
		rt.Run(func(ctx context.Context) error {
			_, err := startCounter(ctx, "c")
			return err
		})
		if rt.Seed() == 103 {
			// Leave the counter running under one seed.
			return
		}
		rt.Run(func(ctx context.Context) error { return noex.Stop(ctx, noex.Name[get, any, value]("c"), nil) })
	})
}

func TestSeedsReportsTheFailingSeed(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSeedsHelperFailing$", "-test.v", "-noex.seed=100")
	cmd.Env = append(os.Environ(), "NOEX_KIT_SEEDS_HELPER=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the failing seeds passed:\n%s", out)
	}
	wantContains(t, "the output", string(out),
		"--- FAIL: TestSeedsHelperFailing/seed=103",
		"--- PASS: TestSeedsHelperFailing/seed=104",
		"[noex] seed=103 strategy=pct:d=2,k=100 To reproduce, specify: go test ./noextest -run '^TestSeedsHelperFailing$/^seed=103$' -noex.seed=103 -noex.strategy=pct:d=2,k=100",
		"[noex] 1 of 10 seeds failed: 103",
		"[noex] seeds: 3/10 done, 0 failed (base seed 100)",
		"[noex] seeds: 4/10 done, 1 failed (base seed 100)",
		"[noex] seeds: 10/10 done, 1 failed (base seed 100)")
}
