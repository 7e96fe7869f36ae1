package taskqueue

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// Monitor is the server that tracks completions over the EventBus. Its call
// is [GetCompletions]; it takes no casts; the bus delivers the completions
// to its HandleInfo.
type Monitor struct{}

var (
	_ noex.Behavior[*monitorState, GetCompletions, noex.None, []Completion] = Monitor{}
	_ noex.InfoHandler[*monitorState]                                       = Monitor{}
)

type monitorState struct {
	// TODO(part 1): the completions recorded so far, in the order they came.
}

// Init subscribes the monitor to completions.
func (Monitor) Init(ctx context.Context) (*monitorState, error) {
	// TODO(part 1): the monitor must hear of every completion, so it
	// subscribes here, before any can be published (docs/02-ipc.md,
	// "Subscribing in Init, and waiting"), with a pattern that matches
	// TopicCompleted ("Wildcard Subscriptions"); Init fails if it cannot.
	// Requirement: "the monitor subscribes to all completions". Each
	// completion must then reach this process, where the state is: the
	// chapter's Monitor handles them in a function that runs inside the bus,
	// which cannot change the monitor's state, and its getCompletions is
	// always empty. The bus drops the subscription when the monitor ends.
	return &monitorState{}, nil
}

// HandleCall answers GetCompletions with the completions recorded so far.
func (Monitor) HandleCall(_ context.Context, _ GetCompletions, st *monitorState) ([]Completion, *monitorState, error) {
	// TODO(part 1): answer with the completions recorded so far. The answer
	// must not share memory with the state, which keeps changing.
	// Requirement: "the monitor records every completion".
	return nil, st, ErrNotImplemented
}

// HandleCast ignores the cast: the monitor takes none.
func (Monitor) HandleCast(_ context.Context, _ noex.None, st *monitorState) (*monitorState, error) {
	return st, nil
}

// HandleInfo records each completion the bus delivers.
func (Monitor) HandleInfo(_ context.Context, msg any, st *monitorState) (*monitorState, error) {
	// TODO(part 1): what the bus sends this process arrives here (see
	// noex.Publication): record each completion. Requirement: "the monitor
	// records every completion".
	return st, ErrNotImplemented
}
