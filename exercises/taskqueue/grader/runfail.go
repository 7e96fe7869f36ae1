package grader

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/noex-go/noex/noex"
)

// runFailure is why a run could not be judged: it did not start, did not
// come to rest, deadlocked or blocked outside the runtime. req is the
// requirement the failure is the mistake of.
type runFailure struct {
	req  string
	obs  string
	slow bool // it took a bound or a watchdog to notice
	// foreign: the runtime was used from outside its processes, which the
	// work requirement may say more precisely.
	foreign bool
}

// runFailed says why the run broke, if it did.
func (x *facts) runFailed() (runFailure, bool) {
	r := x.r
	switch {
	case r.startErr != nil:
		return runFailure{req: reqRun, obs: x.startFailure()}, true
	case r.setupErr != nil:
		return runFailure{req: reqRun, obs: r.setupErr.Error()}, true
	case r.limit != nil && r.limit.top != "":
		return runFailure{req: reqRun, obs: fmt.Sprintf("the run never came to rest: the runtime stopped it %s. The "+
			"busiest processes: %s", r.limit, r.limit.top), slow: true}, true
	case r.limit != nil:
		return runFailure{req: reqRun, obs: fmt.Sprintf("the run never came to rest: the grader stopped it %s. %s",
			r.limit, busiest(x)), slow: true}, true
	case r.runErr != nil:
		f := describeRunErr(r.runErr)
		if f.foreign && len(x.ids) > 0 {
			if obs := checkWork(x); obs != "" {
				f.req, f.obs = reqRuntime, obs+". Then "+f.obs
			}
		}
		return f, true
	}
	return runFailure{}, false
}

// startFailure names what made Start fail: a process's Init, if one failed.
func (x *facts) startFailure() string {
	for _, e := range x.ev {
		if e.Kind == noex.InitFailed {
			return fmt.Sprintf("Start failed: the %s's Init returned an error: %v", e.Label, e.Err)
		}
	}
	return fmt.Sprintf("Start failed: %v", x.r.startErr)
}

