package timeuse

import (
	"context"
	"time"
)

// Pause is a Behavior in a file that does not import noex: the fix adds the
// import.
type Pause struct{}

func (Pause) Init(context.Context) (int, error) { return 0, nil }

func (Pause) HandleCall(ctx context.Context, d time.Duration, n int) (int, int, error) {
	return n, n, nil
}

func (Pause) HandleCast(ctx context.Context, d time.Duration, n int) (int, error) { // want HandleCast:"calls time.Sleep"
	time.Sleep(d) // want `^time\.Sleep blocks outside the runtime`
	return n + 1, nil
}
