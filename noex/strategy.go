package noex

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Exploration strategies. A deterministic runtime's strategy picks the step
// to run at every decision; it draws whatever randomness it needs from the
// runtime's Chooser (the seeded PRNG of [WithSeed], or the one given to
// [WithChooser], which is how rapid drives it), so a seed and a strategy
// name replay a run exactly. Every draw of a strategy shrinks towards 0, and
// 0 everywhere means the natural order: that is what lets rapid shrink a
// failing run found by any strategy.
const (
	// DefaultPCTDepth is PCT's depth when the spec does not give d.
	DefaultPCTDepth = 3
	// DefaultRunLength is PCT's estimate of a run's decisions when neither
	// the spec (k) nor earlier runs ([ResolveStrategy]) give one.
	DefaultRunLength = 100
)

// portfolio is what "portfolio" rotates through, by seed: seed s runs
// portfolio[s % len]. Uniform random comes first, so that rapid, whose
// draws shrink towards 0, shrinks towards it.
var portfolio = [...]strategySpec{
	{name: "random"},
	{name: "pct", d: 3},
	{name: "pos"},
	{name: "pct", d: 2},
	{name: "pct", d: 1},
}

// WithStrategy sets the exploration strategy of a deterministic runtime by
// name, with optional parameters (the same text as noextest's
// -noex.strategy flag):
//
//   - "random" (the default): every decision picks one of the enabled steps
//     uniformly at random.
//   - "pct", "pct:d=3", "pct:d=3,k=200": probabilistic concurrency testing.
//     Every chain of steps (the messages of one sender to one receiver; a
//     process's resumptions; a timer) gets a random priority when it first
//     appears; the enabled step of the highest priority runs, the oldest
//     among equals; at d−1 decisions drawn at random among the first k, the
//     chain about to run drops below every other. A bug that needs d
//     orderings is found with probability at least 1/(n·k^(d−1)) per run,
//     for n chains. d defaults to [DefaultPCTDepth], k to
//     [DefaultRunLength] (drivers such as noextest.Seeds adapt k from
//     earlier runs, see [ResolveStrategy]).
//   - "pos": partial order sampling. Every enabled step gets a random
//     priority when it becomes enabled; the highest runs; after a step runs,
//     the steps that race with it (those on the same process) draw new
//     priorities. It samples distinct orders of dependent steps far more
//     evenly than a uniform walk.
//   - "portfolio": seed s runs the s-th of random, pct:d=3, pos, pct:d=2 and
//     pct:d=1 (modulo 5); [Runtime.Strategy] names the one it ran.
//
// An unknown name or parameter makes Run fail with an error wrapping
// [ErrBadOption]. WithStrategy makes the runtime deterministic; [WithSchedule]
// replays a schedule whatever the strategy, and a [StepChooser] given to
// [WithChooser] is a strategy of its own and excludes WithStrategy.
func WithStrategy(spec string) Option {
	return runtimeOption(func(c *config) { c.det, c.strategy, c.hasStrategy = true, spec, true })
}

// Portfolio returns the strategies that "portfolio" rotates through, in
// order: seed s runs the (s mod len)-th.
func Portfolio() []string {
	out := make([]string, len(portfolio))
	for i, sp := range portfolio {
		out[i] = sp.String()
	}
	return out
}

// ResolveStrategy returns the strategy a deterministic runtime with seed and
// spec runs, in full (for example "pct:d=3,k=140"), for a reproduction line
// that replays it exactly: "portfolio" becomes the strategy of that seed,
// and a "pct" without k takes runLength as k when runLength > 0 (a driver
// passes the most decisions an earlier run of the same test made), else
// [DefaultRunLength]. It fails, wrapping [ErrBadOption], on a spec that
// [WithStrategy] would refuse.
func ResolveStrategy(spec string, seed uint64, runLength int) (string, error) {
	sp, err := parseStrategy(spec)
	if err != nil {
		return "", err
	}
	return sp.resolve(seed, runLength).String(), nil
}

