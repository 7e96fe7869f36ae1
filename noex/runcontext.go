package noex

import "context"

// RunContext returns the context given to the [Runtime.Run] whose body runs
// as process pid, or nil if pid is not the body of a Run of rt. Observers
// use it to relate a run to what surrounds it: package trace parents the
// traces a Run's body starts to the span in that context, so that a run
// inside an HTTP request shows under the request. It may be called from an
// observer, and from any goroutine once the Run has begun.
func (rt *Runtime) RunContext(pid PID) context.Context {
	p := pid.p
	if p == nil || p.rt != rt || p.rctx == nil {
		return nil
	}
	return p.rctx.Context
}
