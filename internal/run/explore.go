package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/noex-go/noex/noex"
)

// DefaultExploreRuns is the bound of -explore given without a value.
const DefaultExploreRuns = 10_000

// ErrScheduleFailed is the error of a run with -explore that found a
// failing schedule; the verdict printed before it says which, and how to
// replay it.
var ErrScheduleFailed = errors.New("run: an explored schedule failed")

// exploreFlag is -explore: DefaultExploreRuns when given alone, or a bound.
type exploreFlag int

func (f *exploreFlag) String() string {
	if f == nil || *f == 0 {
		return ""
	}
	return strconv.Itoa(int(*f))
}

func (f *exploreFlag) IsBoolFlag() bool { return true }

func (f *exploreFlag) Set(v string) error {
	switch v {
	case "true":
		*f = DefaultExploreRuns
		return nil
	case "false":
		*f = 0
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return fmt.Errorf("want -explore (at most %d runs) or -explore=N with N ≥ 1, not %q", DefaultExploreRuns, v)
	}
	*f = exploreFlag(n)
	return nil
}

// execExplore runs the phases under every distinct schedule (see
// [noex.Explore]), at most cfg.Explore runs, and prints the verdict on out:
// "N schedules, all passed (complete)", the bound reached, or the first
// failing schedule with the command that replays it. The example's output
// is discarded, but what it prints is part of what a schedule decides:
// two steps that print do not commute (see [printed]). Progress goes to
// cfg.Progress every 1000 runs.
func execExplore(ctx context.Context, cfg Config, out io.Writer, phases []Phase) error {
	opts := []noex.ExploreOption{noex.MaxSchedules(cfg.Explore)}
	if cfg.Progress != nil {
		opts = append(opts, noex.ExploreProgress(func(r noex.ExploreResult) {
			fmt.Fprintf(cfg.Progress, "exploring: %d schedules, %d pruned runs\n", r.Schedules, r.Pruned)
		}))
	}
	res := noex.Explore(func(opts ...noex.Option) error {
		rt := noex.NewRuntime(append([]noex.Option{noex.WithSeed(cfg.Seed)}, opts...)...)
		err := runPhases(ctx, rt, printed{rt}, phases)
		if err = errors.Join(err, rt.Shutdown(ctx)); err != nil {
			return failedRun{err}
		}
		return nil
	}, opts...)
	fmt.Fprintf(out, "explored: %v\n", res)
	if res.Err != nil && !errors.As(res.Err, new(failedRun)) {
		return res.Err // the search itself failed: the example does not replay the same way
	}
	if res.Err == nil {
		if !res.Complete {
			fmt.Fprintf(out, "(not every schedule was run: allow more runs with -explore=%d)\n", 10*cfg.Explore)
		}
		return nil
	}
	fmt.Fprintf(out, "replay it: %s\n", scheduleCommand(cfg, res.Schedule))
	return ErrScheduleFailed
}

// printed is the output of an explored run: it discards what it is given,
// and tells the runtime that the step writing it touched the output, so
// that Explore orders two steps that print both ways. Without it, steps on
// different processes that print would commute, and every order of an
// example's lines would count as one schedule.
type printed struct{ rt *noex.Runtime }

func (w printed) Write(p []byte) (int, error) {
	w.rt.Touch("output")
	return len(p), nil
}

// failedRun is the error of an explored run that failed, as opposed to an
// error of the search itself.
type failedRun struct{ err error }

func (f failedRun) Error() string { return f.err.Error() }
func (f failedRun) Unwrap() error { return f.err }
