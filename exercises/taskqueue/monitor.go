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
	// TODO(part 1): the completions recorded so far, in arrival order.
}

// Init subscribes the monitor to completions.
func (Monitor) Init(ctx context.Context) (*monitorState, error) {
	// TODO(part 1): subscribe to CompletionPattern with
	// noex.SubscribeMailbox(ctx, BusName, CompletionPattern), and return its
	// error if it fails. Each completion then arrives in HandleInfo, in the
	// monitor's own process, where it may update the state. (Not
	// noex.Subscribe: its handler runs inside the bus and cannot update the
	// monitor's state; the chapter's Monitor logs there, and its
	// getCompletions is always empty.) The bus drops the subscription when
	// the monitor ends.
	return &monitorState{}, nil
}

// HandleCall answers GetCompletions with the completions recorded so far.
func (Monitor) HandleCall(_ context.Context, _ GetCompletions, st *monitorState) ([]Completion, *monitorState, error) {
	// TODO(part 1): answer with a copy of the recorded completions
	// (slices.Clone), so the caller never shares the state's slice.
	return nil, st, ErrNotImplemented
}

// HandleCast ignores the cast: the monitor takes none.
func (Monitor) HandleCast(_ context.Context, _ noex.None, st *monitorState) (*monitorState, error) {
	return st, nil
}

// HandleInfo records each completion the bus delivers.
func (Monitor) HandleInfo(_ context.Context, msg any, st *monitorState) (*monitorState, error) {
	// TODO(part 1): a delivery is a noex.Publication{Topic, Msg}; when its Msg
	// is a Completion, append it to the state.
	return st, ErrNotImplemented
}
