// Package pace is a helper package of the module: the analyzer follows
// calls into it through facts.
package pace

import "time"

// Wait waits for d on the wall clock.
func Wait(d time.Duration) {
	time.Sleep(d)
}
