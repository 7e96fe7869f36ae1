// Wildcards: an exact pattern, "user.*" (exactly one more segment) and "*"
// (everything), tried on the chapter's topics.
//
//	go run ./chapters/02-ipc/wildcards
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// listing: wildcards
// The three forms of pattern.
var patterns = []string{
	"user.created", // exact: only "user.created"
	"user.*",       // "*" is exactly one segment: "user.created", not "user.profile.updated"
	"*",            // alone, "*" matches every topic
}

// The chapter's topics, matching and not.
var topics = []string{
	"user.created", "user.updated", "user.deleted",
	"order.created", "user.profile.updated", "user.created.admin",
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: wildcards-demo
	bus, err := noex.StartBus(ctx)
	if err != nil {
		return err
	}
	for _, p := range patterns {
		_, err := noex.Subscribe(ctx, bus, p, func(ctx context.Context, msg any, topic string) {
			fmt.Fprintf(out, "  %-12s matches\n", p)
		})
		if err != nil {
			return err
		}
	}
	for _, topic := range topics {
		fmt.Fprintf(out, "%s:\n", topic)
		// PublishSync returns once every matching handler has run, so the
		// lines of one topic are printed before the next topic's.
		if err := noex.PublishSync(ctx, bus, topic, nil); err != nil {
			return err
		}
	}
	// end listing
	return nil
}