// describeRunErr turns the error a run ended with into a failure.
func describeRunErr(err error) runFailure {
	var esc *noex.EscapeError
	var dl *noex.DeadlockError
	switch {
	case errors.Is(err, errHung):
		return runFailure{req: reqRuntime, slow: true, obs: fmt.Sprintf("the run stopped responding, and the grader "+
			"gave it up after %v: the runtime waited for a process that something outside it was using. That happens "+
			"when a goroutine that is not a process (one a handler started?) uses a process's ctx. Handlers must do "+
			"their work themselves, in their process", hangAfter)}
	case errors.As(err, &esc):
		f := describeEscape(esc)
		f.slow = true
		return f
	case errors.As(err, &dl) && len(dl.Cycle) > 0:
		return runFailure{req: reqRun, obs: fmt.Sprintf("the run deadlocked: the processes wait for each other and none can go "+
			"on: %s. A process must not call one that may be calling it", strings.Join(dl.Cycle, ", "))}
	case errors.As(err, &dl) && len(dl.Blocked) > 0:
		return runFailure{req: reqRun, obs: fmt.Sprintf("the run deadlocked: nothing could go on, and no timer was pending; "+
			"waiting: %s", strings.Join(dl.Blocked, ", "))}
	case errors.As(err, &dl):
		return runFailure{req: reqRuntime, foreign: true, obs: "the run stopped with nothing able to go on, although no process was waiting for " +
			"another and no timer was pending: something outside the processes used a process's ctx (a goroutine " +
			"started in a handler?) and left the runtime waiting for it. Handlers must do their work themselves, " +
			"in their process"}
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	return runFailure{req: reqRun, obs: "the run failed: " + first}
}

// describeEscape says where a process blocked outside the runtime, in the
// student's terms: which call, in which file and line of their code. It is
// the mistake of the runtime requirement.
func describeEscape(esc *noex.EscapeError) runFailure {
	req := reqRuntime
	st := parseStack(esc.Stack)
	switch {
	case st.where != "" && st.call != "":
		return runFailure{req: req, obs: fmt.Sprintf("%s: %s blocks outside the runtime (%s stopped there, holding up every "+
			"other process, for %v)%s", st.where, st.call, esc.Process, esc.Waited, advice(st.call))}
	case st.inRuntime:
		return runFailure{req: req, foreign: true, obs: fmt.Sprintf("%s was found waiting inside the runtime while the runtime counted it as "+
			"running: something else used its ctx at the same time, most likely a goroutine started in one of its "+
			"handlers (go func ...). A goroutine is not a process: do the work in the handler itself", esc.Process)}
	}
	return runFailure{req: req, obs: fmt.Sprintf("%s blocked outside the runtime for %v (time.Sleep, a channel, a lock or "+
		"I/O?): in a handler, wait only through the runtime (noex.Sleep, noex.Call)", esc.Process, esc.Waited)}
}

// advice says what to use instead of a blocking call.
func advice(call string) string {
	switch {
	case call == "time.Sleep":
		return "; use noex.Sleep(ctx, d), which waits on the runtime's clock and lets the others run"
	case strings.HasPrefix(call, "sync."):
		return "; a process's state is its own: share nothing, send messages"
	case strings.Contains(call, "chan") || call == "select":
		return "; processes talk by messages (Call, Cast), not by channels"
	}
	return "; in a handler, wait only through the runtime (noex.Sleep, noex.Call)"
}

// stack is what parseStack finds in a goroutine's stack trace.
type stack struct {
	state     string // the goroutine's state: "sleep", "chan receive", "running"
	call      string // the blocking call, as the student wrote it: "time.Sleep", "chan receive"
	where     string // the innermost frame of the student's code: "worker.go:31"
	inRuntime bool   // the goroutine waits inside noex itself
}

var (
	frameFunc = regexp.MustCompile(`^(\S+)\(.*\)$`)
	frameFile = regexp.MustCompile(`^\t(.+):(\d+)`)
	noexFrame = regexp.MustCompile(`^github\.com/noex-go/noex/(noex|noextest|exercises/taskqueue/grader)\.`)
	goState   = regexp.MustCompile(`^goroutine \d+ \[([^,\]]+)`)
)

// parseStack reads a goroutine's stack trace (runtime.Stack's format): the
// blocking call is named by the outermost standard-library frame above the
// student's code (or the goroutine's state), the place by the innermost
// frame of the student's code.
func parseStack(s string) stack {
	var st stack
	lines := strings.Split(s, "\n")
	if len(lines) > 0 {
		if m := goState.FindStringSubmatch(lines[0]); m != nil {
			st.state = m[1]
		}
	}
	var fn, lastStd string
	for _, l := range lines[1:] {
		if m := frameFunc.FindStringSubmatch(l); m != nil {
			fn = m[1]
			continue
		}
		m := frameFile.FindStringSubmatch(l)
		if m == nil || fn == "" {
			continue
		}
		switch {
		case noexFrame.MatchString(fn):
			st.inRuntime = true // blocked in noex itself, whatever called it
			return st
		case isStdFrame(fn):
			lastStd = fn
		default:
			st.where = filepath.Base(m[1]) + ":" + m[2]
			st.call = stdCall(lastStd, st.state)
			return st
		}
		fn = ""
	}
	return st
}

// isStdFrame reports whether a stack frame's function is the standard
// library's: the first element of its package path has no dot.
func isStdFrame(fn string) bool {
	first, _, _ := strings.Cut(pkgOf(fn), "/")
	return !strings.Contains(first, ".")
}

// pkgOf returns the package path of a function named as in a stack trace:
// "time" for "time.Sleep", "example.com/a/b" for "example.com/a/b.(*T).M".
func pkgOf(fn string) string {
	slash := strings.LastIndex(fn, "/")
	dot := strings.Index(fn[slash+1:], ".")
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}

// stdCall names a blocking standard-library call from its outermost frame
// in the standard library and the goroutine's state.
func stdCall(fn, state string) string {
	switch {
	case state == "chan receive" || state == "chan send" || state == "select":
		return state
	case strings.HasPrefix(fn, "time.Sleep") || fn == "" && state == "sleep":
		return "time.Sleep"
	case strings.HasPrefix(fn, "sync."):
		return "sync." + strings.NewReplacer("(*", "", ")", "").Replace(strings.TrimPrefix(fn, "sync."))
	case fn != "" && !strings.HasPrefix(fn, "runtime."):
		return fn[strings.LastIndex(fn, "/")+1:]
	case state != "" && state != "running" && state != "runnable":
		return state
	}
	return ""
}
