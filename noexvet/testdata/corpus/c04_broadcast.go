// corpus: clean — a notification goes to every subscriber in key order.
package corpus

import (
	"context"
	"maps"
	"slices"

	"github.com/noex-go/noex/noex"
)

type RightBroadcaster struct{}

func (RightBroadcaster) Init(ctx context.Context) (map[string]noex.PID, error) {
	return map[string]noex.PID{}, nil
}

func (RightBroadcaster) HandleCall(ctx context.Context, name string, subs map[string]noex.PID) (int, map[string]noex.PID, error) {
	subs[name] = noex.Self(ctx)
	return len(subs), subs, nil
}

func (RightBroadcaster) HandleCast(ctx context.Context, msg string, subs map[string]noex.PID) (map[string]noex.PID, error) {
	for _, name := range slices.Sorted(maps.Keys(subs)) {
		if err := noex.Send(ctx, subs[name], msg); err != nil {
			return subs, err
		}
	}
	return subs, nil
}
