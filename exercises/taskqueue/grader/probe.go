package grader

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/noex-go/noex/noex"
)

// The requirement "handlers wait and work only through the runtime" is
// checked once per part, not on every run: on the source, by the static
// analyzer where there is one (vet.go), and on a probe run, which runs the
// part's first seed once more, watching what the processes' goroutines do:
//
//   - every sampleEvery, it looks at the goroutine of the process that
//     holds the deterministic scheduler's baton: one found waiting in a
//     blocking call of the student's code (time.Sleep, a channel, a lock)
//     holds up every other process, and its stack says where;
//   - each time a process has finished a message, or its Init, it looks
//     for goroutines that the handler started: a goroutine is not a
//     process, and what it does with the process's ctx escapes the runtime.
//
// Neither fails the probe run, and a process that is merely slow (a loaded
// machine) is not reported: only a goroutine waiting in a blocking call of
// the student's code, or started by it, counts.

// runtimeCheck is what the grader found about the runtime requirement.
type runtimeCheck struct {
	static staticResult // part 1 only
	probe  []string     // what the probe run showed, one sentence each
	plan   plan         // the probe run
	ran    bool
}

func (c runtimeCheck) failed() bool { return len(c.static.findings) > 0 || len(c.probe) > 0 }

// probeRun makes the probe run of plan p and returns what it showed.
func probeRun(impl Impl, p plan) runtimeCheck {
	p.replay, p.probe, p.real = false, true, false
	r := execute(impl, p)
	return runtimeCheck{plan: p, ran: true, probe: r.goroutines}
}

// result is the runtime requirement's result.
func (c runtimeCheck) result(req requirement) Result {
	res := Result{Requirement: req.name, ID: req.id, Findings: c.static.findings}
	if c.ran {
		res.Runs = 1
	}
	var lines []string
	for _, f := range c.static.findings {
		lines = append(lines, f.String())
	}
	lines = append(lines, c.probe...)
	if len(lines) == 0 {
		return res
	}
	res.Failures = 1
	res.tally.probe = len(c.probe) > 0
	res.First = &Failure{Seed: c.plan.seed, Crash: c.plan.crash.String(), Observation: strings.Join(lines, "\n")}
	return res
}

// sampleEvery is how often a probe run looks at the goroutine that holds
// the baton: a handler that blocks for a task's work time (10 ms at least)
// is seen several times.
const sampleEvery = time.Millisecond

// goroutineWatch watches a probe run's goroutines: it is called by the
// run's observer, in the goroutine that emits each event, and samples the
// goroutine of the process that emitted the last one (in deterministic
// mode, the one that holds the baton).
type goroutineWatch struct {
	mu      sync.Mutex
	buf     []byte // the observer's
	seen    map[string]bool
	found   []string
	holder  uint64 // the goroutine that emitted the last event, and its process
	process string
}

// observe notes the goroutine of the process that emitted e, and, when it
// has finished a message or its Init, looks for the goroutines its handler
// started.
func (g *goroutineWatch) observe(e noex.Event) {
	if e.Label == probeLabel || e.PID.IsZero() {
		return
	}
	self := currentGoroutine()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holder, g.process = self, e.Label
	var handler string
	switch e.Kind {
	case noex.MessageHandled:
		handler = handlerName(e.MsgKind)
	case noex.ProcessStarted:
		handler = "Init"
	default:
		return
	}
	if g.buf == nil {
		g.buf = make([]byte, 1<<20)
	}
	n := runtime.Stack(g.buf, true)
	for _, block := range bytes.Split(g.buf[:n], []byte("\n\n")) {
		if where, fn, ok := createdBy(string(block), self); ok {
			g.add(where, fmt.Sprintf("%s: %s's %s started a goroutine (in %s): a goroutine is not a process. The "+
				"runtime cannot order what it does, and in deterministic mode refuses it the process's ctx "+
				"(noex.ErrNotOwner); do the work in the handler itself, or in a process of its own", where,
				procName(e.Label), handler, fn))
		}
	}
}

// add records a finding once per place. g.mu is held.
func (g *goroutineWatch) add(where, finding string) {
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	if !g.seen[where] {
		g.seen[where] = true
		g.found = append(g.found, finding)
	}
}

// sample looks at the baton holder's goroutine every sampleEvery until the
// returned function is called.
func (g *goroutineWatch) sample() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1<<20)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			g.mu.Lock()
			gid, process := g.holder, g.process
			g.mu.Unlock()
			if gid == 0 {
				continue
			}
			st := parseStack(goroutineStack(buf, gid))
			if st.where == "" || !st.blocking() {
				continue
			}
			g.mu.Lock()
			g.add(st.where, fmt.Sprintf("%s: %s blocks outside the runtime (%s waited there, holding up every "+
				"other process)%s", st.where, st.call, process, advice(st.call)))
			g.mu.Unlock()
		}
	})
	return func() { close(done); wg.Wait() }
}

// findings returns what the watch found.
func (g *goroutineWatch) findings() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.found)
}

// goroutineStack returns the stack trace of goroutine gid, or "".
func goroutineStack(buf []byte, gid uint64) string {
	n := runtime.Stack(buf, true)
	prefix := []byte("goroutine " + strconv.FormatUint(gid, 10) + " [")
	for _, block := range bytes.Split(buf[:n], []byte("\n\n")) {
		if bytes.HasPrefix(block, prefix) {
			return string(block)
		}
	}
	return ""
}

// createdBy reports whether the goroutine of a stack trace block was
// created by goroutine gid in the student's code, and where.
func createdBy(block string, gid uint64) (where, fn string, ok bool) {
	i := strings.Index(block, "\ncreated by ")
	if i < 0 {
		return "", "", false
	}
	line, rest, _ := strings.Cut(block[i+len("\ncreated by "):], "\n")
	fn, in, found := strings.Cut(line, " in goroutine ")
	if !found || in != strconv.FormatUint(gid, 10) || isStdFrame(fn) || noexFrame.MatchString(fn) {
		return "", "", false
	}
	m := frameFile.FindStringSubmatch(rest)
	if m == nil {
		return "", "", false
	}
	return filepath.Base(m[1]) + ":" + m[2], fn[strings.LastIndex(fn, "/")+1:], true
}

// currentGoroutine returns the calling goroutine's id.
func currentGoroutine() uint64 {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}

// blocking reports whether the stack shows a goroutine blocked in a
// blocking call of the student's code, rather than merely slow or waiting
// on the Go runtime itself (a garbage collection, say).
func (st stack) blocking() bool {
	switch {
	case st.state == "IO wait":
		return true
	case st.call == "time.Sleep", strings.HasPrefix(st.call, "sync."):
		return true
	case strings.HasPrefix(st.call, "chan ") || strings.HasPrefix(st.call, "select"):
		return true
	}
	return false
}
