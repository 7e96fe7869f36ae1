// Package step runs a noex system step by step with a person as the
// scheduler: at every point of a deterministic run where two or more steps
// could run next, it lists them, numbered, and takes the one the person
// types. The examples of the course use it for -step, the test kit for
// scripted sessions (noextest.StepThrough), and the challenges for goals
// that a person reaches by choosing the order.
//
// # A session
//
// [Run] runs a [Scenario] (a function that starts processes on a fresh
// deterministic runtime and drives them, as an example's phases or a bug
// kernel's program do) on a runtime whose [noex.StepChooser] is the
// session. Steps that are alone in being able to run are taken at once; at
// a decision (see [noex.Decision]) the session writes the enabled steps,
// oldest first, as [noex.Step.String] describes them: a delivery as
// "sender → receiver: call Msg{…}", a timer that is due, a process that
// observes its stop or kill, a process that resumes after a reply, a start
// or a sleep. Then it reads one line:
//
//	0, 1, …  take that step
//	n        the natural order: the oldest step, 0 (an empty line too)
//	r        a random step (drawn from the session's seed)
//	u        undo the last choice typed
//	d        the lane diagram of the run so far (package trace/diagram)
//	c        continue in the natural order to the end of the run
//	q        quit
//	?        list these answers
//
// Anything else gets a one-line hint and the prompt again. The end of the
// input quits, as q does.
//
// The scenario's output (what it writes to the writer it is given) appears
// as it is written, between the decisions, each line marked "│ " so that
// it stands apart from the session's own lines. When the run ends, the
// session says so (and whether the goal was reached, see below) and offers
// one more prompt, where u undoes the last choice and d draws the whole
// run; then it prints the schedule string of the choices and the command
// that replays the run ([WithReplayCommand]). Quitting prints the same for
// the choices made so far.
//
// # Undo
//
// A run cannot go back, but it can be run again: runs are deterministic.
// Undo builds a new runtime and runs the scenario from the start, taking
// the recorded choices up to the one undone, with the scenario's output
// held back (it was shown already), and asks again there. The lines
// printed after that decision belong to the undone run; the session says
// so. Undoing again goes one more choice back.
//
// # Goals
//
// A [Goal] is what a challenge asks for, such as "make the counter read 2
// with two clients". The session checks it at every decision on the run so
// far and once more when the run has ended ([Progress]), says "goal
// reached" the first time it holds, and reports whether it was reached in
// [Result].Reached.
//
// # Determinism
//
// The session is a deterministic runtime's chooser: the same answers give
// the same run, byte for byte, and the schedule string it prints replays
// it with [noex.WithSeed] and [noex.WithSchedule] (or an example's -seed
// and -schedule flags). Random answers come from a generator seeded with
// the session's seed, so a scripted session replays too.
//
// The package depends on the standard library, noex and trace/diagram
// only, so that the test kit can use it.
package step
