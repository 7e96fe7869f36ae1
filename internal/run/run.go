package run

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/noex-go/noex/noex"
)

// Phase is one part of an example. It runs as the body of
// [noex.Runtime.Run], so it may start servers, call and cast; it writes the
// example's output to out, which is safe for concurrent use.
//
// An example with several phases gets a quiescent system between them: the
// next phase starts only once every message sent during the previous one has
// been handled, including handlers still waiting on the clock ([noex.Sleep])
// in the middle of a message (see [noex.Runtime.Run]). That is how an
// example reads state that other processes update asynchronously without
// sleeping.
//
//noexvet:root
type Phase func(ctx context.Context, out io.Writer) error

// Config says how to run an example. The zero Config is real mode; use
// [DefaultConfig] for the examples' default (deterministic, seed 1).
type Config struct {
	Seed    uint64 // the seed of deterministic mode
	Real    bool   // real mode instead of deterministic mode
	Events  bool   // print the event log after the run
	Diagram string // print a diagram after the run: "lanes", "list" or "" (none)
	Mermaid bool   // print only the Mermaid sequence diagram: the example's output is discarded
	HTML    string // write the run report to this file
	Width   int    // the width of a lane diagram (0: 100 columns)
	OTLP    bool   // export the run's trace (see Exporter)

	// Replay replays the deterministic run of Schedule, the schedule string
	// that a -step session printed (see noex.WithSchedule; "" is the
	// natural order throughout).
	Replay   bool
	Schedule string
	// Step steps through the run with a person as the scheduler (package
	// trace/step), reading the answers from Input.
	Step bool
	// Challenge names a challenge of this example (docs/challenges.md): its
	// goal is checked on the run, stepped through or replayed.
	Challenge string
	// Input is where -step reads the answers (Main: standard input); Echo
	// writes each answer after the prompt, for input that is not a
	// terminal (Main sets it when standard input is not one).
	Input io.Reader
	Echo  bool

	// Explore, if positive, runs the example under every distinct schedule
	// (noex.Explore), at most Explore runs, instead of once, and prints the
	// verdict; Progress, if not nil, receives a line every 1000 runs (Main:
	// standard error).
	Explore  int
	Progress io.Writer

	// Command is the command that runs the example, shown in the report's
	// replay line; by default "go run ./<the main package>".
	Command string

	// Exporter exports the trace when OTLP is set. Nil means OTLP/HTTP,
	// configured by the OTEL_* variables, in a build with -tags otlp; in a
	// build without it, a run with OTLP and no Exporter fails with
	// [ErrNoExporter]. Tests set it to keep the spans, for example with
	// otlp.Setup(ctx, rt, otlp.WithStdout(w)).
	Exporter Exporter
}

// DefaultConfig is the configuration of an example run without flags:
// deterministic mode with seed 1.
func DefaultConfig() Config { return Config{Seed: 1} }

// ErrUsage is wrapped by the error of [ParseFlags] for bad command lines.
var ErrUsage = errors.New("run: bad command line")

// ParseFlags parses an example's command line (without the program name).
// A bad command line (an unknown flag, a bad value, an argument that is not
// a flag, flags that contradict each other such as -seed with -real) gives
// an error wrapping [ErrUsage], after ParseFlags has printed the problem
// and a usage line to stderr; -h prints every flag and gives an error
// wrapping [flag.ErrHelp].
func ParseFlags(name string, args []string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // problems are reported below, with the synopsis
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "deterministic mode with seed `N`")
	fs.BoolVar(&cfg.Real, "real", false, "real mode: goroutines, wall clock, Go's scheduler")
	fs.BoolVar(&cfg.Events, "events", false, "print the event log after the run")
	fs.Var((*diagramFlag)(&cfg.Diagram), "diagram", "print a lane diagram of the run (`-diagram=list`: a list of arrows)")
	fs.BoolVar(&cfg.Mermaid, "mermaid", false, "print only the run's Mermaid sequence diagram (pipeable)")
	fs.StringVar(&cfg.HTML, "html", "", "write the run report, a self-contained HTML page, to `FILE`")
	fs.BoolVar(&cfg.OTLP, "otlp", false, "export the run over OTLP/HTTP (OTEL_* environment variables)")
	fs.BoolVar(&cfg.Step, "step", false, "step through the run: you choose the next step at every decision")
	fs.Var(&scheduleFlag{cfg: &cfg}, "schedule", "replay the run of the schedule `S` (\"3:1,7:2\") that -step printed")
	fs.StringVar(&cfg.Challenge, "challenge", "", "take the challenge `NAME` of this example: step through the run to reach its goal (with -schedule: check a schedule)")
	fs.Var((*exploreFlag)(&cfg.Explore), "explore", "run every distinct schedule, at most "+strconv.Itoa(DefaultExploreRuns)+" runs (`-explore=N`: at most N), and print the verdict")
	err := fs.Parse(args)
	if err == nil {
		err = validate(fs)
	}
	if err == nil {
		err = checkStepFlags(fs, &cfg)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		help(stderr, fs)
	case err != nil:
		usageError(stderr, fs, err)
	default:
		return cfg, nil
	}
	return cfg, fmt.Errorf("%w: %w", ErrUsage, err)
}

