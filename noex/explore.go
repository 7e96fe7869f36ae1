package noex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Explore runs a scenario under every distinct schedule, one run each, and
// stops at the first that fails. It calls run once per schedule with the
// options that make a runtime follow that schedule; run builds a runtime
// with them (and any of its own, such as [WithSeed] for [Rand]), runs the
// scenario, shuts the runtime down and returns the scenario's failure, nil
// if it passed.
//
// Two schedules are the same when they differ only in the order of steps
// that commute: steps on different processes commute unless one changes
// what the other reads (a registered name, whether a process takes
// messages, a process's monitors, the wait that a reply and a timeout race
// for, a timer that fires or is cancelled). Explore visits at least one
// schedule of every class, using dynamic partial-order reduction with sleep
// sets (source sets, as in Abdulla et al., POPL 2014): a run follows a
// prefix of an earlier one, takes another step where two dependent steps
// raced, then the natural order; sleep sets stop a run that could only
// repeat an order already visited. Timer ties are choices like any other.
// Shutdown is not explored: once it begins, the run takes the natural
// order.
//
// A run's steps are named by the processes involved, counted in creation
// order from their creator, so the scenario must do the same thing every
// time it runs with the same schedule (only the runtime's time, randomness
// and scheduling); one that does not makes Explore fail with
// [ErrNotDeterministic], as soon as a run steps where an earlier one did
// not.
//
// Runs are made in batches of 16, the one the search needs next and the
// ones it will need after it, on every core: run must be safe to call from
// several goroutines at once (each call with its own runtime). The batches
// do not depend on the number of cores, so neither does the result: the
// same scenario gives the same counts and the same first failure on every
// machine. Bounds: see [MaxSchedules], [MaxSteps] and [MaxDelays]; the
// result says which one ended the search, or that it was complete.
func Explore(run func(opts ...Option) error, opts ...ExploreOption) ExploreResult {
	if run == nil {
		return ExploreResult{Err: fmt.Errorf("%w: Explore needs a scenario, not nil", ErrBadOption)}
	}
	cfg := exploreConfig{maxSchedules: DefaultMaxSchedules, maxSteps: DefaultMaxSteps, maxDelays: -1, reduce: true}
	for _, o := range opts {
		if o != nil {
			o.applyExplore(&cfg)
		}
	}
	x := &explorer{cfg: cfg}
	return x.explore(run)
}

// ErrNotDeterministic is the error of an exploration whose scenario did not
// do the same thing under the same schedule (it read the wall clock, drew
// global randomness, kept state from one run to the next…), so that no
// count of its schedules would mean anything.
var ErrNotDeterministic = errors.New("noex: exploration: the scenario did not replay the same way; it must be deterministic (time, randomness and scheduling only through the runtime)")

// Defaults of [Explore]'s bounds.
const (
	DefaultMaxSchedules = 100_000
	DefaultMaxSteps     = 100_000
)

// ExploreResult says how an exploration ended.
type ExploreResult struct {
	Schedules int // runs that ended, each a distinct schedule
	Pruned    int // runs stopped early by the sleep sets: every step left would repeat a visited order
	Complete  bool
	Bound     string // the bound that ended the search, "" if none did: "100000 runs", "2 delays", "5000 steps in a run"
	Reduced   bool   // partial-order reduction was on

	// Err is the first failing run's error; Schedule replays that run with
	// [WithSchedule] (and the runtime options run gave it).
	Err      error
	Schedule string
}

