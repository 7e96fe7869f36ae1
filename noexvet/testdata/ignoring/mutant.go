// This file holds a mutant of Quiet, wrong on purpose (for a grader's own
// tests, say): the directive in the package clause's doc comment silences
// the whole file.
//
//noexvet:ignore wrong on purpose: the tests check that these escapes are caught at run time
package ignoring

import (
	"context"
	"time"
)

type Mutant struct{ Quiet }

func (Mutant) HandleCast(ctx context.Context, n int, st int) (int, error) {
	go func() {}()
	time.Sleep(time.Millisecond)
	return st, nil
}

func (m Mutant) HandleCall(ctx context.Context, n int, st int) (int, int, error) {
	_, _ = m.HandleCast(ctx, n, st)
	return n, st, nil
}
