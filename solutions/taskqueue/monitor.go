package taskqueue

import (
	"context"
	"fmt"
	"slices"

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
	completions []Completion
}

// Init subscribes the monitor to [CompletionPattern] with
// [noex.SubscribeMailbox]: each completion then arrives in HandleInfo, in
// the monitor's own process, where it may update the state. (A Subscribe
// handler runs inside the bus instead; the chapter's Monitor logs there and
// its state never changes.) The subscription belongs to the monitor: the bus
// drops it when the monitor ends.
func (Monitor) Init(ctx context.Context) (*monitorState, error) {
	if _, err := noex.SubscribeMailbox(ctx, BusName, CompletionPattern); err != nil {
		return nil, fmt.Errorf("taskqueue: monitor subscribing to %q: %w", CompletionPattern, err)
	}
	return &monitorState{}, nil
}

// HandleCall answers with a copy of the completions recorded so far.
func (Monitor) HandleCall(_ context.Context, _ GetCompletions, st *monitorState) ([]Completion, *monitorState, error) {
	return slices.Clone(st.completions), st, nil
}

// HandleCast ignores the cast: the monitor takes none.
func (Monitor) HandleCast(_ context.Context, _ noex.None, st *monitorState) (*monitorState, error) {
	return st, nil
}

// HandleInfo records each completion the bus delivers.
func (Monitor) HandleInfo(_ context.Context, msg any, st *monitorState) (*monitorState, error) {
	if p, ok := msg.(noex.Publication); ok {
		if c, ok := p.Msg.(Completion); ok {
			st.completions = append(st.completions, c)
		}
	}
	return st, nil
}
