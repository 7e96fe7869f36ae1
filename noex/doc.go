// Package noex runs Erlang/Elixir-style processes in Go: GenServers that
// talk by [Call] (request and reply) and [Cast] (fire and forget), find each
// other by name in a [Registry], broadcast on an EventBus with wildcard
// topics, and run under Supervisors. One [Runtime] runs them in one of two
// modes behind the same API:
//
//   - real mode (the default): every process is a goroutine with an
//     unbounded FIFO mailbox, time is the wall clock, Go's scheduler
//     interleaves processes;
//   - deterministic mode ([WithSeed]): one process runs at a time, a seeded
//     scheduler chooses every interleaving and a virtual clock drives every
//     timer, so one seed replays exactly one run, byte for byte, and many
//     seeds explore many runs.
//
// The same user code runs unchanged in both modes.
//
// # Runtimes
//
// A [Runtime] owns the processes, the Registry, the clock, the scheduler and
// the event stream; two runtimes never see each other. Code runs inside
// [Runtime.Run], whose body is itself a process (labelled "main"):
//
//	rt := noex.NewRuntime(noex.WithSeed(1))
//	err := rt.Run(ctx, func(ctx context.Context) error {
//		calc, err := noex.Start(ctx, Calculator{})
//		...
//		sum, err := calc.Call(ctx, Add{A: 5, B: 3})
//		...
//	})
//	rt.Shutdown(ctx)
//
// Run returns when its body has returned and the runtime is quiescent: no
// message is queued or being handled. Pending timers do not keep it going.
// Every operation takes the ctx of the process performing it (Run's body or
// a handler); that is how the runtime knows who sends what. The ctx of a
// process that has ended (a Run body's once Run has returned, a stopped
// server's kept by a goroutine) is stale: using it fails with an error
// wrapping [ErrNotRunning] ([ErrKilled] for a killed process), in both
// modes. A ctx that is already cancelled makes Start, Call, Stop, Wait and
// Sleep fail at once with its error, in both modes.
//
// [Runtime.Shutdown] stops every live process, newest first, then closes
// the runtime. It always goes through all of them: a process that crashes,
// is killed or ends abnormally while the runtime shuts down (a Terminate
// that panics, a message queued before the stop that panics, a poison
// message a Terminate sends) is reported, not a reason to stop early. Its
// error joins every abnormal end, each a [*CallError] naming the process
// (errors.Is(err, [ErrCrashed]) tells whether something crashed); if its
// ctx ends first, the processes still alive are killed and named. Either
// way nothing is left running, registered or pending.
//
// # Servers
//
// A server implements [Behavior] with state type S, call type C, cast type K
// and reply type R; [Start] returns a typed [Ref], and the compiler checks
// the messages given to its methods [Ref.Call] and [Ref.Cast], whose
// parameters are the server's own types C and K (so Add is accepted where
// the call type is an interface that Add implements). A [Name] is a typed
// registered name with the same methods, usable wherever a Ref is; the
// functions [Call] and [Cast] take either. Handlers run one message at a
// time.
//
//   - Call blocks for the reply. Its timeout is [DefaultCallTimeout] (5 s)
//     unless [WithTimeout] says otherwise; it wraps [ErrTimeout] and names the
//     server and the timeout. A call that times out while still queued is
//     never handled. A call to the calling server itself fails at once with
//     [ErrCallSelf]. In deterministic mode the timeout fires exactly on the
//     virtual clock; in real mode never early, and late by at most a 32nd
//     of the timeout or 100 µs, whichever is more (plus the Go scheduler's
//     latency): a process's calls share one timer, which a stream of calls
//     only checks now and then.
//   - Cast and [Send] never block. Messages from one process to another are
//     handled in the order they were sent. Cast returns an error wrapping
//     [ErrNotRunning] when the server does not take messages, and the log
//     records the refused message as a [MessageDropped] event.
//   - An error returned by HandleCall goes back to the caller, unwrapped; an
//     error returned by HandleCast is recorded as a [MessageHandled] event
//     with Err set. In both cases the server keeps its previous state and
//     runs on.
//   - A panic in any handler crashes the process: Terminate (see
//     [Terminator]) runs with a [*CrashError] carrying the stack, every name
//     is released, every pending and queued caller gets an error wrapping
//     [ErrCrashed] (never a timeout), queued casts are dropped, each with a
//     [MessageDropped] event, and monitors receive [Down].
//   - runtime.Goexit, which t.FailNow, t.Fatal and require helpers call, is
//     a crash too, wherever the runtime runs user code: in a handler, Init,
//     Terminate, a bus handler or a child's start function, in both modes.
//     The [*CrashError]'s value wraps [ErrGoexit] and says where it was
//     called. A Goexit cannot be recovered (the goroutine ends): in a bus
//     handler it crashes the bus, in a child's start function the
//     supervisor. A Goexit in a Run body ends Run with such an error.
//   - [Stop] lets the messages already queued be handled, runs Terminate,
//     releases the names and returns; from the moment it is called, new
//     messages are refused with [ErrNotRunning]. A Terminate that panics (or
//     calls Goexit) makes the end a crash: Stop returns it, the
//     [ProcessCrashed] event and monitors carry it. [Kill] ends a process
//     at once without Terminate. [Wait] blocks until a process has ended.
//   - A cycle of Stops and Waits (a stops b while b stops a, or waits for
//     it) never resolves on its own. Deterministic mode sees the whole
//     system and fails the run with a [*DeadlockError] once nothing can
//     progress; real mode cannot tell that, but sees the cycle as it
//     closes and fails its waits with a [*DeadlockError] naming it, and the
//     processes go on. (Calls and starts have timeouts, which end their
//     cycles in both modes.)
//   - Init runs inside Start, bounded by [DefaultInitTimeout] (see
//     [WithInitTimeout]); a name given with [WithName] is registered before
//     Init runs, so the server is findable before it can receive its first
//     message. If Init fails, panics or times out, Start returns an
//     [*InitError] and nothing stays registered or running.
//
// A handler may Call other servers (the chapter's router calls its channel
// handlers from HandleCall), Start servers, Stop itself (Stop then returns at
// once and the stop takes effect after the current message), and answer a
// call later with [DeferReply].
//
// # Registry
//
// Each runtime has one [Registry]: [Registry.Register], [Registry.Unregister],
// [Registry.Lookup] (error wrapping [ErrNotRegistered]), [Registry.Whereis]
// (ok bool), [Registry.IsRegistered], [Registry.Names] (sorted),
// [Registry.Count]. A process may hold several names; all of them are
// released atomically when it ends, by stop, crash or kill, before Stop or
// Kill returns, before monitors receive [Down] and so before a supervisor
// restarts it. A lookup never returns a process that has ended. A duplicate
// name gives a [*NameTakenError] naming the holder.
//
// # Monitors and timers
//
// [Monitor] makes the runtime send the calling process a [Down] message (to
// its HandleInfo, see [InfoHandler]) when the target ends, with the exit
// reason; at once if it has already ended. Exit reasons are errors: nil is a
// normal exit, [ErrShutdown] an orderly shutdown, a [*CrashError] a panic.
// [SendAfter] delivers a message to HandleInfo after a delay on the runtime's
// clock and returns a cancellable [Timer]. [Now], [Sleep] and [Rand] give
// handlers the runtime's time and randomness: in deterministic mode
// handlers must use them instead of time.Now, time.Sleep and math/rand.
//
// # EventBus
//
// [StartBus] starts an EventBus, a server like any other: a [Bus] is a Ref,
// so it can be named (the chapter's WithName("event-bus"), found again with
// [BusName]), monitored, stopped and supervised. [Subscribe] runs a [Handler]
// for every publication whose topic matches a pattern and returns the
// function that ends the subscription; [SubscribeMailbox] instead sends each
// one as a [Publication] to the subscriber's HandleInfo, the safe way to
// update its state. [Publish] is a cast and returns at once; [PublishSync]
// returns once every matching handler has run, a barrier for tests;
// [SubscriptionCount] and [Patterns] inspect the bus.
//
// Topics and patterns are dot-separated, non-empty segments
// ("user.created"). In a pattern a "*" segment matches exactly one segment:
// "user.*" matches "user.created" but neither "user" nor
// "user.profile.updated", and "*" alone matches every topic. The empty
// string, empty segments, leading or trailing dots, a '*' inside a segment
// and a '*' in a topic are rejected with a [*TopicError] wrapping
// [ErrInvalidTopic]; [MatchTopic] is the matcher.
//
// Handlers run inside the bus process, one at a time, in subscription order
// across all patterns. A panicking handler is recovered on its own and
// recorded as a [Delivered] event with a [*CrashError]; neither the bus nor
// the other handlers notice. A subscription belongs to the process that
// made it (Init included) and ends with it, however it ends: from then on it
// is not counted and receives only what its owner itself published, and the
// bus removes it ([Unsubscribed]) when it handles the owner's [Down]. A
// service that subscribes in Init and is restarted therefore has exactly one
// subscription, where noex's would pile up.
//
// # Supervision
//
// [StartSupervisor] starts a supervisor: a server that starts its children
// ([ChildSpec], or [ServerChild] for a Behavior) in order, monitors them, and
// restarts those that end according to their [Restart] type (Permanent
// always, Transient unless the reason is nil or [ErrShutdown], Temporary
// never) and its [Strategy]: OneForOne restarts the child alone, OneForAll
// stops the others in reverse start order and starts them all again in
// order, RestForOne does so for the child and those started after it. Ends
// are noticed through monitors, never by polling, and a dead child's names
// are released before the supervisor hears of its end, so a restarted named
// child registers cleanly. Restart intensity (at most MaxRestarts restarts
// within Within, by default 3 in 5 s) is measured on the runtime's clock;
// exceeding it stops every child and ends the supervisor with a
// [*MaxRestartsError], which [Wait], [Stop] and a parent supervisor see.
// Supervisors can be named, nested into trees, and managed at run time
// ([StartChild], [TerminateChild], [RestartChild], [DeleteChild], [Children],
// [ChildPID]); [InspectSupervisor] tells a supervisor's strategy, intensity,
// restarts and start time. See [StartSupervisor] for the exact rules.
//
// [Runtime.Processes] lists the live processes with what each is doing
// ([ProcessInfo]: status, messages queued, messages handled, start time).
//
// # Events
//
// Every runtime action emits one [Event]: process started, stopped, crashed;
// message sent, received, handled, dropped; reply; timer set, fired,
// cancelled; registered, unregistered; monitor set and down; subscribed,
// unsubscribed, published, delivered; child started, restarted, stopped;
// clock advanced; fault injected; stop and kill requested (by whom, of
// whom, why: a [Stop] or [Kill] as it begins, before the target ends).
// Events carry a sequence number, the time,
// the process (and its label, the first name it registered), the peer, the
// message, and Parent: the sequence number of the event that caused it (the
// MessageReceived of the message whose handling performed the action). Read
// them with [Runtime.Observe]; [Event.String] is a stable one-line form. With
// no observer attached, no event is even built. An observer that panics is
// detached and the next Run or Shutdown to return reports it with an error
// wrapping [ErrObserverPanic]; the processes go on.
//
// # Deterministic mode
//
// A runtime created with [WithSeed], [WithChooser] or [WithSchedule] is
// deterministic. These are its rules; tests and the test kit rely on them.
//
// One process runs at a time. The scheduler hands a baton to one process
// goroutine; it runs until it blocks in a runtime operation (waiting for a
// message, a call's reply, a Start, Stop or Wait, a Sleep) or ends, and then
// hands the baton back.
//
// A step is one of: deliver the oldest message of one sender→receiver queue
// to a receiver that is waiting for messages; resume a process whose wait is
// over (a reply arrived, a Start, Stop or Wait completed, a timer woke it);
// let a receiving process observe its stop or kill; fire a due timer. At
// every point the enabled steps are ordered by when each became enabled,
// oldest first, and when two or more are enabled (a decision) the runtime's
// strategy picks one. The enabled steps are kept up to date as they become
// enabled and disabled, so a step costs O(log n) for n enabled steps, never
// a scan of the processes.
//
// The strategy ([WithStrategy]) draws whatever randomness it needs from the
// [Chooser]: by default a PCG generator seeded with the seed. "random" (the
// default) picks uniformly: its draw is the index of the step. "pct" gives
// every chain of causally ordered steps (a step, the first message, wake-up
// or timer it causes, and so on) a random priority, runs the highest, and
// at d−1 random decisions among the first k drops the running chain below
// all others. "pos" gives every step a random priority when it becomes
// enabled, runs the highest, and redraws the priorities of the steps on the
// process a step ran on. "portfolio" runs the (seed mod 5)-th of
// [Portfolio]. Every strategy treats a draw of 0 as the natural order: a
// chooser that always answers 0 runs the oldest step every time (messages
// in the order they were sent, timers in the order they were set), under
// any strategy. A [StepChooser] is a strategy of one's own; it sees each
// step's [Step] description, as [Runtime.ObserveDecisions] does.
//
// Guaranteed orders: messages from one process to another are handled in
// the order they were sent (Erlang's guarantee); a [Down] comes after every
// message its target sent the watcher; a process's own actions happen in
// program order; a reply comes before anything the caller does next; each
// publication reaches a bus's subscriptions in subscription order, and the
// publications of one process reach a subscription in the order they were
// published. Not
// guaranteed, and varied by the seed: the order in which messages from
// different senders reach one receiver; the order of timers due at the same
// instant; which of several ready processes runs first.
//
// Time is virtual. The clock starts at [Epoch], midnight UTC on 1 January
// 2000, as in testing/synctest. It advances only when no step is enabled:
// it then jumps to the earliest pending timer, and every timer due at that
// instant becomes enabled at once (their order is the chooser's). Call
// timeouts, init timeouts, SendAfter, Sleep and, in supervisors, shutdown
// timeouts and restart-intensity windows all use it. After Run's body has
// returned, Run returns as soon as no step is enabled and no handler is in
// the middle of a message, as real mode's Run does; later timers (a
// SendAfter, a ticker's next tick) stay pending for the next Run.
//
// The seed is chosen by the caller ([WithSeed]); the test kit noextest takes
// it from the -noex.seed flag or the NOEX_SEED variable, else draws one at
// random, and prints it with a reproduction line on failure. A seed and a
// strategy in full ([Runtime.Strategy], [ResolveStrategy]) replay a run.
// [Runtime.Schedule] returns the choices of a run as a string ("decision:choice"
// pairs for every decision that did not take the oldest step), which
// [WithSchedule] replays exactly whatever the strategy that made it;
// property-based tests drive [WithChooser] from rapid so that a failing schedule shrinks towards the natural order.
//
// [Explore] runs a scenario under every distinct schedule, once each. Two
// schedules are the same when they differ only in the order of steps that
// commute: steps on different processes, unless one changes what the other
// reads (a registered name, whether a process takes messages, its
// monitors, the wait a reply and a timeout race for, a timer that fires or
// is cancelled); steps on one process never commute, and timers due at the
// same instant are a choice like any other. A step is named by the
// processes involved, counted in creation order from their creator, so the
// name survives a different interleaving of starts. State the processes
// share outside the runtime (a writer they all print to, a variable behind
// a mutex) is invisible to it: steps that only share such state count as
// commuting unless the code declares the state with [Runtime.Touch].
//
// The contract: the same seed gives the same event log ([Event.String], line
// for line) on every run, with the race detector, with any GOMAXPROCS. Code
// that reads the wall clock, global randomness or Go map order on the
// deterministic path breaks it; so do messages whose formatting is unstable.
//
// Escapes are reported, not tolerated. A process that holds the baton and
// blocks outside the runtime (on time.Sleep, a raw channel, a mutex, I/O)
// for longer than the watchdog ([WithWatchdog], default [DefaultWatchdog],
// wall clock) fails the run with an [*EscapeError] giving its name, its stack
// and a hint. A run in which nothing can progress and no timer is pending
// fails at once with a [*DeadlockError] that lists the wait-for cycle (for
// example "main waits for a (wait), a waits for main (wait)"). A run that
// never goes idle (a process that keeps sending itself work, a producer
// that outruns its consumer) fails once it has taken more steps than its
// budget ([WithStepBudget], default [DefaultStepBudget], counted per Run)
// with a [*StepBudgetError] naming the processes that took the most steps
// and the last message each handled. A failed run leaves the runtime
// unusable: later Runs return the failure. A goroutine
// the runtime does not own (one a handler started) that uses a process's
// context while that process is not running gets [ErrNotOwner]; one that does
// so while its process holds the baton cannot be told apart and races.
// (In real mode such a goroutine may use a live process's context: the two
// modes must differ here, since deterministic mode runs one goroutine at a
// time.) For the same reason a context cancelled while an operation waits
// ends the wait in real mode only: in deterministic mode the wait ends by
// the runtime's own means (a reply, an end, a timeout on the virtual clock),
// and the ctx given to Run, if it ends, aborts the whole run.
//
// In real mode all of this is Go's business: the same code runs with
// goroutines, the wall clock and real concurrency.
//
// # Errors
//
// Every error wraps a sentinel of this package ([ErrTimeout],
// [ErrNotRunning], [ErrCrashed], [ErrNotRegistered], [ErrNameTaken], …) so
// callers test with [errors.Is]; typed errors ([*CallError], [*InitError],
// [*CrashError], [*NameTakenError], [*RegistryError], [*BadMessageError],
// [*DeadlockError], [*EscapeError], [*StepBudgetError]) carry the context
// for [errors.As]. Bad input (a nil behaviour, an empty or taken name, a ref
// of another runtime, a message of the wrong type, an invalid option) gives
// an error, never a panic from the runtime and never a hang.
package noex
