// Package grader grades an implementation of the task-queue exercise
// (docs/exercise-task-queue.md): the skeleton a student completes in
// exercises/taskqueue and the reference solution in solutions/taskqueue
// are graded by the same checks.
//
// It runs the system many times, in deterministic mode under many seeds and
// in real mode, records the runtime's event log of every run, and checks
// each requirement of the exercise on its own, from the log as much as from
// the results: that Enqueue is a call answered with the task id, that the
// producer assigns tasks with casts, that workers publish their completions
// on the EventBus, that the monitor is subscribed and records every
// completion, that every task runs exactly once, that all workers take part,
// and that Shutdown leaves nothing behind. Part 2 crashes a worker in the
// middle of a task (killed while it works, or made to panic on receiving a
// task) and checks that no task is lost or run twice.
//
// [Grade] is the test adapter, one subtest per requirement, named in plain
// words; [Run] is the core, which returns a [Report] instead of failing a
// test. While an implementation still runs a TODO body (it returns its
// ErrNotImplemented), or has not begun part 2, Grade logs which
// requirements fail and does not fail the test, so that the exercise stays
// green in CI until it is solved; with -grade.strict (or NOEX_GRADE=strict)
// and for the reference solution ([Impl].Strict) every failure fails.
//
// A failure names the seed it was seen under and the command that replays
// it: -noex.seed=N grades under that seed only and prints the run's event
// log.
package grader
