package bugbench

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// ErrViolation is wrapped by every error a [Program] returns when its
// property does not hold, that is when the bug showed. Any other error (a
// deadlock, an escape, a failed start) means the run itself went wrong.
var ErrViolation = errors.New("bugbench: property violated")

// Program runs one scenario on rt, a fresh deterministic runtime that the
// caller built with its seed or strategy options, and returns an error
// wrapping [ErrViolation] when the property is violated (the bug showed),
// another error when the run itself failed, and nil otherwise. A Program
// runs [noex.Runtime.Run] once or twice (set up, then check once the
// system is quiescent); it never shuts rt down: the caller does, and may
// then check that nothing leaked.
type Program func(ctx context.Context, rt *noex.Runtime) error

// Kernel is one bug of the benchmark: a small actor program with a
// concurrency bug that only some schedules expose, and the same program
// with the bug fixed.
type Kernel struct {
	Name   string // short id, e.g. "lost-update"
	Title  string // one line
	Source string // where it comes from: a section of the chapter, or the classic bug it rewrites
	// Depth is the bug depth d in the sense of PCT: the number of ordering
	// constraints between steps of different processes that a schedule must
	// meet for the bug to show.
	Depth int
	Why   string  // why that depth: the orderings, in the program's terms
	Buggy Program // violates its property under some schedules
	Fixed Program // the same scenario with the bug fixed: never violates it
}

// Kernels returns every kernel of the benchmark, in a stable order: the
// chapter's races first, then the classic kernels, then the deep ones.
func Kernels() []Kernel {
	return []Kernel{
		lostUpdate(),
		whereisStop(),
		lazySubscribe(),
		senderOrder(),
		taskLost(),
		orderViolation(),
		checkThenAct(),
		staleRef(),
		lateReply(),
		monitorLate(),
		timerTie(),
		restartRegister(),
		lostWakeup(),
		staleCache(),
		idReuse(),
		doubleDispatch(),
		staleLeader(),
		staleAppend(),
		forgottenCommit(),
	}
}

// violation returns an error wrapping [ErrViolation] that says, in the
// program's terms, what went wrong.
func violation(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrViolation}, args...)...)
}

// runThenCheck runs setup as the body of one run and, once the system is
// quiescent, check as the body of a second one.
func runThenCheck(ctx context.Context, rt *noex.Runtime, setup, check func(ctx context.Context) error) error {
	if err := rt.Run(ctx, setup); err != nil {
		return err
	}
	return rt.Run(ctx, check)
}
