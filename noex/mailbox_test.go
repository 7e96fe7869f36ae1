package noex

import (
	"sync"
	"testing"
)

// Many producers, one consumer: every envelope comes out once, and each
// producer's envelopes come out in the order it pushed them.
func TestMailboxMPSCOrderAndCompleteness(t *testing.T) {
	var m mailbox
	m.init()
	const producers, each = 4, 5000
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m.push(&envelope{id: uint64(p*each + i)})
			}
		}(p)
	}
	last := make([]int, producers)
	for i := range last {
		last[i] = -1
	}
	got := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; got < producers*each; {
		m.cmu.Lock()
		e := m.pop()
		m.cmu.Unlock()
		if e == nil {
			if finished {
				m.cmu.Lock()
				rest := m.drain()
				m.cmu.Unlock()
				if len(rest) == 0 && got < producers*each {
					t.Fatalf("lost envelopes: got %d of %d", got, producers*each)
				}
				for _, e := range rest {
					check(t, e, last)
					got++
				}
				continue
			}
			select {
			case <-done:
				finished = true
			default:
			}
			continue
		}
		check(t, e, last)
		got++
	}
	m.cmu.Lock()
	defer m.cmu.Unlock()
	if n := m.length(); n != 0 {
		t.Errorf("length after draining = %d", n)
	}
}

func check(t *testing.T, e *envelope, last []int) {
	t.Helper()
	p, i := int(e.id)/5000, int(e.id)%5000
	if i != last[p]+1 {
		t.Fatalf("producer %d: got #%d after #%d", p, i, last[p])
	}
	last[p] = i
}
