package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/noex-go/noex/internal/challenge"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/step"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	seed     uint64
	schedule string
	replay   bool // -schedule was given
}

// run is the command, with its exit status: 0 done (or the goal reached,
// for a replay), 1 a replay that does not reach the goal or a failure,
// 2 a bad command line.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, name, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "challenge: %v\n%s", err, usage)
		return 2
	}
	if name == "" {
		list(stdout)
		return 0
	}
	c, err := challenge.Find(name)
	if err != nil {
		fmt.Fprintf(stderr, "challenge: %v\n", err)
		return 2
	}
	if c.Example != "" {
		return runExample(c, args, stdin, stdout, stderr)
	}
	if opts.replay {
		fmt.Fprintf(stdout, "Challenge %s: %s.\n", c.Name, strings.TrimSuffix(c.Goal.Text, "."))
		return replay(ctx, c, opts, stdout, stderr)
	}
	fmt.Fprintf(stdout, "%s\n\n", wrap(c.Setup, 78))
	sopts := []step.Option{
		step.WithInput(stdin), step.WithOutput(stdout), step.WithSeed(opts.seed),
		step.WithName(c.Name), step.WithGoal(c.Goal),
		step.WithReplayCommand(func(s string) string { return replayCommand(c, opts.seed, s) }),
	}
	if f, ok := stdin.(*os.File); !ok || !isTerminal(f) {
		sopts = append(sopts, step.WithEcho())
	}
	if cols, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && cols > 0 {
		sopts = append(sopts, step.WithWidth(cols))
	}
	_, err = step.Run(ctx, c.Scenario(), sopts...)
	if errors.Is(err, step.ErrInput) {
		fmt.Fprintf(stderr, "challenge: %v\n", err)
		return 1
	}
	return 0
}

const usage = `usage: challenge [-seed N] [-schedule S] [name]
  without a name, list the challenges; with one, take it (step through its
  run until you reach its goal); with -schedule, check that schedule S
  reaches the goal instead (exit status 1 if it does not)
`

// parse reads the flags, which may come before and after the name.
func parse(args []string) (options, string, error) {
	opts := options{seed: 1}
	fs := flag.NewFlagSet("challenge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Uint64Var(&opts.seed, "seed", 1, "the seed")
	fs.Func("schedule", "replay this schedule", func(s string) error {
		opts.schedule, opts.replay = s, true
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return opts, "", err
	}
	name := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return opts, "", err
		}
		if fs.NArg() > 0 {
			return opts, "", fmt.Errorf("one challenge at a time: %q after %q", fs.Arg(0), name)
		}
	}
	return opts, name, nil
}

func list(w io.Writer) {
	fmt.Fprintln(w, "The challenges, easiest first (docs/challenges.md says what each teaches):")
	fmt.Fprintln(w)
	for _, c := range challenge.All() {
		fmt.Fprintf(w, "  %-20s %s\n", c.Name, c.Goal.Text)
		if c.Example != "" {
			fmt.Fprintf(w, "  %-20s (on the example %s)\n", "", c.Example)
		}
	}
	fmt.Fprintln(w, "\nTake one with: go run ./cmd/challenge NAME")
}

// replay runs the schedule and says whether it reaches the goal.
func replay(ctx context.Context, c challenge.Challenge, opts options, stdout, stderr io.Writer) int {
	rt := noex.NewRuntime(noex.WithSeed(opts.seed), noex.WithSchedule(opts.schedule))
	var events []noex.Event
	rt.Observe(func(e noex.Event) { events = append(events, e) })
	err := c.Scenario()(ctx, rt, io.Discard)
	if serr := rt.Shutdown(ctx); serr != nil {
		err = errors.Join(err, serr)
	}
	if errors.Is(err, noex.ErrSchedule) {
		fmt.Fprintf(stderr, "challenge: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stdout, "The run ended with: %v\n", err)
	}
	if c.Goal.Reached(step.Progress{Events: events, Done: true, Err: err}) {
		fmt.Fprintf(stdout, "★ Goal reached: %s.\n", strings.TrimSuffix(c.Goal.Text, "."))
		return 0
	}
	fmt.Fprintf(stdout, "✗ Goal not reached: %s.\n", strings.TrimSuffix(c.Goal.Text, "."))
	return 1
}

// replayCommand is the command that checks schedule s.
func replayCommand(c challenge.Challenge, seed uint64, s string) string {
	cmd := c.Command()
	if seed != 1 {
		cmd += " -seed " + strconv.FormatUint(seed, 10)
	}
	return cmd + " -schedule " + strconv.Quote(s)
}

// exampleCommand is the command that runs an example's challenge: go run
// of the example with -challenge and the flags given here.
func exampleCommand(c challenge.Challenge, args []string) []string {
	cmd := []string{"go", "run", "github.com/noex-go/noex/" + c.Example, "-challenge", c.Name}
	for _, a := range args {
		if a != c.Name {
			cmd = append(cmd, a)
		}
	}
	return cmd
}

// runExample runs an example's challenge in the example, through go run.
func runExample(c challenge.Challenge, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	argv := exampleCommand(c, args)
	goCmd, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintf(stderr, "challenge: %s runs in its example; run:\n  %s\n", c.Name, c.Command())
		return 1
	}
	cmd := exec.Command(goCmd, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(stderr, "challenge: %v\n", err)
		return 1
	}
	return 0
}

// wrap breaks s into lines of at most width columns, between words.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		switch {
		case n == 0:
		case n+1+len([]rune(w)) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len([]rune(w))
	}
	return b.String()
}

// isTerminal reports whether f is a terminal, which echoes what is typed.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
