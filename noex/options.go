package noex

import (
	"fmt"
	"time"
)

// Defaults, as in noex.
const (
	DefaultCallTimeout = 5 * time.Second
	DefaultInitTimeout = 5 * time.Second
	DefaultWatchdog    = 5 * time.Second
)

// Option configures a [Runtime]. Options are sealed; nil options are ignored.
type Option interface{ applyRuntime(*config) }

type config struct {
	det         bool
	seed        uint64
	chooser     Chooser
	schedule    string
	hasSched    bool
	strategy    string
	hasStrategy bool
	watchdog    time.Duration
	observers   []func(Event)
	faults      FaultInjector
	stepBudget  uint64
	xrun        *xrun
}

type runtimeOption func(*config)

func (f runtimeOption) applyRuntime(c *config) { f(c) }

// WithSeed makes the runtime deterministic, with scheduling choices drawn
// from a PRNG seeded with seed. See the package documentation, "Deterministic
// mode".
func WithSeed(seed uint64) Option {
	return runtimeOption(func(c *config) { c.det, c.seed = true, seed })
}

// WithChooser makes the runtime deterministic with ch choosing every step.
// It overrides [WithSeed]'s PRNG (the seed is still used for [Rand]). A nil
// ch is ignored.
func WithChooser(ch Chooser) Option {
	return runtimeOption(func(c *config) {
		if ch != nil {
			c.det, c.chooser = true, ch
		}
	})
}

// WithSchedule makes the runtime deterministic and replays a schedule string
// printed by [Runtime.Schedule]: the run takes the recorded choice at every
// decision point and the oldest enabled step elsewhere. Combine it with the
// same [WithSeed] the schedule was recorded under, so [Rand] draws the same
// values. Run reports an error wrapping [ErrSchedule] if s is malformed or
// names a choice that does not exist.
func WithSchedule(s string) Option {
	return runtimeOption(func(c *config) { c.det, c.schedule, c.hasSched = true, s, true })
}

// WithWatchdog sets how long a process may hold the deterministic
// scheduler's baton while blocked outside the runtime before the run fails
// with an [*EscapeError] (default [DefaultWatchdog]). A d ≤ 0 keeps the default.
// Real mode ignores it.
func WithWatchdog(d time.Duration) Option {
	return runtimeOption(func(c *config) {
		if d > 0 {
			c.watchdog = d
		}
	})
}

// WithObserver attaches fn to the event stream before anything runs; it is
// the same as calling [Runtime.Observe] right after [NewRuntime].
func WithObserver(fn func(Event)) Option {
	return runtimeOption(func(c *config) {
		if fn != nil {
			c.observers = append(c.observers, fn)
		}
	})
}

// StartOption configures [Start] (and the servers the package starts itself:
// buses and supervisors).
type StartOption interface{ applyStart(*startConfig) }

type startConfig struct {
	name        string
	hasName     bool
	initTimeout time.Duration
	err         error
}

// withOptions returns def with opts applied (nil ones skipped). Without
// options the configuration stays on the caller's stack; applying an option
// through its interface moves it to the heap, so that is kept out of line.
func withOptions[C any, O comparable](def C, opts []O, apply func(O, *C)) C {
	if len(opts) == 0 {
		return def
	}
	return applyOptions(def, opts, apply)
}

//go:noinline
func applyOptions[C any, O comparable](cfg C, opts []O, apply func(O, *C)) C {
	var none O
	for _, o := range opts {
		if o != none {
			apply(o, &cfg)
		}
	}
	return cfg
}

type startOption func(*startConfig)

func (f startOption) applyStart(c *startConfig) { f(c) }

// WithName registers the server under name before it can receive its first
// message; the name is released when it ends. An empty name makes Start fail
// with [ErrInvalidName]; a taken one with a [*NameTakenError].
func WithName(name string) StartOption {
	return startOption(func(c *startConfig) { c.name, c.hasName = name, true })
}

// WithInitTimeout bounds Init (default [DefaultInitTimeout]) on the runtime's
// clock. A d ≤ 0 makes Start fail with an error wrapping [ErrBadOption].
func WithInitTimeout(d time.Duration) StartOption {
	return startOption(func(c *startConfig) {
		c.initTimeout = d
		if d <= 0 {
			c.err = fmt.Errorf("%w: WithInitTimeout(%v): the timeout must be positive", ErrBadOption, d)
		}
	})
}

// CallOption configures one [Call].
type CallOption interface{ applyCall(*callConfig) }

type callConfig struct {
	timeout time.Duration
	err     error
}

type callOption func(*callConfig)

func (f callOption) applyCall(c *callConfig) { f(c) }

// WithTimeout sets the call's timeout (default [DefaultCallTimeout]) on the
// runtime's clock. In real mode the context's deadline also applies. A d ≤ 0
// makes the call fail with an error wrapping [ErrBadOption]: a call without a
// bound is a deadlock waiting to happen; use a large d instead.
func WithTimeout(d time.Duration) CallOption {
	return callOption(func(c *callConfig) {
		c.timeout = d
		if d <= 0 {
			c.err = fmt.Errorf("%w: WithTimeout(%v): the timeout must be positive", ErrBadOption, d)
		}
	})
}
