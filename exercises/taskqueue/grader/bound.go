package grader

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// Every graded run is bounded, so that a system that never comes to rest (a
// task given out again and again, two processes casting to each other
// forever) fails its run with a message instead of running the grader out of
// time or memory.
const (
	// maxEvents bounds the events of one run: a run of the reference
	// solution takes about 450; a run that reaches the bound is stopped
	// there, at the same event under the same seed.
	maxEvents = 10_000
	// realTimeout bounds the wall time of a real-mode run; detTimeout is a
	// last resort for a deterministic one (the event bound comes first).
	realTimeout = 20 * time.Second
	detTimeout  = 2 * time.Minute
)

// errTooLong is the cause of a run stopped by its bound.
var errTooLong = errors.New("grader: the run went on too long")

// limiter bounds one run: it counts the events as it records them (with the
// wall-clock time of each, which the checks compare with virtual time), and
// once the bound is reached it stops the system from the inside. As the
// run's fault injector (wrapping the grader's own faults), it then makes
// every process of the system crash on the next message it handles, so
// that the run dies down and ends normally, at the same point under the
// same seed. (Cancelling the run's context would also stop it, but leaves
// a deterministic runtime failed, to be torn down with its processes in
// the middle of their waits.) A wall-clock timeout is the last resort.
type limiter struct {
	real   bool
	faults *noextest.Faults
	over   atomic.Bool
	watch  *goroutineWatch // a probe run: finds the goroutines handlers start
	mu     sync.Mutex
	wall   []time.Time
	ctx    context.Context
}

var _ noex.FaultInjector = (*limiter)(nil)

func newLimiter(real bool, faults *noextest.Faults) *limiter {
	return &limiter{real: real, faults: faults}
}

// context returns the context the run's Runs take, and the function that
// releases it.
func (l *limiter) context() (context.Context, func()) {
	timeout := detTimeout
	if l.real {
		timeout = realTimeout
	}
	ctx, stop := context.WithTimeoutCause(context.Background(), timeout, errTooLong)
	l.ctx = ctx
	return ctx, stop
}

// observer returns the runtime observer that records events in rec until
// the bound and stamps each with the wall clock. Events after the bound
// are dropped: the run is failing already.
func (l *limiter) observer(rec *noextest.Recorder) func(noex.Event) {
	return func(e noex.Event) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(l.wall) >= maxEvents {
			l.over.Store(true)
			return
		}
		l.wall = append(l.wall, time.Now())
		rec.Observe(e)
		if l.watch != nil {
			l.watch.observe(e)
		}
	}
}

// Send passes the message on as the grader's faults say.
func (l *limiter) Send(from, to noex.PID, kind noex.MsgKind, msg any) (bool, time.Duration) {
	return l.faults.Send(from, to, kind, msg)
}

// Handle makes the handler panic past the bound (the grader's probe
// excepted), else as the grader's faults say.
func (l *limiter) Handle(pid noex.PID, n int, kind noex.MsgKind, msg any) any {
	if l.over.Load() && pid.Label() != probeLabel {
		return errTooLong
	}
	return l.faults.Handle(pid, n, kind, msg)
}

// Init makes Init fail past the bound, else as the grader's faults say.
func (l *limiter) Init(name string, n int) error {
	if l.over.Load() {
		return errTooLong
	}
	return l.faults.Init(name, n)
}

func (l *limiter) stamps() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.wall)
}

// limitHit says how a run went on too long.
type limitHit struct {
	events  int           // stopped after this many events
	steps   uint64        // stopped by the runtime's step budget
	top     string        // the processes that took the most steps, as the runtime says
	elapsed time.Duration // stopped by the wall-clock timeout
}

// hit reports whether the run was stopped by one of its bounds, given the
// error the run ended with.
func (l *limiter) hit(runErr error) *limitHit {
	if l.over.Load() {
		return &limitHit{events: maxEvents}
	}
	if n, top := budgetExhausted(runErr); n > 0 {
		return &limitHit{steps: n, top: top}
	}
	if l.ctx != nil && errors.Is(context.Cause(l.ctx), errTooLong) {
		timeout := detTimeout
		if l.real {
			timeout = realTimeout
		}
		return &limitHit{elapsed: timeout}
	}
	return nil
}

func (h *limitHit) String() string {
	switch {
	case h.steps > 0:
		return fmt.Sprintf("after %d scheduler steps", h.steps)
	case h.elapsed > 0:
		return fmt.Sprintf("after %v", h.elapsed)
	}
	return fmt.Sprintf("after %d events (a run of a correct solution takes about 450)", h.events)
}

// busiest describes which processes kept a run busy: over the second half
// of its log, the processes that handled the most messages, each with the
// last message it handled, and the task given out most often.
func busiest(x *facts) string {
	evs := x.ev[len(x.ev)/2:]
	type proc struct {
		label string
		n     int
		last  noex.Event
	}
	byPID := map[noex.PID]*proc{}
	for _, e := range evs {
		if e.Kind != noex.MessageReceived || e.Label == probeLabel || e.Label == mainLabel {
			continue
		}
		p := byPID[e.PID]
		if p == nil {
			p = &proc{label: e.Label}
			byPID[e.PID] = p
		}
		p.n++
		p.last = e
	}
	procs := make([]*proc, 0, len(byPID))
	for _, p := range byPID {
		procs = append(procs, p)
	}
	slices.SortFunc(procs, func(a, b *proc) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.last.Seq, b.last.Seq)
	})
	var parts []string
	for _, p := range procs[:min(3, len(procs))] {
		parts = append(parts, fmt.Sprintf("%s handled %d messages (the last one: %s from %s, %s)", p.label, p.n,
			p.last.MsgKind, p.last.PeerLbl, shorten(noex.FormatMessage(p.last.Msg), 100)))
	}
	out := ""
	if id, n := x.mostGiven(); n > 2 {
		out = fmt.Sprintf("The producer gave task %s to workers %d times. ", id, n)
	}
	if len(parts) == 0 {
		return out + "No process handled a message in the second half of the run"
	}
	return out + "What kept the system busy, over the second half of the run: " + strings.Join(parts, "; ")
}

// mostGiven returns the task given to workers most often, and how often.
func (x *facts) mostGiven() (string, int) {
	best, n := "", 0
	for _, id := range x.ids {
		if k := len(x.assignments(id)); k > n {
			best, n = id, k
		}
	}
	return best, n
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
