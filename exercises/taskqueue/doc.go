// Package taskqueue is the task-queue exercise of the chapter
// "Inter-Process Communication": a skeleton to complete. The statement, the
// requirements and how they are graded are in docs/exercise-task-queue.md.
//
// The system is five kinds of process, all started for you by [Start]:
//
//   - the EventBus, registered as "event-bus";
//   - the [Monitor], registered as "monitor", which tracks completions over
//     the bus;
//   - the [Producer], registered as "producer", which accepts tasks
//     ([System.Enqueue] calls it) and hands them to idle workers;
//   - three [Worker]s, "worker-0" to "worker-2", under a one-for-one
//     supervisor registered as "workers", which tell the producer when they
//     are ready, run tasks and publish a [Completion] on "task.completed".
//
// The types, the messages, the names and the wiring are given. What is left
// is marked TODO: the bodies of System.Enqueue and System.Completions and
// of the three behaviours. The TODO bodies of Enqueue, Completions and the
// handlers return [ErrNotImplemented] (those of Init and dispatch do
// nothing yet); while one of them still runs, the grader reports "not
// solved yet" and which requirements fail, without failing the test. Grade
// your work with
//
//	go test ./exercises/taskqueue -run TestGrade -v
//
// and add -grade.strict to make every unmet requirement fail. Each TODO says
// what its piece must achieve and why, and names the requirement the grader
// checks it by; when you are stuck, -grade.hint gives a hint on the first
// mistake the grader sees, one step more each time you ask. Part 1 is the
// chapter's exercise; part 2 (TODO(part 2)) makes the queue survive a
// worker that crashes in the middle of a task.
//
// Run the demo with
//
//	go run ./exercises/taskqueue/cmd/taskqueue
//
// The reference solution, with the same API, is in solutions/taskqueue: try
// the exercise first.
package taskqueue
