// Package bugbench is a benchmark of concurrency bugs in actor programs.
// Each [Kernel] is a small noex program with a bug that only some
// schedules expose, a property that detects it, and the same program with
// the bug fixed. Run on many seeds of a deterministic runtime, the kernels
// measure how quickly an exploration strategy finds bugs: the share of
// runs that find each one, and how many runs it takes to find it first.
//
// # Programs
//
// A [Program] runs one scenario on a fresh deterministic runtime that the
// caller built (with [noex.WithSeed], or any other choice of schedule) and
// returns nil if the property held, an error wrapping [ErrViolation] if
// it did not (the message says what went wrong in the program's terms,
// such as "counter is 1 after two increments"), and any other error if
// the run itself failed. A program sets its processes up in one
// [noex.Runtime.Run] and, once the system is quiescent, checks the
// property in a second one; it never shuts the runtime down, so that the
// caller can shut it down and check that nothing leaked. Every program
// uses only the runtime for time and randomness and ends with no timer
// pending: one seed gives one run, event for event.
//
// The bugs are bugs of message ordering, the freedom an actor runtime
// has: which of two senders' messages a receiver handles first, which of
// two timers due at the same instant fires first, whether a stop, a kill
// or a crash comes before or after a message, whether a name is looked up
// before or after it changes hands. None relies on breaking per-pair FIFO,
// which the runtime guarantees, and none draws random numbers.
//
// # Bug depth
//
// A kernel's Depth is its bug depth d in the sense of PCT (Burckhardt et
// al., ASPLOS 2010): the number of ordering constraints between steps of
// different processes that a schedule must meet for the bug to show. A
// constraint is one step coming before another one of another process:
// a message handled before another one at the same receiver, a stop or a
// kill before a process handles a message. Its Why field lists them.
// Depth 1 is an order violation, depth 2 typically an atomicity
// violation (a step that falls between two steps of another process).
// PCT finds a bug of depth d in a run of k decisions among n chains with
// probability at least 1/(n·k^(d−1)); uniform random choice has no such
// bound, and finds the deep kernels below in under 5% of runs.
//
// The deep kernels' flows are as long as those of the protocols they
// model: a standby's takeover acquires a lease, catches up with the
// journal, updates the service directory and opens its term; a Raft
// candidate runs a pre-vote round before its election; a transfer writes
// at two shards before it asks to commit. A schedule that shows such a bug
// must hold a step back while a long flow runs past it, and the chance
// that uniform random choice does so shrinks exponentially with the
// flow's length, where PCT's bound does not depend on it.
//
// # Kernels
//
// The kernels, in the order [Kernels] returns them:
//
//   - lost-update (depth 2): two clients increment a counter by get-then-set.
//     Source: the chapter, "Combining call() and cast()": the counter. The bug
//     shows when both reads come before either write: client-1's Get is
//     handled before client-2's Set, and client-2's Get before client-1's Set.
//   - whereis-stop (depth 2): whereis-then-call races a stop of the service
//     found. Source: the chapter, "Registry Decouples Components": the order
//     service. The bug shows when the stopper's Stop begins before the order
//     service's whereis, and the whereis comes before the user service has
//     finished stopping and released its name.
//   - lazy-subscribe (depth 1): a service subscribes in Init without waiting
//     and misses an event. Source: the chapter, "Practical Example: Order
//     Processing Pipeline": the inventory's init. The bug shows when the bus
//     handles the publication of order.created before the inventory's
//     Subscribe.
//   - sender-order (depth 1): an audit log assumes that messages from two
//     senders arrive in the order they were sent. Source: the chapter,
//     "Example: Building a Notification System": the printed order. The bug
//     shows when the audit log handles the payment service's Paid before the
//     order service's Created.
//   - task-lost (depth 2): the task queue loses a task when a worker is
//     killed. Source: the chapter's exercise, the task queue
//     (exercises/taskqueue, part 2). The bug shows when the producer casts a
//     task to worker-0 before the chaos process kills worker-0, and the kill
//     comes before worker-0 handles that cast.
//   - order-violation (depth 1): a client uses a server before the server is
//     configured. Source: classic order violation (use before initialisation).
//     The bug shows when the database handles the client's query before main's
//     configure.
//   - check-then-act (depth 2): two clients withdraw after checking the
//     balance in a separate call. Source: classic atomicity violation across
//     two calls. The bug shows when both balance checks come before either
//     withdrawal: client-1's check is handled before client-2's withdrawal,
//     and client-2's check before client-1's withdrawal.
//   - stale-ref (depth 1): a client keeps the reference of a server that its
//     supervisor restarts. Source: classic stale reference after a supervisor
//     restart. The bug shows when kv handles the chaos process's crash before
//     the client's call through its kept reference.
//   - late-reply (depth 1): a client retries after a timeout although the late
//     request still succeeds. Source: classic timeout racing a late reply. The
//     bug shows when the bank handles the reporter's statement before the
//     checkout's debit, which then ends after the shopper's timeout.
//   - monitor-late (depth 1): a watcher monitors a job that may already have
//     ended. Source: classic monitor set after its target died (noproc). The
//     bug shows when the job handles main's run and stops before the watcher
//     handles main's watch and sets its monitor.
//   - timer-tie (depth 1): a failure detector suspects a live node when its
//     check and the heartbeat are due together. Source: classic bug that needs
//     a timer tie. The bug shows when at one whole second, where the
//     detector's check timer and the node's beat timer are due at the same
//     instant, the detector handles its check before the node's heartbeat.
//   - restart-register (depth 1): a restarted service's registration races its
//     old instance's deregistration. Source: classic supervisor restart racing
//     a registration. The bug shows when the directory handles the new api
//     process's registration (sent from its Init) before the old one's
//     deregistration (sent from its Terminate) or before the old one's own
//     registration.
//   - lost-wakeup (depth 2): a consumer looks for a job, then waits for a bell
//     that already rang. Source: classic lost wake-up (missed notification).
//     The bug shows when the consumer's take is handled before the producer's
//     put, and the bell handles the producer's ring before the consumer's
//     wait.
//   - stale-cache (depth 3): a look-aside cache keeps a value that the
//     database has replaced. Source: classic stale set in a look-aside cache
//     (what memcache's leases prevent). The bug shows when the cache handles
//     the first update's delete (from the tailer, through the router) before
//     the reader's get, a miss; the database handles the reader's read before
//     the writer's second update; the cache handles the second update's delete
//     before the reader's fill.
//   - id-reuse (depth 3): a client writes by session id after its session was
//     closed and the id given to another. Source: classic ABA problem (a
//     reused identifier). The bug shows when the session server handles
//     client-a's open before the reaper's list of idle sessions, the reaper's
//     close of client-a's session (after the abandoned one's) before
//     client-c's open, and client-c's open before client-a's write.
//   - double-dispatch (depth 3): a dispatcher hears of a worker's death before
//     its completion and runs the task again. Source: classic double dispatch
//     (completion and failure by different paths). The bug shows when the
//     chaos process kills worker-1 after the store has saved worker-1's output
//     and before worker-1 is back from deleting its scratch copy; the
//     dispatcher handles worker-1's Down before the completion, which the
//     relay and the bus carry.
//   - stale-leader (depth 3): a deposed active's append, checked under its old
//     lease, lands after the new active's. Source: classic lease without a
//     fencing token (check-then-act across processes). The bug shows when the
//     lease server handles node-a's check before the admin's revoke, and the
//     revoke before node-b's acquire; the journal handles node-b's term
//     marker, the end of its takeover (acquire, catch-up read, directory
//     update, marker), before node-a's append.
//   - stale-append (depth 3): a Raft node applies an append of a deposed
//     leader over a committed entry. Source: classic missing term check in
//     Raft's AppendEntries (a stale leader's message). The bug shows when n1
//     handles the client's write before n2's vote request; n2 handles its
//     election timeout before n1's append; a node that stored n2's first entry
//     handles n1's append after it.
//   - forgotten-commit (depth 3): a two-phase commit coordinator forgets a
//     commit that a participant then learns as a presumed abort. Source:
//     classic premature forgetting in presumed-abort two-phase commit. The bug
//     shows when p2 handles the prepare before its recovery agent's list of
//     in-doubt transactions; the coordinator handles the last vote (decides
//     and forgets) before the agent's question; p2 handles the agent's abort
//     before the coordinator's commit.
//
// The first five are races of the course chapter on inter-process
// communication; the others are classic concurrency bugs rewritten as
// actors.
package bugbench
