//go:build !unix

package noex_test

import "time"

// cpuNow returns 0: the platform's CPU time is not read here.
func cpuNow() time.Duration { return 0 }
