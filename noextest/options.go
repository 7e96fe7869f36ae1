package noextest

import "github.com/noex-go/noex/noex"

// Option configures [New] (and [Seeds], which passes its options to New).
// Options are sealed; nil options are ignored.
type Option interface{ apply(*config) }

type config struct {
	seed          uint64
	hasSeed       bool
	real          bool
	allowLive     bool
	expectCrashes bool
	allowErrors   bool
	chooser       noex.Chooser
	rtOpts        []noex.Option
	reportDir     string
	hasReport     bool
	strategy      string
	hasStrategy   bool
	runLength     int  // Seeds: the most decisions an earlier seed made, for PCT
	swept         bool // the seed is Seeds', not pinned by the test
	bounds        []noex.ExploreOption
	keepDecisions bool // record the scheduler's decisions, for an explanation
}

type option func(*config)

func (f option) apply(c *config) { f(c) }

// WithSeed pins the runtime's seed, overriding -noex.seed and NOEX_SEED.
// Examples use it, so that their output is stable.
func WithSeed(seed uint64) Option {
	return option(func(c *config) { c.seed, c.hasSeed = seed, true })
}

// Real makes the runtime run in real mode (goroutines, wall clock) with the
// same end-of-test checks. It excludes [WithSeed] and [WithChooser].
func Real() Option { return option(func(c *config) { c.real = true }) }

// AllowLive lets the test end with processes still running: the checks
// for live processes, registered names, pending timers and open
// subscriptions are skipped (the runtime is still shut down).
func AllowLive() Option { return option(func(c *config) { c.allowLive = true }) }

// ExpectCrashes declares that crashes are part of the test: handler and
// Terminate panics do not fail it. Panics injected with [Faults.PanicOn]
// never fail a test, declared or not.
func ExpectCrashes() Option { return option(func(c *config) { c.expectCrashes = true }) }

// AllowErrors declares that handler errors are part of the test: errors
// returned by HandleCast and HandleInfo, and failed bus deliveries, do not
// fail it. (Errors returned by HandleCall go to the caller and never fail a
// test.)
func AllowErrors() Option { return option(func(c *config) { c.allowErrors = true }) }

// WithStrategy sets the exploration strategy of the deterministic runtime,
// by name as [noex.WithStrategy] takes it ("random", "pct", "pct:d=2",
// "pos", "portfolio"), overriding -noex.strategy and NOEX_STRATEGY.
//
// Without it, a runtime whose seed the test pins with [WithSeed] runs
// "random" (so that a pinned seed keeps replaying the same run), and every
// other one runs the strategy of -noex.strategy, else of NOEX_STRATEGY, else
// the portfolio, which rotates strategies from seed to seed. Failure
// messages name the strategy a run used in full, so that the reproduction
// line replays it exactly.
func WithStrategy(spec string) Option {
	return option(func(c *config) { c.strategy, c.hasStrategy = spec, true })
}

// WithChooser makes ch choose every scheduling step, as [noex.WithChooser]
// does; the seed still seeds [noex.Rand]. Failure messages then print the
// schedule that replays the run instead of a -noex.seed line. The rapid
// adapter (package noexrapid) uses it.
func WithChooser(ch noex.Chooser) Option {
	return option(func(c *config) {
		if ch != nil {
			c.chooser = ch
		}
	})
}

// WithRuntimeOptions passes opts to [noex.NewRuntime], after the kit's own
// (seed, chooser, faults, recorder). Use it for [noex.WithWatchdog],
// [noex.WithSchedule] or extra observers.
func WithRuntimeOptions(opts ...noex.Option) Option {
	return option(func(c *config) { c.rtOpts = append(c.rtOpts, opts...) })
}

// keepDecisions makes the runtime record its decisions.
func keepDecisions() Option { return option(func(c *config) { c.keepDecisions = true }) }
