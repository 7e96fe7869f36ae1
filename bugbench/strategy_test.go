package bugbench_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

// Every strategy finds a known kernel within a few seeds, and its failing
// run replays from the seed and the strategy, and from the schedule under
// another strategy, byte for byte.
func TestEveryStrategyFindsAKernel(t *testing.T) {
	kernel := func(name string) bugbench.Kernel {
		ks := bugbench.Kernels()
		return ks[slices.IndexFunc(ks, func(k bugbench.Kernel) bool { return k.Name == name })]
	}
	for _, c := range []struct {
		strategy, kernel string
	}{
		{"random", "lost-update"},
		{"pct:d=1,k=20", "order-violation"}, // PCT of depth 1 finds order violations, not atomicity ones
		{"pct:d=2,k=20", "lost-update"},
		{"pct:d=3,k=20", "lost-update"},
		{"pos", "lost-update"},
		{"portfolio", "lost-update"},
	} {
		t.Run(c.strategy, func(t *testing.T) {
			k := kernel(c.kernel)
			for seed := uint64(1); seed <= 100; seed++ {
				o := run(t, k.Buggy, true, noex.WithSeed(seed), noex.WithStrategy(c.strategy))
				if o.err == nil {
					continue
				}
				if !errors.Is(o.err, bugbench.ErrViolation) {
					t.Fatalf("seed %d: the run failed: %v", seed, o.err)
				}
				again := run(t, k.Buggy, true, noex.WithSeed(seed), noex.WithStrategy(c.strategy))
				replay := run(t, k.Buggy, true, noex.WithSeed(seed), noex.WithStrategy("random"), noex.WithSchedule(o.schedule))
				if !slices.Equal(again.log, o.log) || !slices.Equal(replay.log, o.log) {
					t.Fatalf("seed %d: the failing run does not replay byte for byte", seed)
				}
				return
			}
			t.Errorf("%s did not find %s in 100 seeds", c.strategy, c.kernel)
		})
	}
}
