package grader

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/noex-go/noex/noex"
)

// The requirement "handlers wait and work only through the runtime" is
// checked once per part, not on every run: on the source, by the static
// analyzer where there is one (vet.go), and on a probe run, which runs the
// part's first seed once more
//
//   - under a watchdog of diagWatchdog: a handler that blocks outside the
//     runtime (time.Sleep, a channel, a lock) for a task's work time fails
//     the run, and its stack says where;
//   - watching, each time a process finishes a message, for goroutines
//     that its handler started: a goroutine is not a process, and what it
//     does with the process's ctx escapes the runtime.
//
// A process that is merely slow (a loaded machine) is not reported: only a
// goroutine waiting in a blocking call of the student's code counts.

// runtimeCheck is what the grader found about the runtime requirement.
type runtimeCheck struct {
	static staticResult // part 1 only
	probe  []string     // what the probe run showed, one sentence each
	plan   plan         // the probe run
	ran    bool
}

func (c runtimeCheck) failed() bool { return len(c.static.findings) > 0 || len(c.probe) > 0 }

// probeRun makes the probe run of plan p and returns what it showed. A run
// stopped by the watchdog whose stack shows no blocking call (the process
// was caught running, on a loaded machine, or just as its call returned)
// is made again, up to probeTries times.
func probeRun(impl Impl, p plan) runtimeCheck {
	p.replay, p.diag, p.real = false, true, false
	c := runtimeCheck{plan: p, ran: true}
	for range probeTries {
		r := execute(impl, p)
		c.probe = r.goroutines
		var esc *noex.EscapeError
		if !errors.As(r.runErr, &esc) {
			break
		}
		if st := parseStack(esc.Stack); st.where != "" && st.blocking() {
			c.probe = append(c.probe, fmt.Sprintf("%s: %s blocks outside the runtime (%s stopped there and held up "+
				"every other process)%s", st.where, st.call, esc.Process, advice(st.call)))
			break
		}
	}
	return c
}

// probeTries bounds the probe runs of a part.
const probeTries = 3

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

// goroutineWatch finds the goroutines a process's handlers start: called
// by the run's observer (in the goroutine that emits the event) when a
// process has finished a message, or its Init, it looks for goroutines
// created by the calling goroutine in the student's code.
type goroutineWatch struct {
	buf   []byte
	seen  map[string]bool
	found []string
}

func (g *goroutineWatch) observe(e noex.Event) {
	var handler string
	switch {
	case e.Kind == noex.MessageHandled && e.Label != probeLabel:
		handler = handlerName(e.MsgKind)
	case e.Kind == noex.ProcessStarted && e.Label != probeLabel:
		handler = "Init"
	default:
		return
	}
	if g.buf == nil {
		g.buf, g.seen = make([]byte, 1<<20), map[string]bool{}
	}
	self := currentGoroutine()
	n := runtime.Stack(g.buf, true)
	for _, block := range bytes.Split(g.buf[:n], []byte("\n\n")) {
		where, fn, ok := createdBy(string(block), self)
		if !ok || g.seen[where] {
			continue
		}
		g.seen[where] = true
		g.found = append(g.found, fmt.Sprintf("%s: %s's %s started a goroutine (in %s): a goroutine is not a process. "+
			"The runtime cannot order what it does, and in deterministic mode refuses it the process's ctx "+
			"(noex.ErrNotOwner); do the work in the handler itself, or in a process of its own", where, procName(e.Label),
			handler, fn))
	}
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

// blocking reports whether the stack shows a goroutine blocked in a call
// of the student's code, rather than merely slow.
func (st stack) blocking() bool {
	return slices.Contains([]string{"sleep", "chan receive", "chan send", "select", "semacquire", "IO wait",
		"sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait", "sync.Cond.Wait"}, st.state) ||
		strings.HasPrefix(st.state, "chan receive") || strings.HasPrefix(st.state, "select")
}
