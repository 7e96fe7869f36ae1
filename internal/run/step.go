package run

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/noex-go/noex/internal/challenge"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/step"
)

// ErrGoalNotReached is the error of a run with -challenge and -schedule
// whose schedule does not reach the challenge's goal.
var ErrGoalNotReached = errors.New("run: the challenge's goal was not reached")

// checkStepFlags checks -step, -schedule and -challenge against each other
// and the other flags, and turns -challenge without -schedule into a
// stepped run.
func checkStepFlags(fs *flag.FlagSet, cfg *Config) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["challenge"] && !set["schedule"] {
		cfg.Step = true
	}
	if !cfg.Step {
		return nil
	}
	by := "-step"
	if !set["step"] {
		by = "-challenge (which steps through the run unless -schedule replays one)"
	}
	switch {
	case cfg.Mermaid:
		return fmt.Errorf("%s cannot be combined with -mermaid, which prints nothing but the diagram", by)
	case cfg.OTLP:
		return fmt.Errorf("%s cannot be combined with -otlp: a stepped run is run again at every undo; export its replay instead (-schedule ... -otlp)", by)
	}
	return nil
}

// scheduleFlag is -schedule: a schedule string, checked, that turns
// Config.Replay on.
type scheduleFlag struct{ cfg *Config }

func (f *scheduleFlag) String() string {
	if f.cfg == nil {
		return ""
	}
	return f.cfg.Schedule
}

func (f *scheduleFlag) Set(s string) error {
	if strings.TrimSpace(s) != "" {
		for _, part := range strings.Split(s, ",") {
			d, c, ok := strings.Cut(strings.TrimSpace(part), ":")
			_, err1 := strconv.ParseUint(d, 10, 64)
			_, err2 := strconv.ParseUint(c, 10, 31)
			if !ok || err1 != nil || err2 != nil {
				return fmt.Errorf("%q is not a decision:choice pair (want pairs such as \"3:1,7:2\", or \"\" for the natural order)", part)
			}
		}
	}
	f.cfg.Schedule, f.cfg.Replay = s, true
	return nil
}

// challengeGoal returns the goal of cfg.Challenge, a challenge of this
// example, or nil without one.
func challengeGoal(cfg Config) (*step.Goal, error) {
	if cfg.Challenge == "" {
		return nil, nil
	}
	c, err := challenge.Find(cfg.Challenge)
	if err != nil {
		return nil, fmt.Errorf("%w: -challenge: %w", ErrUsage, err)
	}
	if here := strings.TrimPrefix(command(cfg), "go run ./"); c.Example != here {
		return nil, fmt.Errorf("%w: -challenge: %s is not a challenge of %s; take it with: %s", ErrUsage, c.Name, here, c.Command())
	}
	return &c.Goal, nil
}

// execStep runs the phases as a step-through session on cfg.Input and out.
func execStep(ctx context.Context, cfg Config, out io.Writer, goal *step.Goal, phases []Phase) (Result, error) {
	opts := []step.Option{
		step.WithInput(cfg.Input), step.WithOutput(out), step.WithSeed(cfg.Seed),
		step.WithName(title(cfg)),
		step.WithReplayCommand(func(s string) string { return scheduleCommand(cfg, s) }),
	}
	if cfg.Echo {
		opts = append(opts, step.WithEcho())
	}
	if cfg.Width > 0 {
		opts = append(opts, step.WithWidth(cfg.Width))
	}
	if goal != nil {
		opts = append(opts, step.WithGoal(*goal))
	}
	sres, err := step.Run(ctx, func(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
		return runPhases(ctx, rt, out, phases)
	}, opts...)
	return Result{Output: sres.Output, Events: sres.Events, Schedule: sres.Schedule, Decisions: sres.Decisions}, err
}

// checkGoal says whether a replayed run reached the goal; it returns
// ErrGoalNotReached if it did not.
func checkGoal(out io.Writer, goal step.Goal, res Result, err error) error {
	p := step.Progress{Events: res.Events, Output: res.Output, Done: true, Err: err}
	if goal.Reached(p) {
		fmt.Fprintf(out, "★ Goal reached: %s.\n", strings.TrimSuffix(goal.Text, "."))
		return err
	}
	fmt.Fprintf(out, "✗ Goal not reached: %s.\n", strings.TrimSuffix(goal.Text, "."))
	if err == nil {
		return ErrGoalNotReached
	}
	return errors.Join(err, ErrGoalNotReached)
}

// scheduleCommand is the command that replays schedule s of cfg's run.
func scheduleCommand(cfg Config, s string) string {
	c := command(cfg) + " -seed " + strconv.FormatUint(cfg.Seed, 10)
	if cfg.Challenge != "" {
		c += " -challenge " + cfg.Challenge
	}
	return c + " -schedule " + strconv.Quote(s)
}

// isTerminal reports whether f is a terminal (a character device), whose
// input the terminal echoes itself.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
