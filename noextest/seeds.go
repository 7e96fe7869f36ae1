package noextest

import (
	"fmt"
	"testing"
)

// Seeds runs scenario under n seeds, each as a subtest named "seed=N" with
// its own deterministic [Runtime] (configured by opts, then pinned to the
// seed) that is checked and shut down when the subtest ends. The seeds are
// base, base+1, …, base+n-1, where base comes from -noex.seed, else
// NOEX_SEED, else is random; a failing seed prints the command that reruns
// exactly it. Under -v it logs a progress line (seeds done, total, failures
// so far) every tenth of the way. The per-seed cost is one subtest and one
// runtime, so hundreds of seeds take well under a second for small
// scenarios.
func Seeds(t *testing.T, n int, scenario func(t *testing.T, rt *Runtime), opts ...Option) {
	t.Helper()
	if n <= 0 {
		t.Fatalf("[noex] Seeds(%d): the number of seeds must be positive", n)
		return
	}
	base, _, err := defaultSeed()
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	step := max(1, n/10)
	failed := 0
	for i := range n {
		seed := base + uint64(i)
		ok := t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rt := New(t, append(opts[:len(opts):len(opts)], WithSeed(seed))...)
			scenario(t, rt)
		})
		if !ok {
			failed++
		}
		if testing.Verbose() && ((i+1)%step == 0 || i+1 == n) {
			t.Logf("[noex] seeds: %d/%d done, %d failed (base seed %d)", i+1, n, failed, base)
		}
	}
}
