package noex

import "runtime/debug"

// A Goexit (runtime.Goexit, which t.FailNow, t.Fatal and the require
// helpers of testing libraries call) cannot be recovered: the goroutine
// ends, running only its deferred calls. The runtime notices it in those
// calls and ends the process as for a panic, with a *CrashError whose
// Value is a goexitError, before the goroutine is gone.

// goexitError is the panic value of a crash caused by runtime.Goexit.
type goexitError struct{ site string }

func (e *goexitError) Error() string {
	return "runtime.Goexit called in " + e.site +
		" (t.FailNow, t.Fatal and require helpers call it: report failures from handlers as errors instead)"
}

// Unwrap returns [ErrGoexit].
func (e *goexitError) Unwrap() error { return ErrGoexit }

// runtimeExit reports whether the goroutine of p is ending because the
// runtime ended it (p was killed or abandoned, or the deterministic run was
// aborted) rather than because user code called runtime.Goexit.
func (p *process) runtimeExit() bool {
	return p.killed.Load() || p.rt.det && p.rt.sched.aborted.Load()
}

// goexitCrash is the crash of p after a Goexit in site ("HandleCast",
// "Init", …), or in the more precise site noted with noteGoexit.
func (p *process) goexitCrash(site string) *CrashError {
	rt := p.rt
	rt.mu.Lock()
	if s, ok := rt.goexitSites[p]; ok {
		site = s
		delete(rt.goexitSites, p)
	}
	rt.mu.Unlock()
	return &CrashError{Server: p.labelStr(), Value: &goexitError{site: site}, Stack: string(debug.Stack())}
}

// noteGoexit records that the Goexit ending p's goroutine was called in
// site: code that runs user functions inside a handler (bus handlers,
// child start functions) says which, for goexitCrash.
func (p *process) noteGoexit(site string) {
	if p.runtimeExit() {
		return
	}
	rt := p.rt
	rt.mu.Lock()
	if rt.goexitSites == nil {
		rt.goexitSites = make(map[*process]string)
	}
	if _, ok := rt.goexitSites[p]; !ok { // the innermost site is noted first
		rt.goexitSites[p] = site
	}
	rt.mu.Unlock()
}

func handlerName(k MsgKind) string {
	switch k {
	case KindCall:
		return "HandleCall"
	case KindCast:
		return "HandleCast"
	}
	return "HandleInfo"
}
