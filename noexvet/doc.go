// Package noexvet is a static analyzer that finds escapes from noex's
// deterministic runtime before they run.
//
// Deterministic mode controls only what goes through the runtime. A handler
// that calls time.Sleep runs without a word: virtual time stands still, the
// watchdog fires only after seconds of wall time, and every test passes
// while the code is wrong for the real clock. The same holds for time.Now,
// global math/rand, raw goroutines, channels and mutexes in handlers, for
// map order that reaches another process, and for I/O. [Analyzer] reports
// each at its line, naming what the runtime offers instead:
//
//	worker.go:31: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)
//
// Run it as a command, through go vet, or from Go with [Check]:
//
//	go run github.com/noex-go/noex/cmd/noexvet ./...
//	go install github.com/noex-go/noex/cmd/noexvet
//	go vet -vettool=$(go env GOPATH)/bin/noexvet ./...
//
// # The deterministic path
//
// The analyzer checks the code that runs inside the runtime, which it finds
// from these entries in each package:
//
//   - the methods Init, HandleCall, HandleCast, HandleInfo and Terminate of
//     every named type whose method set has the shape of a noex.Behavior
//     (Init(ctx) (S, error), HandleCall(ctx, C, S) (R, S, error) and
//     HandleCast(ctx, K, S) (S, error)), generic types included: every type
//     passed to noex.Start or noex.ServerChild has that shape, and so does
//     every type written to be one, started or not;
//   - the function given to noex.Subscribe (an EventBus handler), to
//     (*noex.Runtime).Run, to (*noextest.Runtime).Run and RunErr, and to
//     noextest.ProbeReplies;
//   - the Start function of a noex.ChildSpec, in a composite literal or an
//     assignment (spec.Start = f);
//   - a function given as a value of a function type marked //noexvet:root
//     (see below), as an argument or in a conversion.
//
// An entry given as a function literal is checked in place; given by name
// (a function or a method value), its declaration is checked. Code outside
// these entries (main, a test's setup, a benchmark's timing) may use the
// wall clock, goroutines and the rest freely: it is not reported.
//
// # How calls are followed
//
// From each entry the analyzer follows static calls, transitively and to
// any depth, into every function and method of the module: of the same
// package, and of the module's other packages through facts (analysis
// facts: each function of the module that escapes, directly or through its
// callees, carries the first escape on its shortest chain of calls, and
// the chain). Such a call is reported at the call site, with the chain and
// the place of the escape:
//
//	handler.go:12: calls pace.Wait, which calls time.Sleep at pace.go:9: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)
//
// The body of a function literal is part of the function that defines it:
// a closure defined in a handler and called there (or handed to
// sort.Slice, or kept for later) is checked as the handler's code. The
// body of a go statement is not checked: the statement is the escape.
//
// Not followed: calls through an interface (the dynamic type is not
// known), calls of function values (a parameter, a field, a variable),
// calls into other modules and the standard library (only the rules below
// apply there), and calls into the runtime's own packages. A method
// promoted from an embedded type of another package is checked through its
// fact and reported at the type that embeds it.
//
// The runtime's own packages, github.com/noex-go/noex/noex and the packages
// under it, are neither checked nor followed into: they implement the
// deterministic path, and their channels, locks and clock are what the
// runtime schedules. Every other package of the module is checked,
// noextest included. Packages outside the main module are not checked.
//
// # Rules
//
// Each finding has a rule ([Finding.Rule], the diagnostic's category):
//
//   - [RuleTime]: time.Now, time.Since, time.Until (read the wall clock; use
//     noex.Now(ctx)); time.Sleep (use noex.Sleep(ctx, d)); time.After,
//     time.Tick, time.NewTimer, time.NewTicker, time.AfterFunc (use
//     noex.SendAfter(ctx, to, msg, d) and take msg in HandleInfo);
//     context.WithTimeout and WithDeadline (a wall-clock deadline; bound the
//     call with noex.WithTimeout(d)). A use as a value (clock := time.Now)
//     is reported too.
//   - [RuleRand]: the functions of math/rand and math/rand/v2 that use the
//     global source (rand.Intn, rand.IntN, rand.Shuffle, rand.Seed, …; use
//     noex.Rand(ctx), a *math/rand/v2.Rand seeded from the runtime's seed),
//     and the functions of crypto/rand. A source the code makes and seeds
//     itself (rand.New(rand.NewPCG(1, 2))) replays with its seed and is not
//     reported, nor are the methods of a *rand.Rand.
//   - [RuleGoroutine]: a go statement (start a process with noex.Start, or
//     send a message with noex.Send or noex.SendAfter).
//   - [RuleChannel]: a channel send, a receive, a range over a channel, a
//     select statement (reported once, not its cases). Making and closing a
//     channel are not reported.
//   - [RuleSync]: sync.Mutex.Lock, sync.RWMutex.Lock and RLock,
//     sync.WaitGroup.Wait, sync.Cond.Wait and sync.Once.Do: the waits.
//     Unlock, TryLock, sync.Map and sync/atomic do not wait.
//   - [RuleMapOrder]: a range over a map (or over maps.Keys, maps.Values or
//     maps.All of one) whose body sends (a noex Call, Cast, Send, Publish,
//     SendAfter, Start, Stop…), replies ((*noex.Deferred).Reply), writes
//     output (fmt.Print*, fmt.Fprint*, log, log/slog, io.WriteString, a
//     Write method on a writer that outlives the loop), appends to a slice
//     that outlives the loop (a variable declared before it, or a field of
//     the state) and is not sorted later in the same function (sort.Strings,
//     sort.Slice, slices.Sort, slices.SortFunc, … with it as first
//     argument), or builds a string with += that outlives the loop. The
//     advice is to range over slices.Sorted(maps.Keys(m)). A loop that
//     sums, counts, copies into another map or deletes is not reported, nor
//     one whose order reaches a send only through a function it calls.
//   - [RuleIO]: network, file and process I/O: the functions of net that
//     dial, listen and look up, the methods of its connections and
//     listeners; http.Get, Head, Post, ListenAndServe…, the methods of
//     *http.Client, *http.Server and *http.Transport; the file functions of
//     os (Open, Create, ReadFile, WriteFile, Remove, Stat, …) and the I/O
//     methods of *os.File; the Run, Start, Wait and Output methods of
//     *exec.Cmd; net/rpc and net/smtp. os.Getenv and the like are not I/O.
//   - [RuleIgnore]: a //noexvet:ignore without a reason, or //noexvet:root
//     on something other than a function type.
//
// # Suggested fixes
//
// Where the rewrite is mechanical, a finding carries a suggested fix
// (applied by the command's -fix flag, or shown by -diff):
//
//	time.Sleep(d)  →  noex.Sleep(ctx, d)
//	time.Now()     →  noex.Now(ctx)
//	time.Since(t)  →  noex.Now(ctx).Sub(t)
//	time.Until(t)  →  t.Sub(noex.Now(ctx))
//	rand.X(…)      →  noex.Rand(ctx).Y(…)
//
// where Y is X for math/rand/v2 and the v2 name for math/rand (Intn→IntN,
// Int31n→Int32N, Int63→Int64, …; rand.Read, rand.Seed and rand.N have no
// equivalent method and no fix). A fix is offered only where a
// context.Context parameter of an enclosing function (the handler's ctx,
// or the entry's own) is in scope and not shadowed; it adds the import of
// noex when the file lacks it (and the driver drops imports the fix leaves
// unused).
//
// # Silencing and marking
//
// A comment
//
//	//noexvet:ignore <reason>
//
// silences the findings on its own line and on the next one; in a
// function's doc comment, it silences the whole function, the calls it
// makes and the functions it hands to the runtime, and the function no
// longer counts as escaping for its callers; in the doc comment of a file's
// package clause, it silences the whole file (deliberately wrong code, such
// as the mutants a grader tests itself on). The reason is required: a
// directive without one (or followed only by another comment) silences
// nothing and is itself reported.
//
// A function type whose doc comment holds
//
//	//noexvet:root
//
// marks its values as entries of the deterministic path: a function given
// where the type is expected (an argument, a conversion) is checked like a
// Run body. The examples' run.Phase is one.
//
// # Precision
//
// The rules are syntactic and may be wrong both ways: a buffered channel
// used as a queue within one handler, or a mutex only its process takes,
// are reported though they cannot block; a clock behind an interface, a map
// order that reaches a send through a helper, or a process id in a message
// are not. The measured figures, on a corpus of handler snippets in
// testdata/corpus, are in docs/deterministic-mode.md.
package noexvet
