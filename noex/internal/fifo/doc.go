// Package fifo provides the unbounded FIFO queue behind mailboxes: O(1)
// amortised push and pop on a ring buffer that grows by doubling and is
// released when the queue empties, so that a burst leaves no memory behind.
package fifo
