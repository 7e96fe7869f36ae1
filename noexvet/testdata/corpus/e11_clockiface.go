// corpus: escape — the wall clock hides behind an interface; the analyzer
// does not follow dynamic calls.
package corpus

import (
	"context"
	"time"
)

type clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

type Timed struct {
	Nothing
	Clock clock
}

func (w Timed) HandleCast(ctx context.Context, t Task, n int) (int, error) {
	if w.Clock.Now().Hour() > 12 {
		n++
	}
	return n, nil
}

var _ = Timed{Clock: wallClock{}}
