package noex_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/noex-go/noex/noex"
)

type counter struct{}
type get struct{}
type inc struct{}

func (counter) Init(ctx context.Context) (int, error) { return 0, nil }
func (counter) HandleCall(ctx context.Context, _ get, n int) (int, int, error) {
	return n, n, nil
}
func (counter) HandleCast(ctx context.Context, _ inc, n int) (int, error) { return n + 1, nil }

func TestSmoke(t *testing.T) {
	for _, rt := range []*noex.Runtime{noex.NewRuntime(), noex.NewRuntime(noex.WithSeed(1))} {
		var log []string
		rt.Observe(func(e noex.Event) { log = append(log, e.String()) })
		err := rt.Run(context.Background(), func(ctx context.Context) error {
			c, err := noex.Start(ctx, counter{}, noex.WithName("counter"))
			if err != nil {
				return err
			}
			for i := 0; i < 3; i++ {
				noex.Cast(ctx, c, inc{})
			}
			v, err := noex.Call(ctx, c, get{})
			fmt.Println("value", v, err)
			return noex.Stop(ctx, c, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range log {
			t.Log(l)
		}
		rt.Shutdown(context.Background())
	}
}
