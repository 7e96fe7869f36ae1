package grader

// requirement is one thing the exercise asks for, checked on every run of
// its part. check returns "" when the run meets it, else what the run
// showed, in plain words.
type requirement struct {
	id   string // a stable key: hints, JSON output and tests refer to it
	part int
	name string // how reports name it
	// checks says what the grader checks, in one sentence (the docs' table,
	// the test_code of the JSON output).
	checks string
	check  func(x *facts) string
	// needs lists the requirements this one builds on. When one of them
	// fails in a run, a failure of this one in the same run is reported as
	// its consequence, not as a mistake of its own.
	needs  []string
	tasks  bool // meaningless unless some task was enqueued
	replay bool // checked only on the second run of a seed run twice
	crash  bool // checked only on runs in which a worker crashed in the middle of a task
	// global: checked once per part, not on every run: on the source by the
	// static analyzer, and on a probe run (see probe.go).
	global bool
}

// The requirements' ids.
const (
	reqRun       = "run"
	reqRuntime   = "runtime"
	reqEnqueue   = "enqueue"
	reqIDs       = "ids"
	reqCasts     = "casts"
	reqWork      = "work"
	reqPublish   = "publish"
	reqSubscribe = "subscribe"
	reqRecords   = "records"
	reqOnce      = "once"
	reqAll       = "all-workers"
	reqCleanup   = "cleanup"
	reqReplay    = "replay"

	reqMonitors  = "monitors"
	reqRequeue   = "requeue"
	reqRestart   = "restart"
	reqRehired   = "rehired"
	reqNoneLost  = "none-lost"
	reqNoneTwice = "none-twice"
)

