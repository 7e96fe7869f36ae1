// Package noextest is the test kit for noex systems: a runtime per test in
// deterministic mode, control of virtual time, the event log as plain data
// with ordering checks, registry and subscription checks, probes, fault
// injection, many-seed runs and a determinism check. Property-based
// schedule testing with rapid lives in the subpackage noexrapid, so that
// this package depends only on the standard library, go-cmp and noex.
//
// # Runtimes
//
// [New] returns a [Runtime] for one test: a [noex.Runtime] in deterministic
// mode that records every event and has a [Faults] injector attached.
//
//	func TestCounterAddsCasts(t *testing.T) {
//		rt := noextest.New(t) // deterministic; seed from -noex.seed, NOEX_SEED or random
//		rt.Run(func(ctx context.Context) error { ... })
//		rt.ExpectHandled("counter",
//			noextest.Message{Kind: noex.KindCast, Msg: Add{N: 2}},
//			...)
//	}
//
// The seed comes from the -noex.seed flag, else the NOEX_SEED environment
// variable, else it is random ([WithSeed] pins it). Every failure the kit
// reports, and every failed test that used the runtime, prints it with the
// command that replays the run exactly, with the package named from the
// module's root so that the line works pasted there:
//
//	[noex] seed=42 To reproduce, specify: go test ./counter -run '^TestCounterAddsCasts$' -noex.seed=42
//
// followed by the end of the run as a sequence diagram (package
// trace/diagram) and the last events of the log. With [WithReport](dir),
// or -noex.html=DIR for every test, a failing test also writes its run
// report into the directory: one self-contained HTML page (package
// trace/report) to step through the run, with the causal slice of its
// first failure highlighted and the replay command. When the test ends, t.Cleanup
// stops the kit's probes, checks that nothing is left running
// ([CheckNoLeaks]: processes, registered names, pending timers, bus
// subscriptions), shuts the runtime down, and checks the whole log for
// crashes ([CheckNoCrashes]) and for errors that handlers returned and no
// caller received ([CheckNoHandlerErrors]), failing the test with every
// violation and the event that caused it. [AllowLive], [ExpectCrashes] and
// [AllowErrors] declare what a test means to leave or to cause; [Real]
// runs the same test in real mode with the same checks.
//
// # Time
//
// [Runtime.Run] runs a body as a process and returns when the body has
// returned and the system is quiescent: nothing queued, nothing being
// handled. The virtual clock (from [noex.Epoch]) moves only while
// something waits on it: [Runtime.Advance] lets a duration pass and
// returns when every timer due by then has fired and its consequences
// have been handled; [Runtime.AdvanceNext] jumps to the next timer;
// rt.Now reads the clock. None of this takes wall time.
//
// # Clients
//
// [Go] starts a client, a process that runs a function and ends, so that a
// test drives several concurrent callers in either mode (a plain goroutine
// cannot use a process's context in deterministic mode); [Client.Wait]
// returns the function's result, or an error wrapping [ErrClientEnded] if
// the client ended first.
//
// # The event log
//
// [Runtime.Events] (or a [Recorder] attached to any runtime) gives the log
// as [Event] values: plain data, with processes as labels and reasons and
// errors as text, compared with cmp.Diff; [IgnoreTimes] and [IgnoreIDs]
// drop what a test does not pin. [Recorder.Text] is the log as text, the
// same byte for byte for the same seed.
//
// # Ordering
//
// The ordering checks take patterns, Events in which a zero field matches
// anything ([Matches]): [CheckSubsequence] (these events in this order),
// [CheckHappensBefore] (causally, with [HappensBefore]'s vector clocks
// built from per-process order, send→receive links and wake-ups, not from
// Seq), [CheckFIFO] (every sender→receiver pair handled in sending order)
// and [CheckHandled] (exactly these messages, see [Handled]). A failure
// shows want and got as a cmp diff.
//
// # Registry and subscriptions
//
// [CheckRegistered], [CheckNotRegistered], [CheckNames], [CheckEnded] (a
// process that ended left no name and no subscription behind),
// [CheckRestarted] (a name now points to a new process, as after a
// supervisor restart), [CheckChildRestarted] (a supervisor restarted a
// child into a new process) and [CheckSubscriptions] (a bus's live
// patterns).
//
// # Probes
//
// A [Probe] is a process for code under test to talk to, as Akka's
// TestProbe, on virtual time: [Runtime.NewProbe] starts one ([ProbeName]
// registers it, [ProbeReplies] answers its calls, [ProbeSubscribe]
// subscribes it to a bus); [Probe.ExpectMsg], [Probe.ExpectNoMsg] and
// [Probe.FishFor] wait for what it receives. A waiting probe parks its
// asker; the clock jumps to the deadline only when nothing else can run.
//
// # Faults
//
// [Faults] is the runtime's [noex.FaultInjector]: [Faults.Drop] and
// [Faults.Delay] act on the messages a [Match] selects, [Faults.PanicOn]
// makes the n-th message of a process panic, [Faults.FailInit] fails the
// n-th start under a name, and [Runtime.Crash] kills a process with a
// reason. The runtime records each as an event, so faults replay with the
// seed.
//
// # Many seeds and determinism
//
// [Seeds] runs a scenario as one subtest per seed (under -v with a
// progress line); a failing seed prints the command that reruns exactly
// it. [CheckDeterminism] runs a scenario twice per seed and returns a
// [*DivergenceError] naming the first event at which the runs differ, the
// sign of code that escapes the runtime (wall clock, math/rand, map order).
//
// # Stepping through
//
// [StepThrough] runs a scenario as a step-through session (package
// trace/step, the -step of the course's examples) answered by a script,
// one answer a line as a person types them, and returns the session: the
// choices, the schedule that replays them, the last run's events,
// decisions and output, and the transcript. A test checks what a decision
// offers, or replays the schedule in a kit runtime with
// WithRuntimeOptions(noex.WithSchedule(s.Schedule)).
//
// # Two layers
//
// Every check has a core that returns an error, usable outside tests
// (CheckX, and the Probe's Receive methods from a Run body), and a t
// adapter (Runtime.ExpectX, [VerifyDeterminism]) that fails the test with
// the error, the seed, the reproduction line and the tail of the log. The
// adapters take the small [TB] interface, which *testing.T, *testing.B and
// *rapid.T satisfy, call Helper first and own their teardown with Cleanup.
package noextest