// Strategy returns the strategy of a deterministic runtime in full, as
// [ResolveStrategy] gives it ("" in real mode, "schedule" when a schedule
// is replayed, "custom" for a [StepChooser]).
func (rt *Runtime) Strategy() string {
	if !rt.det {
		return ""
	}
	return rt.sched.stratName
}

type strategySpec struct {
	name string
	d, k int
}

func (sp strategySpec) String() string {
	if sp.name != "pct" {
		return sp.name
	}
	s := "pct:d=" + strconv.Itoa(sp.d)
	if sp.k > 0 {
		s += ",k=" + strconv.Itoa(sp.k)
	}
	return s
}

func parseStrategy(spec string) (strategySpec, error) {
	name, params, colon := strings.Cut(strings.TrimSpace(spec), ":")
	bad := func(why string) (strategySpec, error) {
		return strategySpec{}, fmt.Errorf("%w: strategy %q: %s (want random, pct, pct:d=3, pct:d=3,k=200, pos or portfolio)",
			ErrBadOption, spec, why)
	}
	sp := strategySpec{name: name}
	switch name {
	case "random", "pos", "portfolio":
		if params != "" {
			return bad(name + " takes no parameters")
		}
		return sp, nil
	case "pct":
		sp.d = DefaultPCTDepth
	case "":
		return bad("empty")
	default:
		return bad("unknown strategy")
	}
	if params == "" {
		if colon {
			return bad("no parameters after the colon")
		}
		return sp, nil
	}
	for _, kv := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 1 {
			return bad(fmt.Sprintf("parameter %q is not name=positive integer", kv))
		}
		switch k {
		case "d":
			sp.d = n
		case "k":
			sp.k = n
		default:
			return bad(fmt.Sprintf("unknown parameter %q", k))
		}
	}
	return sp, nil
}

// resolve turns a portfolio into its member for seed and gives pct its k.
func (sp strategySpec) resolve(seed uint64, runLength int) strategySpec {
	if sp.name == "portfolio" {
		sp = portfolio[seed%uint64(len(portfolio))]
	}
	if sp.name == "pct" && sp.k == 0 {
		sp.k = DefaultRunLength
		if runLength > 0 {
			sp.k = runLength
		}
	}
	return sp
}

// strategy picks the step of every decision.
type strategy interface {
	// pick returns, for decision d, the index of the step to run among the
	// n ≥ 2 enabled ones, or -1 and the entry itself.
	pick(s *scheduler, n int, d uint64) (int, *entry)
	enabled(e *entry)  // e joined the enabled set
	disabled(e *entry) // e left it
	ran(s *scheduler, e *entry)
}

func newStrategy(sp strategySpec, src Chooser) strategy {
	switch sp.name {
	case "pct":
		return newPCT(sp.d, sp.k, src)
	case "pos":
		return &pos{src: src}
	}
	return randomWalk{src: src}
}

// randomWalk is the uniform strategy: one draw among n per decision.
type randomWalk struct{ src Chooser }

func (r randomWalk) pick(_ *scheduler, n int, _ uint64) (int, *entry) { return r.src.Choose(n), nil }
func (randomWalk) enabled(*entry)                                     {}
func (randomWalk) disabled(*entry)                                    {}
func (randomWalk) ran(*scheduler, *entry)                             {}

// prioRange bounds a strategy's random priorities: draws of Choose(prioRange).
const prioRange = 1 << 30

// chain is a sequence of steps, each caused by the one before, that PCT
// prioritises as a whole, as it does a thread's steps (see scheduler.join).
type chain struct {
	v    uint64 // its priority
	set  bool
	tail uint64 // the token of its running step; 0 while its next step is pending
}

// pct is probabilistic concurrency testing over chains of steps.
type pct struct {
	d      int
	src    Chooser
	change []changePoint // ascending by decision
	heap   entryHeap
}

