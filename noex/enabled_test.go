package noex

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// The enabled set against a sorted slice: every operation, in any order,
// gives the same order, the same i-th entry and the same ranks.
func TestEnabledSetMatchesSortedSlice(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var set enabledSet
		var model []*entry
		pool := make([]*entry, 64)
		for i := range pool {
			pool[i] = &entry{hidx: -1}
		}
		next := uint64(0)
		for range rapid.IntRange(1, 300).Draw(t, "ops") {
			e := pool[rapid.IntRange(0, len(pool)-1).Draw(t, "entry")]
			if e.in {
				if !set.remove(e) {
					t.Fatalf("remove(%d) = false for an entry in the set", e.key)
				}
				model = slices.DeleteFunc(model, func(x *entry) bool { return x == e })
			} else {
				// Keys are unique; a re-enabled entry usually gets a newer
				// key, sometimes an older one (a queue's next head).
				next++
				e.key = next * 2
				if rapid.Bool().Draw(t, "older") && next > 2 {
					e.key = rapid.Uint64Range(1, next*2-1).Draw(t, "key")*2 + 1
					if slices.ContainsFunc(model, func(x *entry) bool { return x.key == e.key }) {
						continue
					}
				}
				set.insert(e)
				i, _ := slices.BinarySearchFunc(model, e.key, func(x *entry, k uint64) int { return compareU64(x.key, k) })
				model = slices.Insert(model, i, e)
			}
			if got := set.len(); got != len(model) {
				t.Fatalf("len = %d, want %d", got, len(model))
			}
			for i, want := range model {
				if got := set.at(i); got != want {
					t.Fatalf("at(%d) = key %d, want key %d", i, got.key, want.key)
				}
				if got := set.rank(want); got != i {
					t.Fatalf("rank(key %d) = %d, want %d", want.key, got, i)
				}
			}
			var walked []*entry
			set.each(func(e *entry) { walked = append(walked, e) })
			if !slices.Equal(walked, model) {
				t.Fatalf("each visits %d entries out of order", len(walked))
			}
		}
	})
}

func TestEnabledSetRemoveAbsent(t *testing.T) {
	var set enabledSet
	e := &entry{key: 1}
	if set.remove(e) {
		t.Fatal("remove of an entry never inserted reported true")
	}
	set.insert(e)
	if !set.remove(e) || set.remove(e) {
		t.Fatal("remove is not exactly-once")
	}
	if set.len() != 0 {
		t.Fatalf("len = %d after removing the only entry", set.len())
	}
}

// The heap of the priority strategies: the top is the highest priority,
// the oldest among equals, whatever the pushes, removals and changes.
func TestEntryHeapOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var h entryHeap
		pool := make([]*entry, 32)
		for i := range pool {
			pool[i] = &entry{key: uint64(i), hidx: -1}
		}
		for range rapid.IntRange(1, 200).Draw(t, "ops") {
			e := pool[rapid.IntRange(0, len(pool)-1).Draw(t, "entry")]
			switch {
			case e.hidx < 0:
				e.spri = rapid.Uint64Range(0, 4).Draw(t, "prio")
				h.push(e)
			case rapid.Bool().Draw(t, "change"):
				e.spri = rapid.Uint64Range(0, 4).Draw(t, "prio")
				h.fix(e)
			default:
				h.remove(e)
			}
			var best *entry
			for _, x := range pool {
				if x.hidx >= 0 && (best == nil || x.spri > best.spri || x.spri == best.spri && x.key < best.key) {
					best = x
				}
			}
			if best == nil {
				if len(h) != 0 {
					t.Fatalf("heap has %d entries, want 0", len(h))
				}
				continue
			}
			if top := h.top(); top != best {
				t.Fatalf("top = key %d prio %d, want key %d prio %d", top.key, top.spri, best.key, best.spri)
			}
			for i, x := range h {
				if x.hidx != i {
					t.Fatalf("entry at %d has hidx %d", i, x.hidx)
				}
			}
		}
	})
}
