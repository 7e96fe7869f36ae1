// Package mutant is a task queue with switchable mistakes, for the grader's
// own tests: with no [Mistakes] it solves both parts of the exercise; each
// mistake breaks (mostly) one requirement, the way a student might.
//
//noexvet:ignore the mistakes escape the runtime on purpose, for the grader's own tests
package mutant
