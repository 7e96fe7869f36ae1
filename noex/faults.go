package noex

import "time"

// FaultInjector decides, at the runtime's fault points, whether to inject a
// fault. The test kit (noextest) implements it; attach one with
// [WithFaults]. Every fault injected is recorded as a [FaultInjected] event
// whose Name says which. Its methods are called from the runtime's goroutines
// (in deterministic mode one at a time, in a replayable order; in real mode
// concurrently, so an implementation must then be safe for concurrent use).
// A dropped call leaves its caller waiting until its timeout, as a message
// lost on a network would.
type FaultInjector interface {
	// Send is consulted when a message from → to is queued. It may drop the
	// message or delay its delivery by a duration on the runtime's clock.
	Send(from, to PID, kind MsgKind, msg any) (drop bool, delay time.Duration)
	// Handle is consulted before pid handles its n-th message (n counts
	// from 1). A non-nil result makes the handler panic with that value, so
	// the process crashes as if its own code had panicked.
	Handle(pid PID, n int, kind MsgKind, msg any) (panicValue any)
	// Init is consulted before the Init of the n-th process started under
	// name (the WithName name, "" for unnamed servers; n counts from 1).
	// A non-nil error makes Init fail with it.
	Init(name string, n int) error
}

// WithFaults attaches a fault injector to the runtime. A nil f is ignored.
func WithFaults(f FaultInjector) Option {
	return runtimeOption(func(c *config) {
		if f != nil {
			c.faults = f
		}
	})
}
