package noex_test

import (
	"context"
	"testing"

	"github.com/noex-go/noex/noex"
)

type ctxKey struct{}

func TestRunContext(t *testing.T) {
	for _, det := range []bool{true, false} {
		var opts []noex.Option
		if det {
			opts = append(opts, noex.WithSeed(1))
		}
		var seen []any
		var rt *noex.Runtime
		opts = append(opts, noex.WithObserver(func(e noex.Event) {
			for _, pid := range []noex.PID{e.PID, e.Peer} {
				if ctx := rt.RunContext(pid); ctx != nil {
					seen = append(seen, ctx.Value(ctxKey{}))
				}
			}
		}))
		rt = noex.NewRuntime(opts...)
		outer := context.WithValue(context.Background(), ctxKey{}, "request-1")
		var body noex.PID
		err := rt.Run(outer, func(ctx context.Context) error {
			body = noex.Self(ctx)
			srv, err := noex.Start(ctx, &testSrv{})
			if err != nil {
				return err
			}
			if got := rt.RunContext(srv.PID()); got != nil {
				t.Errorf("det=%v: a server's RunContext = %v, want nil", det, got)
			}
			return noex.Stop(ctx, srv, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		if ctx := rt.RunContext(body); ctx == nil || ctx.Value(ctxKey{}) != "request-1" {
			t.Errorf("det=%v: RunContext(body) = %v, want the context given to Run", det, ctx)
		}
		if len(seen) == 0 || seen[0] != "request-1" {
			t.Errorf("det=%v: observers saw %v", det, seen)
		}
		if rt.RunContext(noex.PID{}) != nil || noex.NewRuntime().RunContext(body) != nil {
			t.Errorf("det=%v: the zero PID or another runtime's process gave a context", det)
		}
		_ = rt.Shutdown(context.Background())
	}
}
