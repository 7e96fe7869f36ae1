package noextest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/noex-go/noex/noex"
)

// ErrInjected is wrapped by the errors of faults injected without an error
// of their own, and by [*InjectedPanic].
var ErrInjected = errors.New("noextest: injected fault")

// ErrBadFault: a fault rule was given invalid arguments.
var ErrBadFault = errors.New("noextest: invalid fault")

// InjectedPanic is the panic value of a fault injected with
// [Faults.PanicOn]: the process crashes with a [*noex.CrashError] whose
// Value is this. Such crashes are expected by definition: they never fail a
// test.
type InjectedPanic struct {
	Proc string // the label of the process
	N    int    // which of its messages
}

// Error says which process and message the panic was injected into.
func (p *InjectedPanic) Error() string {
	return fmt.Sprintf("noextest: injected panic in %s at message %d", p.Proc, p.N)
}

// Unwrap returns [ErrInjected].
func (p *InjectedPanic) Unwrap() error { return ErrInjected }

// Match selects messages for [Faults.Drop] and [Faults.Delay]. A zero field
// matches anything.
type Match struct {
	From, To string             // process labels: the first registered name, or "p<ID>"
	Kind     noex.MsgKind       // call, cast or info
	Msg      func(msg any) bool // a predicate on the message
	Nth      int                // 0: every matching message; n ≥ 1: only the n-th
}

func (m Match) matches(from, to noex.PID, kind noex.MsgKind, msg any) bool {
	return (m.From == "" || m.From == from.Label()) && (m.To == "" || m.To == to.Label()) &&
		(m.Kind == noex.KindNone || m.Kind == kind) && (m.Msg == nil || m.Msg(msg))
}

type sendRule struct {
	m     Match
	drop  bool
	delay time.Duration
	seen  int
	done  bool
}

type panicRule struct {
	proc string
	n    int
	done bool
}

type initRule struct {
	name string
	n    int
	err  error
}

// Faults is a [noex.FaultInjector] driven by rules: drop or delay the
// messages a [Match] selects, make the n-th message a process handles
// panic, make the n-th start under a name fail its Init. The runtime
// records every fault it injects as a FaultInjected event, so faults show in
// the log and replay with the seed. Rules can be added at any time, also
// while a real-mode runtime runs; the methods are safe for concurrent use.
//
// A kit [Runtime] has one attached (see [Runtime.Faults]); to use Faults
// outside tests, attach one with noex.WithFaults(f). Rule methods return an
// error wrapping [ErrBadFault] for invalid arguments; on a kit runtime's
// Faults the error also fails the test.
type Faults struct {
	mu     sync.Mutex
	n      atomic.Int32 // number of rules, so that an unused injector costs nothing
	sends  []*sendRule
	panics []*panicRule
	inits  []*initRule
	report func(error)
}

var _ noex.FaultInjector = (*Faults)(nil)

// NewFaults returns a fault injector with no rules.
func NewFaults() *Faults { return &Faults{} }

func (f *Faults) bad(format string, args ...any) error {
	err := fmt.Errorf("%w: "+format, append([]any{ErrBadFault}, args...)...)
	if f.report != nil {
		f.report(err)
	}
	return err
}

// Drop makes the messages m selects disappear when they are sent: the
// runtime records a FaultInjected "drop" and a MessageDropped event, and a
// dropped call leaves its caller waiting until its timeout.
func (f *Faults) Drop(m Match) error {
	if m.Nth < 0 {
		return f.bad("Drop: Match.Nth is %d; use 0 for every matching message or n ≥ 1 for the n-th", m.Nth)
	}
	f.addSend(&sendRule{m: m, drop: true})
	return nil
}

// Delay makes the messages m selects arrive d later on the runtime's clock
// (recorded as a FaultInjected "delay" event). A delayed message may be
// overtaken by later messages from the same sender.
func (f *Faults) Delay(m Match, d time.Duration) error {
	if m.Nth < 0 {
		return f.bad("Delay: Match.Nth is %d; use 0 for every matching message or n ≥ 1 for the n-th", m.Nth)
	}
	if d <= 0 {
		return f.bad("Delay(%v): the delay must be positive", d)
	}
	f.addSend(&sendRule{m: m, delay: d})
	return nil
}

func (f *Faults) addSend(r *sendRule) {
	f.mu.Lock()
	f.sends = append(f.sends, r)
	f.mu.Unlock()
	f.n.Add(1)
}

// PanicOn makes the n-th message (n ≥ 1) handled by the process labelled
// proc panic with an [*InjectedPanic] before its handler runs, so that the
// process crashes as if its own code had panicked. The rule fires once: a
// restarted process with the same label is not affected.
func (f *Faults) PanicOn(proc string, n int) error {
	if n < 1 {
		return f.bad("PanicOn(%q, %d): messages count from 1", proc, n)
	}
	f.mu.Lock()
	f.panics = append(f.panics, &panicRule{proc: proc, n: n})
	f.mu.Unlock()
	f.n.Add(1)
	return nil
}

// FailInit makes the Init of the n-th server (n ≥ 1) started under name
// ("" for unnamed servers) fail with err, or with an error wrapping
// [ErrInjected] if err is nil; Start then returns an [*noex.InitError].
func (f *Faults) FailInit(name string, n int, err error) error {
	if n < 1 {
		return f.bad("FailInit(%q, %d): starts count from 1", name, n)
	}
	if err == nil {
		err = fmt.Errorf("%w: init of %q (start %d)", ErrInjected, name, n)
	}
	f.mu.Lock()
	f.inits = append(f.inits, &initRule{name: name, n: n, err: err})
	f.mu.Unlock()
	f.n.Add(1)
	return nil
}

// Reset removes every rule.
func (f *Faults) Reset() {
	f.mu.Lock()
	f.sends, f.panics, f.inits = nil, nil, nil
	f.mu.Unlock()
	f.n.Store(0)
}

// Send implements [noex.FaultInjector]: the first rule that selects the
// message decides.
func (f *Faults) Send(from, to noex.PID, kind noex.MsgKind, msg any) (drop bool, delay time.Duration) {
	if f.n.Load() == 0 {
		return false, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.sends {
		if r.done || !r.m.matches(from, to, kind, msg) {
			continue
		}
		r.seen++
		if r.m.Nth > 0 && r.seen != r.m.Nth {
			continue
		}
		r.done = r.m.Nth > 0
		return r.drop, r.delay
	}
	return false, 0
}

// Handle implements [noex.FaultInjector].
func (f *Faults) Handle(pid noex.PID, n int, kind noex.MsgKind, msg any) any {
	if f.n.Load() == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.panics {
		if !r.done && r.n == n && r.proc == pid.Label() {
			r.done = true
			return &InjectedPanic{Proc: r.proc, N: n}
		}
	}
	return nil
}

// Init implements [noex.FaultInjector].
func (f *Faults) Init(name string, n int) error {
	if f.n.Load() == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.inits {
		if r.name == name && r.n == n {
			return r.err
		}
	}
	return nil
}
