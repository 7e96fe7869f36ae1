package noex

// entry is one step of a deterministic run that is, or may become, enabled:
// the delivery of the head of a sender→receiver queue, the resumption of a
// process whose wait is over, a receiving process observing its stop or
// kill, or a due timer. Each queue, process and timer owns its entries, so
// enabling and disabling a step allocates nothing.
//
// The enabled entries form an ordered set (enabledSet) keyed by key, the
// step's enable order: index 0 is the oldest enabled step, which is what
// choice 0 means.
type entry struct {
	kind stepKind
	key  uint64
	p    *process   // the process the step runs on (nil for a timer)
	q    *pairQueue // stepDeliver
	t    *timer     // stepTimer

	in          bool // in the enabled set
	left, right *entry
	prio        uint64 // treap priority, a hash of key
	size        int    // entries in this subtree

	// Kept while exploring (see xrun.go): its identity, and the step that
	// enabled it.
	xid    xid
	xcause int

	// Kept by the strategy (see strategy.go).
	spri  uint64 // the step's priority, higher first
	chain *chain // PCT: the chain whose priority the step takes
	hidx  int    // index in the strategy's heap, or -1
}

// enabledSet is an order-statistic treap of entries keyed by key: insert,
// remove, the i-th oldest and the rank of an entry, each in O(log n)
// expected time, so that a scheduler step costs the same with ten enabled
// steps or a hundred thousand. Treap priorities are a hash of the key, so the
// shape, like everything on the deterministic path, depends only on the run.
type enabledSet struct {
	root *entry
}

func (s *enabledSet) len() int { return s.root.sz() }

func (e *entry) sz() int {
	if e == nil {
		return 0
	}
	return e.size
}

func (e *entry) fix() { e.size = 1 + e.left.sz() + e.right.sz() }

// insert adds e, whose key is set and not in the set.
func (s *enabledSet) insert(e *entry) {
	e.in, e.left, e.right, e.size, e.prio = true, nil, nil, 1, mix64(e.key)
	l, r := split(s.root, e.key)
	s.root = merge(merge(l, e), r)
}

// remove takes e out of the set; it reports whether e was in it.
func (s *enabledSet) remove(e *entry) bool {
	if !e.in {
		return false
	}
	e.in = false
	s.root = removeKey(s.root, e.key)
	e.left, e.right = nil, nil
	return true
}

// at returns the i-th oldest entry, 0 ≤ i < len.
func (s *enabledSet) at(i int) *entry {
	n := s.root
	for {
		l := n.left.sz()
		switch {
		case i < l:
			n = n.left
		case i == l:
			return n
		default:
			i -= l + 1
			n = n.right
		}
	}
}

// rank returns the index of e, which is in the set.
func (s *enabledSet) rank(e *entry) int {
	r, n := 0, s.root
	for n != e {
		if e.key < n.key {
			n = n.left
		} else {
			r += n.left.sz() + 1
			n = n.right
		}
	}
	return r + n.left.sz()
}

// each calls fn for every entry, oldest first.
func (s *enabledSet) each(fn func(*entry)) { walk(s.root, fn) }

func walk(n *entry, fn func(*entry)) {
	for n != nil {
		walk(n.left, fn)
		fn(n)
		n = n.right
	}
}

// split divides t into the entries with keys below key and the rest.
func split(t *entry, key uint64) (l, r *entry) {
	if t == nil {
		return nil, nil
	}
	if t.key < key {
		t.right, r = split(t.right, key)
		t.fix()
		return t, r
	}
	l, t.left = split(t.left, key)
	t.fix()
	return l, t
}

// merge joins l and r, every key of l being below every key of r.
func merge(l, r *entry) *entry {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case l.prio > r.prio:
		l.right = merge(l.right, r)
		l.fix()
		return l
	default:
		r.left = merge(l, r.left)
		r.fix()
		return r
	}
}

func removeKey(t *entry, key uint64) *entry {
	switch {
	case key < t.key:
		t.left = removeKey(t.left, key)
	case key > t.key:
		t.right = removeKey(t.right, key)
	default:
		return merge(t.left, t.right)
	}
	t.fix()
	return t
}

// mix64 is SplitMix64's finalizer: a bijection that scatters consecutive
// keys.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
