package challenge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/step"
)

// Challenge is one challenge.
type Challenge struct {
	Name string    // how it is chosen: go run ./cmd/challenge <Name>
	Goal step.Goal // what to reach, and the check
	// Setup says who is who in the program, for the session's start.
	Setup string
	// Teaches says what reaching the goal shows, for docs/challenges.md.
	Teaches string
	// Hint points at the order to look for, without giving it away.
	Hint string
	// Kernel is the bugbench kernel whose buggy program the challenge
	// runs, or "" for a chapter example's challenge.
	Kernel string
	// Example is the directory of the chapter example that runs the
	// challenge ("chapters/02-ipc/fanout"), or "" for a kernel's.
	Example string
}

// Command is the command that takes the challenge, from the module's root.
func (c Challenge) Command() string {
	if c.Example != "" {
		return "go run ./" + c.Example + " -challenge " + c.Name
	}
	return "go run ./cmd/challenge " + c.Name
}

// Scenario returns the program a kernel's challenge steps through: the
// kernel's buggy program, on the session's runtime. It is nil for an
// example's challenge, which the example runs.
func (c Challenge) Scenario() step.Scenario {
	if c.Kernel == "" {
		return nil
	}
	for _, k := range bugbench.Kernels() {
		if k.Name == c.Kernel {
			prog := k.Buggy
			return func(ctx context.Context, rt *noex.Runtime, _ io.Writer) error { return prog(ctx, rt) }
		}
	}
	return nil
}

// ErrUnknown is wrapped by the error of [Find] for a name that is not a
// challenge.
var ErrUnknown = errors.New("challenge: no such challenge")

// Find returns the challenge called name.
func Find(name string) (Challenge, error) {
	all := All()
	for _, c := range all {
		if c.Name == name {
			return c, nil
		}
	}
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = c.Name
	}
	return Challenge{}, fmt.Errorf("%w %q; the challenges are %s", ErrUnknown, name, strings.Join(names, ", "))
}

// broken is the goal of a kernel challenge whose property must break.
func broken(text string) step.Goal {
	return step.Goal{Text: text, Reached: func(p step.Progress) bool {
		return p.Done && errors.Is(p.Err, bugbench.ErrViolation)
	}}
}

// kept is the goal of a kernel challenge whose property the natural order
// breaks: the run must end without error.
func kept(text string) step.Goal {
	return step.Goal{Text: text, Reached: func(p step.Progress) bool { return p.Done && p.Err == nil }}
}

// before is the goal of an example challenge on its output: line a is
// printed while line b has not been yet.
func before(text, a, b string) step.Goal {
	return step.Goal{Text: text, Reached: func(p step.Progress) bool {
		lines := p.Lines()
		i, j := slices.Index(lines, a), slices.Index(lines, b)
		return i >= 0 && (j < 0 || i < j)
	}}
}

