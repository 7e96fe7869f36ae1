package noex

import (
	"errors"
	"testing"
)

// A process used from several goroutines at once may wait for several
// processes: the graph keeps them all, finds a cycle through any of them,
// and fails only the waits of that cycle.
func TestWaitGraphWithSeveralWaitsOfOneProcess(t *testing.T) {
	rt := NewRuntime()
	main, a, b := rt.newProcess(nil, "main", true), rt.newProcess(nil, "a", false), rt.newProcess(nil, "b", false)
	wait := func(owner, on *process) *waiter {
		w := &waiter{owner: owner, what: "wait", on: on, ch: make(chan struct{}, 1)}
		rt.waits.block(w)
		return w
	}
	toB := wait(main, b) // main's first wait
	toA := wait(main, a) // a second one, from another goroutine
	if toA.fired.Load() || toB.fired.Load() {
		t.Fatal("a wait failed without a cycle")
	}
	back := wait(a, main) // closes main → a → main
	for _, w := range []*waiter{toA, back} {
		var dl *DeadlockError
		if !w.fired.Load() || !errors.As(w.err, &dl) || len(dl.Cycle) != 2 || dl.Cycle[0] != "main waits for a (wait)" {
			t.Errorf("wait %s→%s: fired=%v err=%v, want the cycle main → a → main", w.owner.labelStr(), w.on.labelStr(), w.fired.Load(), w.err)
		}
	}
	if toB.fired.Load() {
		t.Error("the wait for b, outside the cycle, failed")
	}
	for _, w := range []*waiter{toB, toA, back} {
		rt.waits.unblock(w)
	}
	if len(rt.waits.one) != 0 || len(rt.waits.more) != 0 {
		t.Errorf("the graph keeps %d + %d waits after they ended", len(rt.waits.one), len(rt.waits.more))
	}
	// Unblocking the first wait of a process promotes its next one.
	toB, toA = wait(main, b), wait(main, a)
	rt.waits.unblock(toB)
	if rt.waits.one[main] != toA {
		t.Error("the second wait did not take the first one's place")
	}
	rt.waits.unblock(toA)
}

// A process killed before it waits gets ErrKilled even when its answer came
// first: a call sent while the kill landed can be answered before the
// caller reaches its wait, and a killed process must not go on with it.
func TestAKillBeforeTheWaitWinsOverAnAnswer(t *testing.T) {
	rt := NewRuntime()
	p := rt.newProcess(nil, "victim", false)
	w := rt.newWaiter(p, "call", nil)
	p.killed.Store(true)
	if !w.fire("the answer", nil, false) {
		t.Fatal("the answer did not fire the wait")
	}
	p.wait(t.Context(), w, 0, nil)
	if !errors.Is(w.err, ErrKilled) || w.val != nil {
		t.Errorf("the wait of a killed process returned %v, %v; want ErrKilled", w.val, w.err)
	}
}
