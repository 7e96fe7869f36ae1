// corpus: escape — a notification goes to every subscriber in map order.
package corpus

import (
	"context"

	"github.com/noex-go/noex/noex"
)

type Broadcaster struct{}

func (Broadcaster) Init(ctx context.Context) (map[string]noex.PID, error) {
	return map[string]noex.PID{}, nil
}

func (Broadcaster) HandleCall(ctx context.Context, name string, subs map[string]noex.PID) (int, map[string]noex.PID, error) {
	subs[name] = noex.Self(ctx)
	return len(subs), subs, nil
}

func (Broadcaster) HandleCast(ctx context.Context, msg string, subs map[string]noex.PID) (map[string]noex.PID, error) {
	for _, pid := range subs {
		if err := noex.Send(ctx, pid, msg); err != nil {
			return subs, err
		}
	}
	return subs, nil
}
