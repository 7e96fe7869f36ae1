package noex

import (
	"context"
	"fmt"
	"sync"
)

// waitGraph records, in real mode, who waits for whom in Stop and Wait,
// the waits without a timeout: a cycle of them never resolves on its own.
// The wait that closes a cycle finds it, and every wait of the cycle fails
// with a *DeadlockError naming it. (Deterministic mode sees the whole
// system instead, and fails the run once nothing can progress.) Calls and
// starts are not recorded: their timeouts end their cycles.
type waitGraph struct {
	mu   sync.Mutex
	one  map[*process]*waiter // a process's Stop or Wait (an entry allocates nothing once the map has grown)
	more map[*waiter]bool     // more waits of a process used from several goroutines at once
}

// block records that w's owner waits for w.on, and fails the waits of the
// cycle this closes, if any.
func (g *waitGraph) block(w *waiter) {
	g.mu.Lock()
	if g.one == nil {
		g.one = make(map[*process]*waiter)
	}
	if g.one[w.owner] == nil {
		g.one[w.owner] = w
	} else {
		if g.more == nil {
			g.more = make(map[*waiter]bool)
		}
		g.more[w] = true
	}
	var cycle []*waiter
	if g.one[w.on] != nil {
		cycle = g.pathTo(w.on, w.owner, []*waiter{w}, map[*process]bool{})
	}
	g.mu.Unlock()
	if cycle == nil {
		return
	}
	err := describeCycle(cycle)
	for _, e := range cycle {
		e.fire(nil, err, true)
	}
}

// pathTo returns path extended by waits that lead from from to to, or nil.
func (g *waitGraph) pathTo(from, to *process, path []*waiter, seen map[*process]bool) []*waiter {
	if from == to {
		return path
	}
	if seen[from] {
		return nil
	}
	seen[from] = true
	for _, e := range g.waitsOf(from) {
		if e.fired.Load() || e.on == nil {
			continue // a wait that is over does not block
		}
		if p := g.pathTo(e.on, to, append(path, e), seen); p != nil {
			return p
		}
	}
	return nil
}

// waitsOf returns the waits of p, in no particular order (any cycle will
// do, and every wait of the one found fails).
func (g *waitGraph) waitsOf(p *process) []*waiter {
	w := g.one[p]
	if w == nil {
		return nil
	}
	ws := []*waiter{w}
	for x := range g.more {
		if x.owner == p {
			ws = append(ws, x)
		}
	}
	return ws
}

// unblock removes w once its wait is over.
func (g *waitGraph) unblock(w *waiter) {
	g.mu.Lock()
	switch {
	case g.more[w]:
		delete(g.more, w)
	case g.one[w.owner] == w:
		delete(g.one, w.owner)
		for x := range g.more { // another wait of the same process takes its place
			if x.owner == w.owner {
				delete(g.more, x)
				g.one[w.owner] = x
				break
			}
		}
	}
	g.mu.Unlock()
}

// describeCycle names the waits of a cycle, from its oldest process on, as
// a deterministic run's *DeadlockError does.
func describeCycle(cycle []*waiter) *DeadlockError {
	first := 0
	for i, w := range cycle {
		if w.owner.id < cycle[first].owner.id {
			first = i
		}
	}
	err := &DeadlockError{}
	for i := range cycle {
		w := cycle[(first+i)%len(cycle)]
		err.Cycle = append(err.Cycle, fmt.Sprintf("%s waits for %s (%s)", w.owner.labelStr(), w.on.labelStr(), w.what))
	}
	return err
}

// waitUnbounded is p.wait for a Stop or Wait: in real mode it is recorded
// in the wait-for graph while it lasts.
func (p *process) waitUnbounded(ctx context.Context, w *waiter) {
	if p.rt.det {
		p.wait(ctx, w, 0, nil)
		return
	}
	p.rt.waits.block(w)
	p.wait(ctx, w, 0, nil)
	p.rt.waits.unblock(w)
}
