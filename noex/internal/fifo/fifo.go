package fifo

// Queue is an unbounded FIFO. The zero value is empty and ready to use. It is
// not safe for concurrent use.
type Queue[T any] struct {
	buf  []T
	head int
	n    int
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int { return q.n }

// Push appends v at the tail.
func (q *Queue[T]) Push(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

// Pop removes and returns the head; ok is false when the queue is empty.
func (q *Queue[T]) Pop() (v T, ok bool) {
	if q.n == 0 {
		return v, false
	}
	var zero T
	v = q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	if q.n == 0 && len(q.buf) > keep {
		// Drained after a burst: let the buffer go. Growing it again costs
		// what the burst cost, so pushes stay O(1) amortised.
		q.buf, q.head = nil, 0
	}
	return v, true
}

// keep is the largest buffer an empty queue keeps.
const keep = 64

// Peek returns the head without removing it.
func (q *Queue[T]) Peek() (v T, ok bool) {
	if q.n == 0 {
		return v, false
	}
	return q.buf[q.head], true
}

// Drain removes every item and returns them in order.
func (q *Queue[T]) Drain() []T {
	out := make([]T, 0, q.n)
	for {
		v, ok := q.Pop()
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// Cap returns the size of the buffer, for tests.
func (q *Queue[T]) Cap() int { return len(q.buf) }

func (q *Queue[T]) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 8
	}
	buf := make([]T, size)
	for i := 0; i < q.n; i++ {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}
