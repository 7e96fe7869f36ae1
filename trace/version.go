package trace

import (
	"runtime/debug"
	"sync"

	"github.com/noex-go/noex/noex"

	oteltrace "go.opentelemetry.io/otel/trace"
)

// modulePath is the module this package belongs to.
const modulePath = "github.com/noex-go/noex"

// Version returns the version of the noex module in the running program,
// as the Go build records it ("v1.2.3", or "(devel)" when noex is the main
// module): the instrumentation scope's version of the spans [Attach]
// starts.
func Version() string { return version() }

var version = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if bi.Main.Path == modulePath {
		return orDevel(bi.Main.Version)
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil {
				return orDevel(d.Replace.Version)
			}
			return orDevel(d.Version)
		}
	}
	return "(devel)"
})

func orDevel(v string) string {
	if v == "" {
		return "(devel)"
	}
	return v
}

// runParent returns the span to parent a trace to that the Run body pid
// starts: the span in the context given to that Run, if any (see
// [noex.Runtime.RunContext]).
func (t *translator) runParent(pid noex.PID) oteltrace.SpanContext {
	ctx := t.rt.RunContext(pid)
	if ctx == nil {
		return oteltrace.SpanContext{}
	}
	return oteltrace.SpanContextFromContext(ctx)
}