// diagramFlag is -diagram: "lanes" when given alone, or a value.
type diagramFlag string

func (d *diagramFlag) String() string   { return string(*d) }
func (d *diagramFlag) IsBoolFlag() bool { return true }
func (d *diagramFlag) Set(v string) error {
	switch v {
	case "true", "lanes":
		*d = "lanes"
	case "list":
		*d = "list"
	case "false":
		*d = ""
	default:
		return fmt.Errorf("want -diagram (lanes) or -diagram=list, not %q", v)
	}
	return nil
}

// Main is an example's main function: it parses the flags, runs the phases
// with [Exec] and exits with status 1 (after printing the error to stderr)
// if anything failed, or 2 for a bad command line.
func Main(phases ...Phase) {
	name := "example"
	if len(os.Args) > 0 {
		name = filepath.Base(os.Args[0])
	}
	cfg, err := ParseFlags(name, os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2)
	}
	if cfg.OTLP && cfg.Exporter == nil && builtExporter == nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, noExporter(os.Args[1:]))
		os.Exit(2)
	}
	if cfg.Width == 0 {
		cfg.Width, _ = strconv.Atoi(os.Getenv("COLUMNS"))
	}
	cfg.Input, cfg.Echo, cfg.Progress = os.Stdin, !isTerminal(os.Stdin), os.Stderr
	err = Exec(context.Background(), cfg, os.Stdout, phases...)
	if errors.Is(err, ErrUsage) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if cfg.HTML != "" && !errors.Is(err, errReport) {
		fmt.Fprintf(os.Stderr, "run report: %s\n", cfg.HTML)
	}
	if err == ErrGoalNotReached || err == ErrScheduleFailed { // the run said so
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, Explain(cfg, err))
		os.Exit(1)
	}
}

// Explain renders a failed run's error for a person: the error, and in
// deterministic mode, if the run itself failed (not only the export of
// its trace or the writing of its report), the seed that reproduces it.
func Explain(cfg Config, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "error: %v", err)
	switch {
	case cfg.Real || !runFailed(err) || errors.Is(err, ErrGoalNotReached):
	case cfg.Step:
		// The session has printed the command that replays the run.
	case cfg.Replay:
		fmt.Fprintf(&b, "\n(deterministic mode, seed %d: run again with -seed %d -schedule %q to reproduce)", cfg.Seed, cfg.Seed, cfg.Schedule)
	default:
		fmt.Fprintf(&b, "\n(deterministic mode, seed %d: run again with -seed %d to reproduce)", cfg.Seed, cfg.Seed)
	}
	return b.String()
}