// String is the one-line verdict: "N schedules, all passed (complete)",
// "bound reached after N schedules (what bound)", "schedule N failed: …",
// or, for a scenario that is not deterministic, "stopped after N
// schedules: …".
func (r ExploreResult) String() string {
	switch {
	case errors.Is(r.Err, ErrBadOption):
		return fmt.Sprintf("not run: %v", r.Err)
	case errors.Is(r.Err, ErrNotDeterministic):
		return fmt.Sprintf("stopped after %s: %v", count(r.Schedules, "schedule"), r.Err)
	case r.Err != nil:
		return fmt.Sprintf("schedule %d failed (replay with schedule %q): %v", r.Schedules, r.Schedule, r.Err)
	case r.Complete && r.Schedules == 1:
		return "1 schedule, passed (complete)"
	case r.Complete:
		return fmt.Sprintf("%d schedules, all passed (complete)", r.Schedules)
	}
	if r.Pruned > 0 {
		return fmt.Sprintf("bound reached after %s and %s (%s)", count(r.Schedules, "schedule"), count(r.Pruned, "pruned run"), r.Bound)
	}
	return fmt.Sprintf("bound reached after %s (%s)", count(r.Schedules, "schedule"), r.Bound)
}

// count is n things: "1 schedule", "2 schedules".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}

// ExploreOption configures [Explore].
type ExploreOption interface{ applyExplore(*exploreConfig) }

type exploreConfig struct {
	maxSchedules int
	maxSteps     int
	maxDelays    int
	reduce       bool
	progress     func(ExploreResult)
}

type exploreOption func(*exploreConfig)

func (f exploreOption) applyExplore(c *exploreConfig) { f(c) }

// MaxSchedules bounds the number of runs (default [DefaultMaxSchedules]),
// counting the runs the sleep sets pruned as well as the schedules.
// A bound n < 1 is ignored.
func MaxSchedules(n int) ExploreOption {
	return exploreOption(func(c *exploreConfig) {
		if n > 0 {
			c.maxSchedules = n
		}
	})
}

// MaxSteps bounds the steps of one run (default [DefaultMaxSteps]); a run
// that reaches it is stopped and the search goes on without its
// continuations. A bound n < 1 is ignored.
func MaxSteps(n int) ExploreOption {
	return exploreOption(func(c *exploreConfig) {
		if n > 0 {
			c.maxSteps = n
		}
	})
}

// MaxDelays bounds how often a schedule may depart from the natural order
// (take another step than the oldest enabled one), as delay-bounded search
// in CHESS and Loom does: most bugs need few. A bound n < 0 is ignored.
func MaxDelays(n int) ExploreOption {
	return exploreOption(func(c *exploreConfig) {
		if n >= 0 {
			c.maxDelays = n
		}
	})
}

// WithoutReduction makes Explore enumerate every interleaving, commuting
// steps included: only useful to measure what the reduction saves.
func WithoutReduction() ExploreOption {
	return exploreOption(func(c *exploreConfig) { c.reduce = false })
}

// ExploreProgress makes Explore call fn with the result so far every 1000
// runs.
func ExploreProgress(fn func(ExploreResult)) ExploreOption {
	return exploreOption(func(c *exploreConfig) { c.progress = fn })
}

// withXRun attaches an exploration's run to a runtime.
func withXRun(r *xrun) Option {
	return runtimeOption(func(c *config) { c.det, c.xrun = true, r })
}

// explorer is the state of one Explore: the path of the last run, as a
// stack of nodes, with what is left to try at each.
type explorer struct {
	cfg   exploreConfig
	stack []*xnode
	res   ExploreResult
	cut   bool              // a branch was left out for the delay bound
	ahead map[string]ranRun // runs made ahead of their turn, by prefix
}

// xnode is one step of the current path.
type xnode struct {
	enabled   []xid
	chosen    int     // index in enabled of the step taken on the current path
	ev        *xevent // that step
	done      []sleeper
	backtrack []xid
	sleep     []sleeper // the sleep set on entry
	delays    int       // departures from the natural order before this node
}

