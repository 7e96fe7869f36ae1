// Cleanup: when a process ends, its names are released, before Stop
// returns. No polling, no delay.
//
//	go run ./chapters/02-ipc/cleanup
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// Service is a server that does nothing but hold its names.
type Service struct{}

func (Service) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (Service) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (Service) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	return s, nil
}

func demo(ctx context.Context, out io.Writer) error {
	// listing: cleanup
	reg := noex.RuntimeOf(ctx).Registry()
	service, err := noex.Start(ctx, Service{}, noex.WithName("temp-service"))
	if err != nil {
		return err
	}
	// A process may hold several names; all of them go when it ends.
	if err := reg.Register("temp-alias", service.PID()); err != nil {
		return err
	}
	fmt.Fprintln(out, reg.IsRegistered("temp-service"), reg.IsRegistered("temp-alias")) // true true

	if err := noex.Stop(ctx, service, nil); err != nil {
		return err
	}
	fmt.Fprintln(out, reg.IsRegistered("temp-service"), reg.IsRegistered("temp-alias")) // false false
	// end listing
	return nil
}