// requirements are checked in this order and reported under these names.
// The order follows a task through the system: the client, the producer,
// the workers, the bus, the monitor.
var requirements = []requirement{
	{
		id: reqRun, part: 1, name: "every run starts and comes to rest",
		checks: "Each run starts the system, enqueues 12 tasks, waits for their completions and shuts the system down; it must not fail, deadlock or block outside the runtime, and it must come to rest within 10,000 events.",
		check:  func(*facts) string { return "" },
	},
	{
		id: reqRuntime, part: 1, name: "handlers wait and work only through the runtime",
		checks: "In a probe run, no handler is seen waiting in a blocking call outside the runtime (time.Sleep, a channel, a lock) or starting a goroutine; where the source is given, the static analyzer (noexvet) finds no such call, and no wall-clock read or global randomness either.",
		global: true,
	},
	{
		id: reqEnqueue, part: 1, name: "enqueue is a call that returns the task id",
		checks: "Each Enqueue sends the producer exactly one message, a call that carries the payload, and returns the id the producer answers with.",
		check:  checkEnqueueCall,
	},
	{
		id: reqIDs, part: 1, name: "task ids are unique and deterministic",
		checks: "No id is returned twice; two runs of one seed return the same ids.",
		check:  checkIDs, tasks: true, needs: []string{reqEnqueue, reqRuntime},
	},
	{
		id: reqCasts, part: 1, name: "the producer assigns tasks with casts",
		checks: "Every message that carries a task from the producer to a worker is a cast, and tasks reach workers from the producer only.",
		check:  checkAssignCasts, tasks: true, needs: []string{reqEnqueue, reqIDs},
	},
	{
		id: reqWork, part: 1, name: "workers work in their own process, on the runtime's clock",
		checks: "A worker sends its task's messages from inside its handlers, not after they return; in deterministic mode, the virtual clock moves while it works.",
		check:  checkWork, tasks: true, needs: []string{reqCasts, reqRuntime},
	},
	{
		id: reqPublish, part: 1, name: "workers publish completions on the event bus",
		checks: "A worker that got a task publishes its completion on \"task.completed\", over the bus.",
		check:  checkPublish, tasks: true, needs: []string{reqCasts, reqWork},
	},
	{
		id: reqSubscribe, part: 1, name: "the monitor subscribes to all completions",
		checks: "The monitor holds a subscription matching \"task.completed\" from before the first completion is published.",
		check:  checkSubscribed,
	},
	{
		id: reqRecords, part: 1, name: "the monitor records every completion",
		checks: "Completions calls the monitor, which answers with every completion the bus brought it, as often as it came.",
		check:  checkRecorded, tasks: true, needs: []string{reqPublish, reqSubscribe},
	},
	{
		id: reqOnce, part: 1, name: "each task is processed exactly once",
		checks: "Each task is given to a worker once and completed once.",
		check:  checkExactlyOnce, tasks: true, needs: []string{reqEnqueue, reqIDs, reqCasts, reqAll, reqWork, reqPublish},
	},
	{
		id: reqAll, part: 1, name: "all three workers take part",
		checks: "The producer gives tasks to worker-0, worker-1 and worker-2.",
		check:  checkAllWorkers, tasks: true, needs: []string{reqEnqueue, reqCasts, reqRuntime},
	},
	{
		id: reqCleanup, part: 1, name: "everything is cleaned up after shutdown",
		checks: "Shutdown returns nil; afterwards no name is registered, no process runs, no subscription is left.",
		check:  checkCleanup,
	},
	{
		id: reqReplay, part: 1, name: "the same seed gives the same run",
		checks: "Two runs of one seed give the same event log, line by line.",
		check:  checkReplay, replay: true, needs: []string{reqIDs, reqRuntime, reqWork},
	},
	{
		id: reqRun, part: 2, name: "every run starts and comes to rest",
		checks: "As in part 1, with a worker crashing in the middle of a task.",
		check:  func(*facts) string { return "" },
	},
	{
		id: reqRuntime, part: 2, name: "handlers wait and work only through the runtime",
		checks: "As in part 1 (without the static analyzer), in a probe run with a crash.",
		global: true,
	},
	{
		id: reqMonitors, part: 2, name: "the producer monitors each worker before giving it a task",
		checks: "The producer monitors each worker process before it gives it a task.",
		check:  checkMonitorsWorkers, tasks: true,
	},
	{
		id: reqRequeue, part: 2, name: "the producer requeues the task of a crashed worker",
		checks: "The task the crashed worker held is given again, after the crash, to another worker process.",
		check:  checkRequeue, tasks: true, crash: true, needs: []string{reqMonitors},
	},
	{
		id: reqRestart, part: 2, name: "the supervisor restarts the crashed worker under its name",
		checks: "The supervisor restarts the crashed worker, and the new process registers the worker's name.",
		check:  checkRestart, tasks: true, crash: true,
	},
	{
		id: reqRehired, part: 2, name: "a restarted worker gets tasks again",
		checks: "The restarted worker process gets tasks again: the producer does not give others as many tasks as there are workers while it waits.",
		check:  checkRehired, tasks: true, crash: true, needs: []string{reqRestart},
	},
	{
		id: reqNoneLost, part: 2, name: "no task is lost when a worker crashes",
		checks: "Every task is published as completed.",
		check:  checkNoneLost, tasks: true, needs: []string{reqMonitors, reqRequeue, reqRestart, reqRehired},
	},
	{
		id: reqNoneTwice, part: 2, name: "no task runs twice when a worker crashes",
		checks: "No task is published as completed twice.",
		check:  checkNoneTwice, tasks: true,
	},
	{
		id: reqRecords, part: 2, name: "the monitor records every completion",
		checks: "As in part 1, with the crash.",
		check:  checkRecorded, tasks: true,
	},
	{
		id: reqCleanup, part: 2, name: "everything is cleaned up after shutdown",
		checks: "As in part 1, after the crash and the restart.",
		check:  checkCleanup,
	},
	{
		id: reqReplay, part: 2, name: "the same seed gives the same run",
		checks: "As in part 1, with the crash.",
		check:  checkReplay, replay: true,
	},
}

// partRequirements returns the requirements of part, in order.
func partRequirements(part int) []requirement {
	var out []requirement
	for _, req := range requirements {
		if req.part == part {
			out = append(out, req)
		}
	}
	return out
}

// indexOf returns the index of the requirement id in reqs, or -1.
func indexOf(reqs []requirement, id string) int {
	for i, r := range reqs {
		if r.id == id {
			return i
		}
	}
	return -1
}