func (x *explorer) explore(run func(opts ...Option) error) ExploreResult {
	x.res.Reduced = x.cfg.reduce
	var prefix []xid
	var sleep []sleeper
	for {
		if x.res.Schedules+x.res.Pruned >= x.cfg.maxSchedules {
			x.res.Bound = fmt.Sprintf("%d runs", x.cfg.maxSchedules)
			return x.res
		}
		r, err := x.result(run, prefix, sleep)
		if x.strayed(r) {
			r.diverged = true
		}
		switch {
		case r.diverged:
			x.res.Err = errDiverged
			return x.res
		case r.blocked:
			x.res.Pruned++
		case r.overrun:
			x.res.Schedules++
			x.res.Bound = fmt.Sprintf("%d steps in a run", x.cfg.maxSteps)
		default:
			x.res.Schedules++
			if err != nil {
				x.res.Err, x.res.Schedule = err, r.schedule()
				return x.res
			}
		}
		x.integrate(r)
		if f := x.cfg.progress; f != nil && (x.res.Schedules+x.res.Pruned)%1000 == 0 {
			f(x.res)
		}
		var ok bool
		if prefix, sleep, ok = x.next(); !ok {
			switch {
			case x.res.Bound != "":
			case x.cut:
				x.res.Bound = fmt.Sprintf("%d delays", x.cfg.maxDelays)
			default:
				x.res.Complete = true
			}
			return x.res
		}
	}
}

// strayed reports whether r, on the prefix it followed, saw other steps
// enabled than the run that made those nodes did: the scenario does not do
// the same thing under the same schedule (a run that names a step which is
// not enabled is caught as it runs; this catches one that only adds or
// loses steps beside it).
func (x *explorer) strayed(r *xrun) bool {
	for d := 0; d < len(r.prefix) && d < len(r.nodes) && d < len(x.stack); d++ {
		if !slices.Equal(r.nodes[d].enabled, x.stack[d].enabled) {
			return true
		}
	}
	return false
}

// exploreBatch is how many runs Explore starts at once: the run it needs
// and the next ones it will need, in the order it will need them. It is a
// constant, not the number of cores, so that the result is the same on
// every machine.
const exploreBatch = 16

// ranRun is a run done ahead of its turn.
type ranRun struct {
	r   *xrun
	err error
}

// result returns the run of prefix: run ahead with the next ones (up to
// exploreBatch), on as many cores as the machine has, unless it already was
// and is still the run the search needs (see resleep).
func (x *explorer) result(run func(opts ...Option) error, prefix []xid, sleep []sleeper) (*xrun, error) {
	key := keyOf(prefix)
	if done, ok := x.ahead[key]; ok {
		delete(x.ahead, key)
		if !x.cfg.reduce || resleep(done.r, sleep) {
			return done.r, done.err
		}
	}
	batch := []*xrun{{prefix: prefix, sleep: sleep}}
	if x.res.Schedules+x.res.Pruned > 0 { // the first run makes the first path
		batch = append(batch, x.pending(prefix, exploreBatch-1)...)
	}
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, r := range batch {
		r.maxSteps, r.cur = x.cfg.maxSteps, -1
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			runOnce(run, r, &errs[i])
		}()
	}
	wg.Wait()
	if x.ahead == nil {
		x.ahead = map[string]ranRun{}
	}
	for i, r := range batch[1:] {
		x.ahead[keyOf(r.prefix)] = ranRun{r: r, err: errs[i+1]}
	}
	return batch[0], errs[0]
}

// runOnce makes run r and stores its error in out, turning a panic or a
// runtime.Goexit of the scenario itself (outside the runtime, which contains
// its processes' own) into that error, so that it fails that schedule
// instead of the program. (A Goexit ends the goroutine: the error is stored
// on the way out.)
func runOnce(run func(opts ...Option) error, r *xrun, out *error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if v := recover(); v != nil {
			*out = fmt.Errorf("noex: the explored scenario panicked: %v\n%s", v, debug.Stack())
		} else {
			*out = errors.New("noex: the explored scenario called runtime.Goexit (t.FailNow, t.Fatal or a require helper?)")
		}
	}()
	*out = run(withXRun(r))
	returned = true
}

