package noexrapid

import (
	"flag"
	"os"

	"pgregory.net/rapid"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

var _ noextest.TB = (*rapid.T)(nil)

// Check checks prop with rapid: rapid calls it many times (-rapid.checks,
// 100 by default), each time with a fresh runtime from [New], and reports
// the smallest failing case it finds, with the rapid seed that reproduces
// it and, in the failing case's output, the noex seed and schedule that
// replay its run. Each run's end-of-test checks run when prop returns, so
// they can fail the property too. Call prop's rt.Fatalf outside Run bodies:
// inside one, a Fatalf is a crash of the body.
func Check(t rapid.TB, prop func(t *rapid.T, rt *noextest.Runtime), opts ...noextest.Option) {
	t.Helper()
	rapid.Check(t, func(t *rapid.T) {
		rt := New(t, opts...)
		defer rt.Close()
		prop(t, rt)
	})
}

// New returns a deterministic kit runtime for one rapid run. Its strategy is
// -noex.strategy's, else NOEX_STRATEGY's, else one of [noex.Portfolio]
// drawn from t as "noex.strategy" (it shrinks towards the first, uniform
// random); its seed (for [noex.Rand]) is drawn as "noex.seed"; and every
// random draw the strategy makes (every choice, for "random") is drawn from
// t by [NewChooser], so that it shrinks towards the natural order. opts go
// to [noextest.New] after those, so a [noextest.WithSeed] or
// [noextest.WithStrategy] among them takes precedence.
func New(t *rapid.T, opts ...noextest.Option) *noextest.Runtime {
	t.Helper()
	strategy := strategyFromFlags()
	if strategy == "" {
		strategy = rapid.SampledFrom(noex.Portfolio()).Draw(t, "noex.strategy")
	}
	seed := rapid.Uint64().Draw(t, "noex.seed")
	base := []noextest.Option{noextest.WithSeed(seed), noextest.WithChooser(NewChooser(t)), noextest.WithStrategy(strategy)}
	return noextest.New(t, append(base, opts...)...)
}

// strategyFromFlags is the strategy that -noex.strategy (registered by
// noextest) or NOEX_STRATEGY names, "" if neither does.
func strategyFromFlags() string {
	if f := flag.Lookup("noex.strategy"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	return os.Getenv("NOEX_STRATEGY")
}

// NewChooser returns a [noex.Chooser] that draws each choice among n
// enabled steps from t, as rapid.IntRange(0, n-1), labelled "choice".
// rapid shrinks the draws towards 0, the oldest enabled step, so a failing
// schedule shrinks towards the natural order. When t's data runs out while
// rapid tries a shorter case, the remaining choices are 0 (as if the case
// went on in the natural order), so every case runs to its end and replays
// the same way. Use it directly with noex.WithChooser outside the kit.
func NewChooser(t *rapid.T) noex.Chooser { return &chooser{t: t} }

type chooser struct {
	t    *rapid.T
	done bool // the draws ran out: natural order from here on
}

func (c *chooser) Choose(n int) (choice int) {
	if c.done {
		return 0
	}
	defer func() {
		if r := recover(); r != nil {
			c.done, choice = true, 0
		}
	}()
	return rapid.IntRange(0, n-1).Draw(c.t, "choice")
}
