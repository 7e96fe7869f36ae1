// Listing: the names in the Registry (sorted), how many there are, and
// whether a given one is there.
//
//	go run ./chapters/02-ipc/listing
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// Service is a server that does nothing but hold its name.
type Service struct{}

func (Service) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
func (Service) HandleCall(ctx context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (Service) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	return s, nil
}

func demo(ctx context.Context, out io.Writer) error {
	for _, name := range []string{"user-service", "order-service", "cache"} {
		if _, err := noex.Start(ctx, Service{}, noex.WithName(name)); err != nil {
			return err
		}
	}
	// listing: listing
	reg := noex.RuntimeOf(ctx).Registry()

	// All registered names, sorted.
	fmt.Fprintln(out, reg.Names()) // [cache order-service user-service]

	// How many names are registered (not how many processes).
	fmt.Fprintln(out, reg.Count()) // 3

	// Whether a given name is registered.
	if reg.IsRegistered("cache") {
		fmt.Fprintln(out, "cache is available")
	}
	// end listing
	return nil
}