// resleep checks that a run made ahead, with the sleep set its node had
// then, took the steps it would have taken with the sleep set the node has
// now (a larger one: the siblings explored since joined it), and gives its
// nodes the sleep sets they would have had. It reports false if a step it
// took would now be asleep: the run must be made again. So a run made ahead
// is used only where it is the run the search would have made, and the
// result is the same as if every run were made in turn.
func resleep(r *xrun, sleep []sleeper) bool {
	z := sleep
	for d := max(len(r.prefix)-1, 0); d < len(r.nodes); d++ {
		n := &r.nodes[d]
		id := n.enabled[n.chosen]
		if d >= len(r.prefix) && asleep(z, id) {
			return false
		}
		n.sleep = z
		if d >= len(r.events) {
			break
		}
		var after []sleeper
		for _, s := range z {
			if s.id != id && !dependent(s.ev, &r.events[d]) {
				after = append(after, s)
			}
		}
		n.sleepAfter, z = after, after
	}
	r.sleep = sleep
	return true
}

// pending lists, in the order next will return them, up to n runs still to
// make after the one of skip, with their prefixes and sleep sets as they
// are now.
func (x *explorer) pending(skip []xid, n int) []*xrun {
	var out []*xrun
	for i := len(x.stack) - 1; i >= 0 && len(out) < n; i-- {
		node := x.stack[i]
		for _, k := range x.candidates(node) {
			p := make([]xid, 0, i+1)
			for _, m := range x.stack[:i] {
				p = append(p, m.enabled[m.chosen])
			}
			p = append(p, node.enabled[k])
			key := keyOf(p)
			if _, ok := x.ahead[key]; ok || key == keyOf(skip) {
				continue
			}
			r := &xrun{prefix: p}
			if x.cfg.reduce {
				r.sleep = append(slices.Clone(node.sleep), node.done...)
			}
			out = append(out, r)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

func keyOf(prefix []xid) string {
	b := make([]byte, 0, 8*len(prefix))
	for _, id := range prefix {
		b = binary.LittleEndian.AppendUint64(b, id)
	}
	return string(b)
}

// schedule is the run's choices as a schedule string.
func (r *xrun) schedule() string {
	var out []string
	d := 0
	for _, n := range r.nodes {
		if len(n.enabled) < 2 {
			continue
		}
		if n.chosen != 0 {
			out = append(out, fmt.Sprintf("%d:%d", d, n.chosen))
		}
		d++
	}
	return strings.Join(out, ",")
}

// integrate adds the run's path to the stack and, where two dependent
// steps raced on it, what to try at the earlier one's node.
func (x *explorer) integrate(r *xrun) {
	l := len(r.prefix)
	from := max(l-1, 0)
	if l > 0 && from < len(x.stack) {
		n := x.stack[from]
		n.chosen, n.ev = r.nodes[from].chosen, &r.events[from]
		n.done = append(n.done, sleeper{id: n.enabled[n.chosen], ev: n.ev})
		from++
	}
	x.stack = x.stack[:from]
	for i := from; i < len(r.nodes) && i < len(r.events); i++ {
		rn := r.nodes[i]
		n := &xnode{enabled: rn.enabled, chosen: rn.chosen, ev: &r.events[i], sleep: rn.sleep}
		n.done = []sleeper{{id: rn.enabled[rn.chosen], ev: n.ev}}
		if i > 0 {
			prev := x.stack[i-1]
			n.delays = prev.delays
			if prev.chosen != 0 {
				n.delays++
			}
		}
		if !x.cfg.reduce {
			n.backtrack = slices.Clone(rn.enabled)
		}
		x.stack = append(x.stack, n)
	}
	if x.cfg.reduce {
		x.races(max(l-1, 0))
	}
}

// races finds, for every step from index first on, the earlier steps it
// races with (dependent, and not ordered by anything between them), and
// makes sure that at the earlier step's node a step that can start the
// reversed order will be tried.
func (x *explorer) races(first int) {
	m := len(x.stack)
	pred := make([]bitset, m)
	for j := range m {
		ej := x.stack[j].ev
		pred[j] = newBitset(j)
		var direct []int
		if c := ej.cause; c >= 0 && c < j {
			direct = append(direct, c)
		}
		for i := j - 1; i >= 0; i-- {
			if i != ej.cause && dependent(x.stack[i].ev, ej) {
				direct = append(direct, i)
			}
		}
		var via bitset = newBitset(j)
		for _, d := range direct {
			pred[j].set(d)
			pred[j].or(pred[d])
			via.or(pred[d])
		}
		if j < first {
			continue
		}
		for _, i := range direct {
			if i == ej.cause || via.has(i) {
				continue // ordered through another step: no race
			}
			x.reverse(i, j, pred)
		}
		if ej.deliver {
			x.receiveRaces(j, pred)
		}
	}
}

// receiveRaces treats the deliveries to one process as the choices of its
// receives: a message delivered at step j could have been taken at an
// earlier receive i of the same process, instead of the message taken
// there, if it was sent by then or could have been (its send does not
// follow i). The process's own steps between the two (say, its resumption
// after a nested call) order i before j, which hides the race from the
// rule of races; this rule does not look through them.
func (x *explorer) receiveRaces(j int, pred []bitset) {
	ej := x.stack[j].ev
	c := ej.cause
	for i := j - 1; i >= 0; i-- {
		ei := x.stack[i].ev
		if !ei.deliver || ei.proc != ej.proc || i == c || c >= 0 && pred[c].has(i) {
			continue
		}
		x.reverse(i, j, pred)
	}
}

// reverse makes sure the race between steps i and j (i first) is tried the
// other way: some step that can start a schedule in which j comes before i
// is, or will be, tried at node i.
func (x *explorer) reverse(i, j int, pred []bitset) {
	n := x.stack[i]
	// The initials of notdep(i).j: the steps after i that do not follow i,
	// then j, that no earlier one of them precedes.
	var v []int
	for k := i + 1; k <= j; k++ {
		if !pred[k].has(i) || k == j {
			v = append(v, k)
		}
	}
	var initials []xid
	for a, k := range v {
		first := true
		for _, k2 := range v[:a] {
			if pred[k].has(k2) {
				first = false
				break
			}
		}
		if first {
			initials = append(initials, x.stack[k].ev.id)
		}
	}
	for _, id := range initials {
		if slices.Contains(n.backtrack, id) || hasSleeper(n.done, id) || hasSleeper(n.sleep, id) {
			return
		}
	}
	for _, id := range initials {
		if slices.Contains(n.enabled, id) {
			n.backtrack = append(n.backtrack, id)
			return
		}
	}
	// None of them is enabled there under its name: try them all.
	for _, id := range n.enabled {
		if !slices.Contains(n.backtrack, id) {
			n.backtrack = append(n.backtrack, id)
		}
	}
}

func hasSleeper(z []sleeper, id xid) bool {
	for _, s := range z {
		if s.id == id {
			return true
		}
	}
	return false
}

// next returns the prefix and sleep set of the next run: the deepest node
// with a step left to try, and that step, the oldest such.
func (x *explorer) next() (prefix []xid, sleep []sleeper, ok bool) {
	for i := len(x.stack) - 1; i >= 0; i-- {
		n := x.stack[i]
		c := x.candidates(n)
		if len(c) == 0 {
			continue
		}
		prefix = make([]xid, 0, i+1)
		for _, m := range x.stack[:i] {
			prefix = append(prefix, m.enabled[m.chosen])
		}
		prefix = append(prefix, n.enabled[c[0]])
		if x.cfg.reduce {
			sleep = append(slices.Clone(n.sleep), n.done...)
		}
		x.stack = x.stack[:i+1]
		return prefix, sleep, true
	}
	return nil, nil, false
}

// candidates returns the indices, oldest first, of the steps left to try at
// n: in its backtrack set, neither tried nor asleep, within the delay bound.
func (x *explorer) candidates(n *xnode) []int {
	var out []int
	for _, id := range n.backtrack {
		if hasSleeper(n.done, id) || x.cfg.reduce && hasSleeper(n.sleep, id) {
			continue
		}
		k := slices.Index(n.enabled, id)
		if k < 0 {
			continue
		}
		if x.cfg.maxDelays >= 0 && k != 0 && n.delays+1 > x.cfg.maxDelays {
			x.cut = true
			continue
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// bitset is a set of step indices.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) or(o bitset) {
	for i := range min(len(b), len(o)) {
		b[i] |= o[i]
	}
}
