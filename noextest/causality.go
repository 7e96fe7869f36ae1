package noextest

import "github.com/noex-go/noex/noex"

// causality holds a vector clock per event of a log, built from program
// order, Parent and Ref links and wake-ups (see [HappensBefore]).
type causality struct {
	log  []Event
	proc map[uint64]int // PID -> vector index
	vc   [][]uint32     // per event
}

func newCausality(log []Event) *causality {
	c := &causality{log: log, proc: map[uint64]int{}, vc: make([][]uint32, len(log))}
	at := make(map[uint64]int, len(log)) // Seq -> index
	sentAt := map[uint64]int{}           // message Ref -> index of its MessageSent
	last := map[uint64][]uint32{}        // PID -> clock after its latest event
	wake := map[uint64][]uint32{}        // PID -> clock it merges at its next event
	for i, e := range log {
		at[e.Seq] = i
		var v []uint32
		if e.PID != 0 {
			v = merge(v, last[e.PID])
			if w, ok := wake[e.PID]; ok {
				v = merge(v, w)
				delete(wake, e.PID)
			}
		}
		if j, ok := at[e.Parent]; ok && e.Parent != 0 && j < i {
			v = merge(v, c.vc[j])
		}
		if e.Kind == noex.MessageReceived {
			if j, ok := sentAt[e.Ref]; ok {
				v = merge(v, c.vc[j])
			}
		}
		if e.PID != 0 {
			k := c.index(e.PID)
			v = grow(v, k+1)
			v[k]++
			last[e.PID] = v
		}
		c.vc[i] = v
		switch e.Kind {
		case noex.MessageSent:
			sentAt[e.Ref] = i
		case noex.ReplySent, noex.ProcessStarted:
			if e.PeerID != 0 {
				wake[e.PeerID] = merge(wake[e.PeerID], v)
			}
		}
	}
	return c
}

func (c *causality) index(pid uint64) int {
	k, ok := c.proc[pid]
	if !ok {
		k = len(c.proc)
		c.proc[pid] = k
	}
	return k
}

// before reports whether event i happens before event j.
func (c *causality) before(i, j int) bool {
	if i == j || c.log[i].PID == 0 {
		return false
	}
	k := c.proc[c.log[i].PID]
	vi, vj := c.vc[i], c.vc[j]
	return k < len(vj) && vi[k] <= vj[k]
}

// merge returns the componentwise maximum of a and b, as a new slice.
func merge(a, b []uint32) []uint32 {
	out := make([]uint32, max(len(a), len(b)))
	copy(out, a)
	for i, x := range b {
		out[i] = max(out[i], x)
	}
	return out
}

func grow(v []uint32, n int) []uint32 {
	for len(v) < n {
		v = append(v, 0)
	}
	return v
}
