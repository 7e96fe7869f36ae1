// Package run runs one example of the course: it builds the runtime, parses
// the flags every example shares, runs the example's phases and prints what
// was asked for (the event log, a sequence diagram, an OTLP trace).
//
// An example's main is one line:
//
//	func main() { run.Main(demo) }
//
// where demo is a [Phase]: func(ctx context.Context, out io.Writer) error.
// The example prints only to out, so its test runs the same demo under many
// seeds with [Once] and reads the output, without starting a subprocess.
//
// Flags (all optional):
//
//	-seed N    deterministic mode with seed N (default 1)
//	-real      real mode: goroutines, wall clock, Go's scheduler
//	-events        print the event log after the run
//	-diagram       print a lane diagram of the run (one column per process,
//	               as wide as $COLUMNS, else 100 columns)
//	-diagram=list  print the run as a list of arrows instead
//	-mermaid       print only the run's Mermaid sequence diagram, nothing
//	               else, so that it can be piped to a renderer
//	-html FILE     write the run report to FILE: one self-contained HTML
//	               page to step through the run (package trace/report)
//	-otlp          export the run as an OpenTelemetry trace over OTLP/HTTP,
//	               configured by the standard OTEL_* environment variables;
//	               only in a build with -tags otlp (see below)
//	-step          step through the run: at every decision (two or more
//	               steps could run next) list them and take the one typed
//	               on standard input (package trace/step); at the end,
//	               print the schedule and the command that replays it
//	-schedule S    replay the deterministic run of schedule S ("3:1,7:2"),
//	               as -step or a failure printed it, with the same -seed
//	-challenge NAME  take a challenge of this example (see
//	               docs/challenges.md): step through the run until its
//	               goal is reached; with -schedule, check that the
//	               schedule reaches it (exit status 1 if not)
//	-explore       run the example under every distinct schedule (at most
//	               10,000 runs; -explore=N: at most N) and print the
//	               verdict: all passed (complete), the bound reached, or
//	               the first failing schedule and the command that
//	               replays it (exit status 1)
//
// -seed and -real exclude each other, -mermaid goes with neither -events
// nor -diagram, and an example takes no argument other than flags: a bad
// command line prints the problem and a usage line and exits with status 2.
//
// -step, -schedule and -challenge are for deterministic mode: each refuses
// -real. -step also refuses -schedule (one replays a run, the other lets
// you choose it), -mermaid (which prints nothing but the diagram) and -otlp
// (a stepped run is run again at every undo; export its replay instead).
// A stepped run's -events, -diagram and -html show the run it ended with.
// -explore is for deterministic mode too, and shows no run: it excludes
// -real, -step, -schedule, -challenge, -events, -diagram, -mermaid, -html
// and -otlp (replay the schedule it prints to see a run).
//
// # The OTLP exporter and the otlp build tag
//
// The OpenTelemetry SDK and its OTLP exporter are large (about twenty
// modules, with gRPC and protobuf), so an example links them only when built
// with the otlp tag:
//
//	go run -tags otlp ./chapters/02-ipc/notifications -otlp
//
// Without the tag an example builds from this module alone, and -otlp
// refuses to run, printing that command (with the example's path and
// arguments). [Config.Exporter] sends the spans elsewhere in any build.
package run
