package fifo

import "testing"

func TestQueueOrderAcrossGrowth(t *testing.T) {
	var q Queue[int]
	next := 0
	for round := 0; round < 50; round++ {
		for i := 0; i < round*3; i++ {
			q.Push(round*1000 + i)
		}
		for i := 0; i < round*2; i++ {
			v, ok := q.Pop()
			if !ok {
				t.Fatalf("round %d: queue empty early", round)
			}
			_ = v
			next++
		}
	}
	all := q.Drain()
	if q.Len() != 0 {
		t.Fatalf("Len after Drain = %d", q.Len())
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a/1000 == b/1000 && b != a+1 {
			t.Fatalf("out of order: %d then %d", a, b)
		}
		if a/1000 > b/1000 {
			t.Fatalf("rounds out of order: %d then %d", a, b)
		}
	}
	if _, ok := q.Pop(); ok {
		t.Fatal("Pop on empty queue reported ok")
	}
	if _, ok := q.Peek(); ok {
		t.Fatal("Peek on empty queue reported ok")
	}
}

func TestQueueReleasesItsBufferWhenDrained(t *testing.T) {
	var q Queue[*int]
	for i := range 10_000 {
		q.Push(&i)
	}
	if q.Cap() < 10_000 {
		t.Fatalf("Cap = %d after 10,000 pushes", q.Cap())
	}
	for q.Len() > 0 {
		q.Pop()
	}
	if q.Cap() != 0 {
		t.Errorf("Cap = %d after draining a burst, want the buffer released", q.Cap())
	}
	// A small queue keeps its buffer: no reallocation per message.
	q.Push(new(int))
	q.Pop()
	if q.Cap() == 0 {
		t.Error("a small queue let its buffer go")
	}
	q.Push(new(int))
	if v, ok := q.Pop(); !ok || v == nil {
		t.Error("the queue does not work after releasing its buffer")
	}
}