// Exec runs the phases under cfg, writing the example's output to stdout,
// followed by whatever cfg asks for (event log, diagrams). It returns the
// first error of a phase, of the runtime or of the trace export.
func Exec(ctx context.Context, cfg Config, stdout io.Writer, phases ...Phase) error {
	out := &lockedWriter{w: stdout}
	if cfg.Mermaid {
		out = &lockedWriter{w: io.Discard}
	}
	goal, err := challengeGoal(cfg)
	if err != nil {
		return err
	}
	if cfg.Explore > 0 {
		return execExplore(ctx, cfg, out, phases)
	}
	var res Result
	switch {
	case cfg.Step:
		res, err = execStep(ctx, cfg, out, goal, phases)
	case goal != nil:
		var buf strings.Builder
		res, err = exec(ctx, cfg, &lockedWriter{w: io.MultiWriter(out, &buf)}, phases)
		res.Output = buf.String()
		err = checkGoal(out, *goal, res, err)
	default:
		res, err = exec(ctx, cfg, out, phases)
	}
	if cfg.Mermaid {
		fmt.Fprint(stdout, MermaidDiagram(res.Events))
	}
	if cfg.HTML != "" {
		if werr := writeReport(cfg, res, err); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if cfg.Events {
		fmt.Fprintln(out, "\n--- events ---")
		for _, e := range res.Events {
			fmt.Fprintln(out, e.String())
		}
	}
	switch cfg.Diagram {
	case "lanes":
		fmt.Fprintln(out, "\n--- lane diagram ---")
		fmt.Fprint(out, LaneDiagram(res.Events, cfg.Width))
	case "list":
		fmt.Fprintln(out, "\n--- sequence diagram ---")
		fmt.Fprint(out, TextDiagram(res.Events))
	}
	return err
}

// Result is what one run of an example produced.
type Result struct {
	Output    string          // everything the example wrote to out
	Events    []noex.Event    // the events of the phases (not those of the final shutdown)
	Schedule  string          // the deterministic schedule, replayable with noex.WithSchedule
	Decisions []noex.Decision // the scheduler's decisions (deterministic mode), oldest first
}

// Log returns the event log as text, one event a line.
func (r Result) Log() string {
	var b strings.Builder
	for _, e := range r.Events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Lines returns the output split into lines, without the final newline.
func (r Result) Lines() []string {
	s := strings.TrimSuffix(r.Output, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Once runs the phases under cfg and returns what they printed and the
// events of the run; cfg's printing flags are ignored (OTLP is honoured).
// Tests use it to run an example under many seeds.
func Once(ctx context.Context, cfg Config, phases ...Phase) (Result, error) {
	var buf strings.Builder
	out := &lockedWriter{w: &buf}
	res, err := exec(ctx, cfg, out, phases)
	out.mu.Lock()
	res.Output = buf.String()
	out.mu.Unlock()
	return res, err
}

func exec(ctx context.Context, cfg Config, out io.Writer, phases []Phase) (Result, error) {
	var opts []noex.Option
	if !cfg.Real {
		opts = append(opts, noex.WithSeed(cfg.Seed))
		if cfg.Replay {
			opts = append(opts, noex.WithSchedule(cfg.Schedule))
		}
	}
	rt := noex.NewRuntime(opts...)
	rec := &recorder{}
	detach := rt.Observe(rec.add)
	var decisions []noex.Decision // only Run's goroutine appends
	detachDecisions := rt.ObserveDecisions(func(d noex.Decision) { decisions = append(decisions, d) })
	defer detachDecisions()
	var errs []error
	var stopTrace func(context.Context) error
	if cfg.OTLP {
		export := cfg.Exporter
		if export == nil {
			export = builtExporter
		}
		if export == nil {
			detach()
			return Result{}, errors.Join(outputError{noExporter(nil)}, rt.Shutdown(ctx))
		}
		var err error
		if stopTrace, err = export(ctx, rt); err != nil {
			detach()
			return Result{}, errors.Join(outputError{fmt.Errorf("run: -otlp: %w", err)}, rt.Shutdown(ctx))
		}
	}
	if err := runPhases(ctx, rt, out, phases); err != nil {
		errs = append(errs, err)
	}
	res := Result{Events: rec.snapshot(), Schedule: rt.Schedule(), Decisions: decisions}
	if err := rt.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	detach()
	if stopTrace != nil {
		if err := stopTrace(ctx); err != nil {
			errs = append(errs, outputError{fmt.Errorf("run: -otlp: %w", err)})
		}
	}
	return res, errors.Join(errs...)
}

// runPhases runs the phases on rt, one Run each, and stops at the first
// that fails.
func runPhases(ctx context.Context, rt *noex.Runtime, out io.Writer, phases []Phase) error {
	for i, ph := range phases {
		if ph == nil {
			return fmt.Errorf("run: phase %d is nil", i+1)
		}
		if err := rt.Run(ctx, func(ctx context.Context) error { return ph(ctx, out) }); err != nil {
			return err
		}
	}
	return nil
}

// outputError is the failure of something the run was asked to produce
// (its trace's export, its report), not of the run: no seed reproduces it.
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }
func (e outputError) Unwrap() error { return e.err }

// runFailed reports whether err holds a failure of the run itself.
func runFailed(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case outputError:
		return false
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			if runFailed(x) {
				return true
			}
		}
		return false
	}
	return true
}

// recorder keeps every event; observers are never called concurrently, but
// the snapshot is taken from another goroutine in real mode.
type recorder struct {
	mu     sync.Mutex
	events []noex.Event
}

func (r *recorder) add(e noex.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []noex.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]noex.Event(nil), r.events...)
}

// lockedWriter serialises writes: in real mode several processes print at
// once. In deterministic mode only one process runs at a time, so the lock
// is never contended.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