// changePoint is a decision at which the chain about to run drops to prio.
type changePoint struct{ at, prio uint64 }

func newPCT(d, k int, src Chooser) *pct {
	s := &pct{d: d, src: src}
	// d−1 distinct change points among the first k decisions. A repeated
	// draw moves to the next free decision, so that a draw source stuck at
	// 0 (a shrinking rapid) still ends.
	// The i-th drawn drops to priority i, below every initial priority
	// (which are at least d). A draw of 0 means no change point, so that
	// draws of 0 throughout (a shrunk rapid run) give the natural order.
	taken := map[uint64]bool{}
	for i := range min(d-1, k) {
		c := uint64(src.Choose(k + 1))
		if c == 0 {
			continue
		}
		c--
		for taken[c] {
			c = (c + 1) % uint64(k)
		}
		taken[c] = true
		s.change = append(s.change, changePoint{at: c, prio: uint64(i + 1)})
	}
	slices.SortFunc(s.change, func(a, b changePoint) int { return cmp.Compare(a.at, b.at) })
	return s
}

func (s *pct) enabled(e *entry) {
	c := e.chain
	if !c.set {
		c.v, c.set = uint64(s.d)+uint64(s.src.Choose(prioRange)), true
	}
	e.spri = c.v
	s.heap.push(e)
}

func (s *pct) disabled(e *entry) { s.heap.remove(e) }

func (s *pct) ran(*scheduler, *entry) {}

func (s *pct) pick(_ *scheduler, _ int, d uint64) (int, *entry) {
	top := s.heap.top()
	if len(s.change) > 0 && s.change[0].at == d {
		// A change point: the chain about to run drops below every initial
		// priority.
		low := s.change[0].prio
		s.change = s.change[1:]
		c := top.chain
		c.v = low
		for _, e := range s.heap {
			if e.chain == c {
				e.spri = low
			}
		}
		s.heap.init()
		top = s.heap.top()
	}
	return -1, top
}

// pos is partial order sampling.
type pos struct {
	src  Chooser
	heap entryHeap
}

func (s *pos) enabled(e *entry) {
	e.spri = uint64(s.src.Choose(prioRange))
	s.heap.push(e)
}

func (s *pos) disabled(e *entry) { s.heap.remove(e) }

func (s *pos) pick(*scheduler, int, uint64) (int, *entry) { return -1, s.heap.top() }

// ran gives the steps that race with e, those on the same process, new
// priorities.
func (s *pos) ran(sc *scheduler, e *entry) {
	if e.p == nil {
		return
	}
	sc.eachEntryOf(e.p, func(x *entry) {
		if x.hidx >= 0 {
			x.spri = uint64(s.src.Choose(prioRange))
			s.heap.fix(x)
		}
	})
}

// entryHeap is a binary max-heap of entries by priority, the oldest first
// among equal priorities. Each entry knows its index (hidx, -1 outside).
type entryHeap []*entry

func (h entryHeap) less(i, j int) bool {
	a, b := h[i], h[j]
	if a.spri != b.spri {
		return a.spri > b.spri
	}
	return a.key < b.key
}

func (h entryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx, h[j].hidx = i, j
}

func (h entryHeap) top() *entry { return h[0] }

func (h *entryHeap) push(e *entry) {
	e.hidx = len(*h)
	*h = append(*h, e)
	h.up(e.hidx)
}

func (h *entryHeap) remove(e *entry) {
	i := e.hidx
	if i < 0 {
		return
	}
	last := len(*h) - 1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	e.hidx = -1
	if i != last {
		h.fixAt(i)
	}
}

func (h entryHeap) fix(e *entry) { h.fixAt(e.hidx) }

// init restores the heap's order after priorities changed.
func (h entryHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h entryHeap) fixAt(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h entryHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h entryHeap) down(i int) bool {
	start := i
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > start
}
