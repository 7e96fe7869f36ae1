// Package taskqueue is the reference solution of the task-queue exercise
// of the chapter "Inter-Process Communication" (docs/exercise-task-queue.md),
// with the same API as the skeleton in exercises/taskqueue.
//
// The system is five kinds of process:
//
//   - the EventBus, registered as "event-bus";
//   - the [Monitor], registered as "monitor", subscribed to "task.*" with
//     [noex.SubscribeMailbox], so that every completion arrives in its
//     HandleInfo and is recorded in its state;
//   - the [Producer], registered as "producer": [System.Enqueue] is a call
//     to it that returns the new task's id, and it assigns each task with a
//     cast to an idle worker;
//   - three [Worker]s, "worker-0" to "worker-2", under a one-for-one
//     supervisor registered as "workers". A worker tells the producer it is
//     ready (a cast) when it starts and after each task; it simulates the
//     work with [noex.Sleep] and publishes a [Completion] on
//     "task.completed".
//
// It differs from the chapter's solution where that one is wrong:
//
//   - the Monitor records completions in its state (the chapter's only logs
//     them in a subscription handler, so getCompletions is always empty);
//   - task ids come from a counter and [noex.Rand], so they are unique and
//     the same seed gives the same ids (the chapter uses Date.now and
//     Math.random);
//   - a worker gets a task only when it is idle, and the producer monitors
//     every worker with [noex.Monitor]: when one ends before finishing its
//     task, the producer receives [noex.Down] and puts the task back at the
//     head of the queue. The supervisor restarts the worker, which registers
//     under its name again and tells the producer it is ready. No task is
//     lost and none runs twice.
//
// All of it runs unchanged in real mode and in deterministic mode: the
// workers' work takes virtual time there.
package taskqueue
