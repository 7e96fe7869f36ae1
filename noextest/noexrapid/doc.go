// Package noexrapid runs noex systems as rapid properties
// (pgregory.net/rapid) in which rapid draws not only the inputs but every
// scheduling choice of the deterministic runtime. A failing run therefore
// shrinks like any rapid counterexample: to smaller inputs and to the
// fewest deviations from the natural order (choice 0, the oldest enabled
// step: messages in the order they were sent, timers in the order they were
// set). The shrunk run is printed as a schedule string, [noex.Runtime.Schedule],
// that [noex.WithSchedule] replays exactly, without rapid.
//
//	noexrapid.Check(t, func(t *rapid.T, rt *noextest.Runtime) {
//		by := rapid.IntRange(1, 5).Draw(t, "by")
//		var got int
//		rt.Run(func(ctx context.Context) error { ... })
//		rt.ExpectFIFO()
//		if got != 2*by {
//			t.Fatalf("got %d, want %d", got, 2*by)
//		}
//	})
//
// Rapid also draws the exploration strategy, from [noex.Portfolio] (unless
// -noex.strategy, NOEX_STRATEGY or [noextest.WithStrategy] names one), and
// every random draw the strategy makes. Draws of 0 give the natural order
// under every strategy, and the strategy draw shrinks towards the first,
// uniform random, whose draws are the choices themselves; so a bug that the
// uniform strategy also finds shrinks to the fewest deviations from the
// natural order, and one that only a prioritising strategy finds shrinks
// within it (its priorities towards equal, its change points away).
//
// The property gets a kit runtime ([noextest.New]) bound to the rapid.T:
// its end-of-test checks run when the property returns, so leaks, crashes
// and handler errors fail the property (and shrink) like any assertion.
//
// This package is separate from noextest so that noextest itself depends
// on nothing beyond the standard library and go-cmp.
package noexrapid