// All returns every challenge, easiest first.
func All() []Challenge {
	return []Challenge{
		{
			Name:   "late-monitor",
			Kernel: "monitor-late",
			Goal:   broken("make the watcher report that the job failed, although it ended normally"),
			Setup: "main starts a watcher and a job, casts the watcher watch{Job} (monitor that job) and " +
				"casts the job runJob{} (do your work and stop normally).",
			Teaches: "A monitor set on a process that has already ended fires at once, with \"not running\" " +
				"as the reason (Erlang's noproc): the watcher cannot tell a job that succeeded from one that " +
				"never existed. Monitor first, then let the job run.",
			Hint: "Who should handle their cast first?",
		},
		{
			Name:   "missed-event",
			Kernel: "lazy-subscribe",
			Goal:   broken("make the inventory miss order o1, which is published after it started"),
			Setup: "main starts the event bus and the inventory, then publishes order.created for order o1. " +
				"The inventory's Init does not subscribe: it sends itself subscribeNow{} and subscribes when it handles it.",
			Teaches: "A subscription made after Init returns (the chapter's subscribe-without-waiting) is a " +
				"message like any other: a publication can reach the bus before it. Subscribe in Init and " +
				"wait for the bus, as noex.SubscribeMailbox does.",
			Hint: "Two messages are on their way: the inventory's reminder to itself and main's publication.",
		},
		{
			Name:    "early-query",
			Kernel:  "order-violation",
			Goal:    broken("make the client query the database before it is configured"),
			Setup:   "main starts a database (registered, but without a connection yet), then a client that finds it by name and queries it, then casts the database its configuration.",
			Teaches: "Registered is not ready: a server found by name may not have received its configuration. Configure it in Init (or before registering it), so that nothing can reach it unconfigured.",
			Hint:    "The configuration and the query come from different processes.",
		},
		{
			Name:   "paid-before-created",
			Kernel: "sender-order",
			Goal:   broken("make the audit log hear that order o1 was paid before it hears that it was created"),
			Setup: "The order service casts the audit log \"o1 created\", then calls the payment service, " +
				"which casts the audit log \"o1 paid\". The audit log rejects a payment for an order it does not know.",
			Teaches: "Messages from one process to another arrive in the order they were sent; messages " +
				"from two senders have no order between them, even when one was sent because of the other.",
			Hint: "Created and Paid come from different senders.",
		},
		{
			Name:   "counter-reads-2",
			Kernel: "lost-update",
			Goal:   kept("make the counter read 2 with two clients that each add one"),
			Setup: "Two clients each add one to a counter by reading it (a call, counterGet{}) and writing " +
				"what they read plus one (a cast, counterCast{Set:true}). In the natural order the counter ends at 1.",
			Teaches: "A read and a write are two messages, and another client's can come between them: " +
				"get-then-set loses updates unless one client's pair is handled before the other's read. " +
				"The fix is a message that makes the counter add one itself.",
			Hint: "Let one client finish both of its messages before the other reads.",
		},
		{
			Name:   "no-overdraft",
			Kernel: "check-then-act",
			Goal:   kept("make the two withdrawals of 80 leave the account at 20, not at -60"),
			Setup: "An account holds 100. Two clients each ask for the balance (a call) and, if it covers 80, " +
				"withdraw 80 (a second call). In the natural order both see 100 and the account ends at -60.",
			Teaches: "Each call is atomic; a check in one call and the action in the next are not. " +
				"The fix is one call that checks and withdraws.",
			Hint: "The second client's check must come after the first client's withdrawal.",
		},
		{
			Name:   "lost-wakeup",
			Kernel: "lost-wakeup",
			Goal:   broken("make the consumer wait for the bell although its job is in the queue"),
			Setup: "A consumer takes a job from the queue and, finding none, asks the bell to wake it. " +
				"The producer puts a job in the queue, then rings the bell; a bell with nobody waiting does nothing.",
			Teaches: "The classic lost wake-up: look, then wait, with the signal falling in between. " +
				"Ask to be woken first, then look.",
			Hint: "The consumer must find the queue empty, and the ring must reach the bell before the consumer's wait.",
		},
		{
			Name:   "lost-task",
			Kernel: "task-lost",
			Goal:   broken("make the task queue lose a task"),
			Setup: "A producer gives tasks t1 and t2 to idle workers (worker-0, worker-1, under a supervisor) " +
				"with a cast; workers cast ready{} when they start and after each task. A chaos process kills worker-0.",
			Teaches: "A task cast to a worker that dies before handling it dies with it: the producer must " +
				"monitor its workers and put the task of a dead one back in the queue (the exercise's part 2).",
			Hint: "worker-0 must be given a task and be killed before it handles it.",
		},
		{
			Name:   "live-node",
			Kernel: "timer-tie",
			Goal:   kept("make the failure detector never suspect the node, which sends a heartbeat every second"),
			Setup: "The detector checks every second that a heartbeat came since its last check; the node " +
				"sends one every second. At each whole second both timers are due at once. " +
				"In the natural order the check fires first and the detector suspects a live node.",
			Teaches: "Timers due at the same instant have no order: the scheduler picks one. A protocol must " +
				"not depend on a tie; the fix beats twice per period.",
			Hint: "At every tie, the heartbeat must reach the detector before its check.",
		},
		{
			Name:    "webhook-first",
			Example: "chapters/02-ipc/fanout",
			Goal: before("make the webhook notify the external system of u2 before email has welcomed u1",
				"[webhook] external system notified of u2", "[email] welcome message sent to u1"),
			Setup: "The fan-out example: the bus delivers user.registered for u1, then for u2, to three " +
				"subscribers, email, analytics and webhook, each in its own process.",
			Teaches: "Subscribers are independent: each handles u1 before u2 (one sender, one receiver), " +
				"but nothing orders one subscriber's work against another's.",
			Hint: "Deliver both publications to the webhook first.",
		},
	}
}
