package noex

import (
	"sync"
	"sync/atomic"
)

// mailbox is the real-mode mailbox: an intrusive multi-producer,
// single-consumer FIFO (D. Vyukov's algorithm). Push is wait-free, so
// senders never contend with the receiver; Pop runs under cmu, which only
// the owning process takes, except when a process ends and its queue is
// drained. Deterministic mode does not use it: the scheduler keeps one queue
// per sender instead.
type mailbox struct {
	tail atomic.Pointer[envelope]
	_    [56]byte // keep the senders' cache line apart from the receiver's
	cmu  sync.Mutex
	head *envelope // guarded by cmu
	stub envelope
}

func (m *mailbox) init() {
	m.head = &m.stub
	m.tail.Store(&m.stub)
}

// push appends e, whose next must be nil (as it is in a new envelope). Any
// goroutine may call it.
func (m *mailbox) push(e *envelope) {
	prev := m.tail.Swap(e)
	prev.next.Store(e)
}

// pop removes the oldest envelope, or returns nil if there is none or a
// push is half done (that sender signals the receiver once it completes).
// The caller holds cmu.
//
// A popped envelope's link is cleared: the envelope lives on (recycled to
// its sender, or a caller's spare), and a link left in it would keep every
// envelope queued after it reachable, a whole burst's worth. No sender
// writes that link again (it was set), so a plain write clears it.
func (m *mailbox) pop() *envelope {
	head, next := m.head, m.head.next.Load()
	if head == &m.stub {
		if next == nil {
			return nil
		}
		m.head, head = next, next
		next = next.next.Load()
	}
	if next != nil {
		m.head = next
		head.next = atomic.Pointer[envelope]{}
		return head
	}
	if head != m.tail.Load() {
		return nil // a push is in progress
	}
	// No one else refers to the stub until push publishes it: a plain
	// write clears its link.
	m.stub.next = atomic.Pointer[envelope]{}
	m.push(&m.stub)
	if next = head.next.Load(); next != nil {
		m.head = next
		head.next = atomic.Pointer[envelope]{}
		return head
	}
	return nil
}

// drain pops every complete envelope, oldest first. The caller holds cmu.
func (m *mailbox) drain() []*envelope {
	var out []*envelope
	for e := m.pop(); e != nil; e = m.pop() {
		out = append(out, e)
	}
	return out
}

// length counts the queued envelopes. The caller holds cmu.
func (m *mailbox) length() int {
	n := 0
	for e := m.head; e != nil; e = e.next.Load() {
		if e != &m.stub {
			n++
		}
	}
	return n
}
