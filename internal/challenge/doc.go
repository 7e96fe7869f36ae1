// Package challenge is the catalogue of the course's challenges: programs
// whose outcome depends on the order in which their messages are handled,
// each with a goal that a person reaches by choosing that order in a
// step-through session (package trace/step).
//
// A challenge runs either a bug kernel of package bugbench (its buggy
// program; cmd/challenge runs these) or a chapter example (the example
// runs it itself, with -challenge NAME). Its goal is checked on the run:
// on the kernel's property (broken, or kept where the natural order breaks
// it) or on the example's output. Each challenge's test checks that a
// known schedule reaches the goal and that the natural order does not.
// docs/challenges.md lists them, with what each teaches.
package challenge
