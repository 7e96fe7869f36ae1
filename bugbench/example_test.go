package bugbench_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

// Run a kernel's buggy program on seeds until one shows the bug, then its
// fixed program on that seed.
func Example() {
	ctx := context.Background()
	k := bugbench.Kernels()[0]
	fmt.Printf("%s (depth %d): %s\n", k.Name, k.Depth, k.Title)

	// runOn runs p on a fresh deterministic runtime and shuts it down.
	runOn := func(p bugbench.Program, seed uint64) error {
		rt := noex.NewRuntime(noex.WithSeed(seed))
		defer rt.Shutdown(ctx)
		return p(ctx, rt)
	}
	for seed := uint64(1); seed <= 100; seed++ {
		err := runOn(k.Buggy, seed)
		if errors.Is(err, bugbench.ErrViolation) {
			fmt.Println("buggy:", err)
			fmt.Println("fixed:", runOn(k.Fixed, seed))
			break
		}
	}
	// Output:
	// lost-update (depth 2): two clients increment a counter by get-then-set
	// buggy: bugbench: property violated: counter is 1 after two increments
	// fixed: <nil>
}
