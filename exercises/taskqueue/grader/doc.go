// Package grader grades an implementation of the task-queue exercise
// (docs/exercise-task-queue.md): the skeleton a student completes in
// exercises/taskqueue and the reference solution in solutions/taskqueue
// are graded by the same checks.
//
// It runs the system many times, in deterministic mode under many seeds and
// in real mode, records the runtime's event log of every run, and checks
// each requirement of the exercise on its own, from the log as much as from
// the results: that Enqueue is one call that carries the task and returns
// its id, that the producer assigns tasks with casts, that workers work in
// their own process on the runtime's clock and publish their completions on
// the EventBus, that the monitor is subscribed and records every completion
// the bus brought it, that every task runs exactly once, that all workers
// take part, that Shutdown leaves nothing behind, and that every run comes
// to rest. Part 2 crashes a worker in the middle of a task (killed while it
// holds one, or made to panic on receiving one) and checks that the task
// is requeued, the worker restarted and given tasks again, and that no task
// is lost or run twice.
//
// # One mistake, one message
//
// Each component is judged on what it received (the monitor on the
// completions the bus brought it, the producer on the tasks it gave out, a
// worker on the tasks it got), so that a correct component is never blamed.
// A requirement lists those it builds on; when one of them fails in a run,
// its own failure in that run is a consequence, reported with the mistake
// it follows from ([Result].Cause), after the mistakes ([PartReport.Ordered]).
// A run that breaks (it does not start, deadlocks, blocks outside the
// runtime, or does not come to rest) is the mistake of one requirement, and
// the others are not checked on it. Each failure says what was run ("Seen in
// 8 of 200 seeds (deterministic mode) ..."), and each part ends with its
// verdict ([PartReport.Verdict]).
//
// Every run is bounded: at 10,000 events the grader makes the system's
// processes crash on their next message, so that the run dies down at the
// same point under the same seed, and reports the processes that kept it
// busy; the runtime's step budget backs that up, and a run that stops
// responding is given up.
//
// The requirement that handlers wait and work only through the runtime is
// checked on a probe run per part, which samples the goroutine of the
// process holding the deterministic scheduler's baton (one waiting in a
// blocking call of the student's code is reported with its file and line)
// and looks for the goroutines handlers start; and, where the source's
// directory is given ([Impl].Dir), by the static analyzer noexvet, run when
// a requirement it may explain fails ([VetMode]). Its findings are that
// requirement's mistakes, and the failures they explain follow from them.
//
// # Using it
//
// [Grade] is the test adapter, one subtest per requirement, named in plain
// words; [Run] is the core, which returns a [Report] instead of failing a
// test. While an implementation still runs a TODO body (it returns its
// ErrNotImplemented), or has not begun part 2, Grade logs which
// requirements fail and does not fail the test, so that the exercise stays
// green in CI until it is solved; with -grade.strict (or NOEX_GRADE=strict)
// and for the reference solution ([Impl].Strict) every failure fails.
//
// The deterministic runs take noex's exploration strategies in turn, seed
// by seed (the portfolio: uniform random choice, PCT of depths 1 to 3 and
// POS), so that orders a uniform walk rarely takes are graded too;
// -noex.strategy (or NOEX_STRATEGY) grades under one strategy instead
// ([Config].Strategy).
//
// A failure names the seed it was seen under and the command that replays
// it: -noex.seed=N grades under that seed only and prints the run's event
// log (with the same strategy: the seed chooses it). -grade.json=FILE (or NOEX_GRADE_JSON) also writes the results in the
// shape of Exercism's results.json, version 3 ([Report.Exercism]);
// -grade.hint shows a hint on the first mistake, one step more each time
// ([HintText]); -grade.vet=auto|always|never says when noexvet runs.
package grader
