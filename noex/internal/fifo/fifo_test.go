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
