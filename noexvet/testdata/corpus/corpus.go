// Package corpus is a set of small handler snippets, one per file, on which
// the analyzer's precision and recall are measured. The first line of each
// snippet says whether it escapes the runtime ("corpus: escape") or not
// ("corpus: clean"), as a reviewer would judge it, whatever the analyzer
// says; TestCorpus counts the files with and without findings.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// Task is the work the snippets pass around.
type Task struct {
	ID   string
	Cost int
}

// Done is a completion.
type Done struct{ ID string }

// Producer is where workers report.
const Producer = noex.Name[string, Done, string]("producer")

// Topic is the bus topic of completions.
const Topic = "task.done"

// Bus is the bus's name.
const Bus = noex.BusName("bus")

// Nothing is a handler part the snippets share: Init and HandleCall that do
// nothing, for snippets about HandleCast.
type Nothing struct{}

func (Nothing) Init(ctx context.Context) (int, error) { return 0, nil }

func (Nothing) HandleCall(ctx context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
