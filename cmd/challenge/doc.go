// Command challenge lists the course's challenges and takes one: you are
// the scheduler of a small program, and you must choose the order of its
// steps so that something happens (a notification is missed, a counter
// reads 2, a task is lost). docs/challenges.md says what each teaches.
//
//	go run ./cmd/challenge                                   # the list
//	go run ./cmd/challenge counter-reads-2                   # take one
//	go run ./cmd/challenge counter-reads-2 -schedule "1:1"   # check a schedule
//
// Taking a challenge is a step-through session (package trace/step): at
// every point where two or more steps could run next, the session lists
// them and takes the one you type, by its number, or n (the oldest), r
// (random), u (undo), d (the diagram so far), c (the oldest to the end), q
// (quit). It says when the goal is reached, and prints the schedule of your
// choices and the command that replays it, which checks the goal again
// and exits with status 1 if the schedule does not reach it.
//
// A challenge on a bug kernel (package bugbench) runs here; a challenge on
// a chapter example runs in that example (go run ./chapters/02-ipc/fanout
// -challenge webhook-first), which this command starts for you.
//
// Flags, before or after the name:
//
//	-seed N       the seed of the runtime (default 1): it seeds noex.Rand and r
//	-schedule S   replay schedule S and check the goal instead of stepping
package main
