package noex

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/noex-go/noex/noex/internal/fifo"
)

// scheduler drives a deterministic runtime. Exactly one goroutine runs at a
// time: the driver (the goroutine inside Run) or the process holding the
// baton. The driver keeps the set of enabled steps up to date as steps
// become enabled and disabled (never by scanning the processes), asks the
// strategy for one when two or more are enabled, and performs it; a
// process step hands the baton to the process and waits until it blocks in
// the runtime again.
type scheduler struct {
	rt        *Runtime
	strat     strategy
	stratName string
	chooser   StepChooser // a strategy of the user's own
	replay    map[uint64]int
	rec       []string
	nDecide   uint64
	now       time.Time
	key       uint64
	dobs      []*decisionObserver

	yield   chan struct{}
	abort   chan struct{}
	aborted atomic.Bool
	holder  atomic.Pointer[process]
	stepN   atomic.Uint64
	escape  chan *EscapeError
	failure error

	x     *xrun  // an exhaustive exploration's run, if any
	roots uint64 // Run bodies so far, for their identities

	chains bool   // PCT: steps belong to chains (see chain)
	cur    *chain // the chain of the step running now
	tok    uint64 // counts the steps run in a chain

	nbusy  int        // processes in the middle of handling a message
	set    enabledSet // the enabled steps, oldest first
	timers timerHeap  // pending timers that are not due yet

	budget stepBudget
}

type stepKind uint8

const (
	stepResume stepKind = iota
	stepDeliver
	stepWakeup // a receiving process must observe its stop or kill
	stepTimer
)

type parkState uint8

const (
	psNew parkState = iota
	psRunning
	psWaiting
	psReceiving
	psExited
)

// detProc is a process's deterministic-mode state, touched only by the
// baton holder.
//
// A receiving process is listed when it has mail or a stop to observe; its
// enabled steps are then a delivery per nonempty sender queue, or, with no
// mail, its wake-up. When a delivery runs, the process's other deliveries
// stay in the enabled set while it handles the message (present), since it
// almost always comes back to receive; they leave the set only if it ends
// the step waiting or ended (settle).
type detProc struct {
	wake     chan struct{}
	state    parkState
	inReady  bool
	listed   bool
	present  bool // the heads of the nonempty queues are in the enabled set
	key      uint64
	queues   map[uint64]*pairQueue
	nonempty []*pairQueue
	deliver  *envelope
	busy     bool // handling a message (counted in scheduler.nbusy)
	w        *waiter
	gid      atomic.Uint64
	re, we   entry  // its resumption and its wake-up
	ident    uint64 // while exploring: its identity, stable from run to run
	children uint64 // processes it started
	readies  uint64 // times it was readied
	timers   uint64 // timers it set
	stats    stepStats
}

// pairQueue holds the messages from one sender to one receiver, in order.
type pairQueue struct {
	src    uint64
	q      fifo.Queue[*envelope]
	inList bool
	idx    int                // index in the receiver's nonempty list
	e      entry              // the delivery of its head
	chains fifo.Queue[*chain] // PCT: the chain of each message's delivery, beside q
	srcID  uint64             // while exploring: the identity of the sender
	pushed uint64             // messages queued so far
	ids    fifo.Queue[msgID]  // while exploring: each message's identity, beside q
}

func newDetProc(p *process) *detProc {
	d := &detProc{wake: make(chan struct{})}
	d.re = entry{kind: stepResume, p: p, hidx: -1}
	d.we = entry{kind: stepWakeup, p: p, hidx: -1}
	return d
}

func (d *detProc) queued() int {
	n := 0
	for _, q := range d.nonempty {
		n += q.q.Len()
	}
	return n
}

func newScheduler(rt *Runtime, cfg config) *scheduler {
	s := &scheduler{rt: rt, now: Epoch, yield: make(chan struct{}), abort: make(chan struct{}),
		escape: make(chan *EscapeError, 1), strat: randomWalk{}}
	sp, err := strategySpec{name: "random"}, error(nil)
	if cfg.hasStrategy {
		sp, err = parseStrategy(cfg.strategy)
	}
	sc, custom := cfg.chooser.(StepChooser)
	s.budget.limit = cfg.stepBudget
	if s.budget.limit == 0 {
		s.budget.limit = DefaultStepBudget
	}
	switch {
	case cfg.xrun != nil:
		s.x, s.stratName = cfg.xrun, "explore"
	case err != nil:
		s.failure = err
	case cfg.hasSched:
		s.replay, s.failure = parseSchedule(cfg.schedule)
		s.stratName = "schedule"
	case custom && cfg.hasStrategy:
		s.failure = fmt.Errorf("%w: WithStrategy(%q) with a StepChooser, which is a strategy of its own", ErrBadOption, cfg.strategy)
	case custom:
		s.chooser, s.stratName = sc, "custom"
	default:
		src := cfg.chooser
		if src == nil {
			src = NewSeededChooser(cfg.seed)
		}
		sp = sp.resolve(cfg.seed, 0)
		s.strat, s.stratName = newStrategy(sp, src), sp.String()
		_, s.chains = s.strat.(*pct)
	}
	return s
}

func (s *scheduler) nextKey() uint64 { s.key++; return s.key }

// owns reports whether p holds the baton.
func (s *scheduler) owns(p *process) bool { return s.holder.Load() == p }

// ---- process side ----

// enter is the first thing a process goroutine does: wait for the baton.
func (s *scheduler) enter(p *process) {
	p.d.gid.Store(goroutineID())
	s.await(p)
}

func (s *scheduler) await(p *process) {
	select {
	case <-p.d.wake:
	case <-s.abort:
		runtime.Goexit()
	}
}

func (s *scheduler) handBack() {
	select {
	case s.yield <- struct{}{}:
	case <-s.abort:
		runtime.Goexit()
	}
}

// park blocks p until w fires.
func (s *scheduler) park(p *process, w *waiter) {
	if w.fired.Load() {
		return
	}
	p.d.state, p.d.w = psWaiting, w
	s.handBack()
	s.await(p)
	p.d.w = nil
	if p.killed.Load() {
		// Killed while waiting: the wait fails; the handler runs on to its
		// end, where the process's loop exits.
		w.fire(nil, ErrKilled, true)
	}
}

// receive blocks p until the scheduler delivers a message to it, or until it
// must observe a stop (nil) with an empty mailbox.
func (s *scheduler) receive(p *process) *envelope {
	s.idle(p)
	for {
		p.mu.Lock()
		stopping := p.status >= stStopping
		p.mu.Unlock()
		if stopping && len(p.d.nonempty) == 0 {
			// Terminating counts as handling: Run waits for it.
			p.d.busy = true
			s.nbusy++
			return nil
		}
		p.d.state = psReceiving
		if len(p.d.nonempty) > 0 {
			s.list(p)
		}
		s.handBack()
		s.await(p)
		if p.killed.Load() {
			runtime.Goexit()
		}
		if env := p.d.deliver; env != nil {
			p.d.deliver = nil
			p.d.handled(env)
			p.setCurrent(env)
			p.d.busy = true
			s.nbusy++
			return env
		}
	}
}

// idle records that p is not handling a message.
func (s *scheduler) idle(p *process) {
	if p.d.busy {
		p.d.busy = false
		s.nbusy--
	}
}

// exit runs as a process goroutine ends.
func (s *scheduler) exit(p *process) {
	if s.aborted.Load() || s.holder.Load() != p {
		return // an aborted run: goroutines unwind at once, off the baton
	}
	s.idle(p)
	p.d.state = psExited
	s.handBack()
}

// ---- the enabled set, kept by the baton holder ----

func (s *scheduler) enable(e *entry, key uint64) {
	e.key = key
	s.set.insert(e)
	s.strat.enabled(e)
}

func (s *scheduler) disable(e *entry) {
	if s.set.remove(e) {
		s.strat.disabled(e)
	}
}

// eachEntryOf calls fn for every enabled step that runs on p.
func (s *scheduler) eachEntryOf(p *process, fn func(*entry)) {
	for _, e := range [2]*entry{&p.d.re, &p.d.we} {
		if e.in {
			fn(e)
		}
	}
	if p.d.present {
		for _, q := range p.d.nonempty {
			if q.e.in {
				fn(&q.e)
			}
		}
	}
}

func (s *scheduler) ready(p *process) {
	if p.d.state == psExited || p.d.state == psRunning || p.d.inReady {
		return
	}
	p.d.inReady = true
	p.d.key = s.nextKey()
	p.d.re.chain = s.join()
	p.d.readies++
	s.identify(&p.d.re, identOf(idResume, p.d.ident, p.d.readies))
	s.enable(&p.d.re, p.d.key)
}

// list makes a receiving process's steps enabled: a delivery per nonempty
// queue, or its wake-up if it has no mail.
func (s *scheduler) list(p *process) {
	if !p.d.listed {
		p.d.listed, p.d.key = true, s.nextKey()
	}
	if len(p.d.nonempty) == 0 {
		if !p.d.we.in {
			p.d.we.chain = s.join()
			s.identify(&p.d.we, identOf(idWake, p.d.ident, 0))
			s.enable(&p.d.we, p.d.key)
		}
		return
	}
	s.disable(&p.d.we)
	if !p.d.present {
		p.d.present = true
		for _, q := range p.d.nonempty {
			s.enableHead(q)
		}
	}
}

// settle runs after p's step: unless p is listed again (it went back to
// receiving with mail), its remaining steps leave the enabled set.
func (s *scheduler) settle(p *process) {
	if p.d.listed {
		return
	}
	if p.d.present {
		p.d.present = false
		for _, q := range p.d.nonempty {
			s.disable(&q.e)
		}
	}
	s.disable(&p.d.we)
}

func (s *scheduler) enqueue(to *process, env *envelope) {
	if to.d.queues == nil {
		to.d.queues = make(map[uint64]*pairQueue)
	}
	q := to.d.queues[env.src]
	if q == nil {
		q = &pairQueue{src: env.src}
		q.e = entry{kind: stepDeliver, p: to, q: q, hidx: -1}
		to.d.queues[env.src] = q
		if s.x != nil {
			if env.src&(1<<63) != 0 && s.x.cur >= 0 {
				q.srcID = s.x.events[s.x.cur].id // a timer's message: the timer's identity
			} else if env.from != nil {
				q.srcID = env.from.d.ident
			}
		}
	}
	env.key = s.nextKey()
	if s.chains {
		q.chains.Push(s.join())
	}
	if s.x != nil {
		q.pushed++
		q.ids.Push(msgID{id: identOf(idMessage, to.d.ident^mix64(q.srcID), q.pushed), cause: s.x.cur})
	}
	q.q.Push(env)
	if !q.inList {
		q.inList, q.idx = true, len(to.d.nonempty)
		to.d.nonempty = append(to.d.nonempty, q)
		if to.d.present {
			s.disable(&to.d.we)
			s.enableHead(q)
		}
	}
	if to.d.state == psReceiving {
		s.list(to)
	}
}

// enableHead makes the delivery of q's head enabled.
func (s *scheduler) enableHead(q *pairQueue) {
	head, _ := q.q.Peek()
	q.e.chain, _ = q.chains.Peek()
	if m, ok := q.ids.Peek(); ok {
		q.e.xid, q.e.xcause = m.id, m.cause
	}
	s.enable(&q.e, head.key)
}

// join returns the chain of a step that the running step enables (a
// message it sends, a process it readies, a timer it sets): the running
// step's chain, if nothing joined it yet, else a new chain. A chain is thus
// a sequence of steps each caused by the one before, of which at most one
// is pending, as a thread's steps are for PCT. It returns nil when the
// strategy keeps no chains.
func (s *scheduler) join() *chain {
	if !s.chains {
		return nil
	}
	if c := s.cur; c != nil && c.tail == s.tok {
		c.tail = 0 // its next step is pending
		return c
	}
	return &chain{}
}

// unqueue takes an emptied queue off its receiver's nonempty list.
func (s *scheduler) unqueue(p *process, q *pairQueue) {
	last := len(p.d.nonempty) - 1
	moved := p.d.nonempty[last]
	p.d.nonempty[q.idx], moved.idx = moved, q.idx
	p.d.nonempty[last] = nil
	p.d.nonempty = p.d.nonempty[:last]
	q.inList = false
}

func (s *scheduler) stopRequested(p *process) {
	if p.d.state == psReceiving {
		s.list(p)
	}
}

func (s *scheduler) wakeKilled(p *process) {
	switch p.d.state {
	case psReceiving:
		s.list(p)
	case psWaiting, psNew:
		s.ready(p)
	}
}

// drain removes every queued message of p, oldest first.
func (s *scheduler) drain(p *process) []*envelope {
	var out []*envelope
	for _, q := range p.d.nonempty {
		s.disable(&q.e)
		out = append(out, q.q.Drain()...)
		q.chains = fifo.Queue[*chain]{}
		q.ids = fifo.Queue[msgID]{}
		q.inList = false
	}
	p.d.nonempty = nil
	slices.SortFunc(out, func(a, b *envelope) int { return compareU64(a.key, b.key) })
	return out
}

// ---- the driver ----

func (s *scheduler) run(ctx context.Context, root *process, body func(context.Context) error) error {
	if s.failure != nil {
		s.fail(s.failure) // a bad option: the runtime never runs
		return s.failure
	}
	var bodyErr error
	s.rt.goroutineStarted()
	go func() {
		defer s.rt.goroutineEnded()
		defer s.exit(root)
		s.enter(root)
		bodyErr = root.runBody(body)
		root.finalize(nil, endStop)
	}()
	s.ready(root)
	s.beginRun()
	stop := s.startWatchdog()
	err := s.loop(ctx, root)
	stop()
	if err != nil {
		s.fail(err)
		return err
	}
	return bodyErr
}

func (s *scheduler) loop(ctx context.Context, root *process) error {
	for {
		if s.failure != nil {
			return s.failure
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("noex: deterministic run aborted: %w", err)
		}
		if err := s.overBudget(); err != nil {
			return err
		}
		n := s.set.len()
		if n == 0 {
			// Quiescent: the body has returned and no message is queued or
			// being handled. A handler still in the middle of a message (in
			// a Sleep, say) keeps the clock going, as it keeps real mode's
			// Run waiting.
			if root.d.state == psExited && s.nbusy == 0 {
				return nil
			}
			if !s.advance() {
				return s.deadlock()
			}
			continue
		}
		if s.x != nil {
			if err := s.xstep(n); err != nil {
				return err
			}
			continue
		}
		if n == 1 {
			s.exec(s.set.root)
			continue
		}
		e, err := s.choose(n)
		if err != nil {
			return err
		}
		s.exec(e)
		s.strat.ran(s, e)
	}
}

func (s *scheduler) exec(e *entry) {
	s.disable(e)
	if s.chains {
		s.cur, s.tok = e.chain, s.tok+1
		s.cur.tail = s.tok
	}
	p := e.p
	switch e.kind {
	case stepResume:
		p.d.inReady = false
		s.handoff(p)
	case stepDeliver:
		q := e.q
		env, _ := q.q.Pop()
		q.chains.Pop()
		q.ids.Pop()
		if q.q.Len() > 0 {
			s.enableHead(q)
		} else {
			s.unqueue(p, q)
		}
		// p's other deliveries stay enabled while it handles env: see
		// detProc.
		p.d.listed = false
		p.d.deliver = env
		s.handoff(p)
	case stepWakeup:
		p.d.listed = false
		s.handoff(p)
	case stepTimer:
		s.stepN.Add(1)
		e.t.fire()
		return
	}
	s.settle(p)
}

func (s *scheduler) handoff(p *process) {
	p.d.state = psRunning
	s.holder.Store(p)
	s.stepN.Add(1)
	s.countStep(p)
	// The watchdog can end a handoff in either half: p may not come to
	// take the baton (a goroutine other than p's own used p's context and
	// left it elsewhere) or not give it back.
	select {
	case p.d.wake <- struct{}{}:
		select {
		case <-s.yield:
		case e := <-s.escape:
			s.failure = e
		}
	case e := <-s.escape:
		s.failure = e
	}
	s.holder.Store(nil)
}

// advance moves the virtual clock to the next timer and makes every timer
// due at that instant enabled. It reports false if no timer is pending.
func (s *scheduler) advance() bool {
	for s.timers.Len() > 0 && s.timers[0].state.Load() != timerPending {
		heap.Pop(&s.timers)
	}
	if s.timers.Len() == 0 {
		return false
	}
	at := s.timers[0].at
	if at.After(s.now) {
		d := at.Sub(s.now)
		s.now = at
		s.rt.emitf(func() Event { return Event{Kind: ClockAdvanced, Delay: d} })
	}
	for s.timers.Len() > 0 && !s.timers[0].at.After(s.now) {
		t := heap.Pop(&s.timers).(*timer)
		if t.state.Load() == timerPending {
			s.enable(&t.e, s.nextKey())
		}
	}
	return true
}

func (s *scheduler) addTimer(t *timer) {
	t.at = s.now.Add(t.delay)
	t.e = entry{kind: stepTimer, t: t, chain: s.join(), hidx: -1}
	if s.x != nil {
		t.owner.d.timers++
		s.identify(&t.e, identOf(idTimer, t.owner.d.ident, t.owner.d.timers))
	}
	if t.delay <= 0 {
		t.index = -1
		s.enable(&t.e, s.nextKey())
		return
	}
	heap.Push(&s.timers, t)
}

func (s *scheduler) removeTimer(t *timer) {
	if t.index >= 0 {
		heap.Remove(&s.timers, t.index)
		return
	}
	s.disable(&t.e)
}

// choose makes a decision among the n ≥ 2 enabled steps: the replayed
// schedule's, the user's strategy's or the runtime's.
func (s *scheduler) choose(n int) (*entry, error) {
	d := s.nDecide
	s.nDecide++
	c, e := -1, (*entry)(nil)
	switch {
	case s.replay != nil:
		c = s.replay[d]
	case s.chooser != nil:
		c = s.chooser.ChooseStep(Steps{s})
	default:
		c, e = s.strat.pick(s, n, d)
	}
	if e == nil {
		if c < 0 || c >= n {
			return nil, fmt.Errorf("%w: decision %d chose step %d of %d", ErrSchedule, d, c, n)
		}
		e = s.set.at(c)
	} else {
		c = s.set.rank(e)
	}
	if c != 0 {
		s.rec = append(s.rec, strconv.FormatUint(d, 10)+":"+strconv.Itoa(c))
	}
	if len(s.dobs) > 0 {
		s.observeDecision(d, c)
	}
	return e, nil
}

func (s *scheduler) observeDecision(d uint64, c int) {
	dec := Decision{N: d, Chosen: c, Steps: make([]Step, 0, s.set.len())}
	s.set.each(func(e *entry) { dec.Steps = append(dec.Steps, e.describe()) })
	s.rt.evMu.Lock()
	dec.Seq = s.rt.seq
	s.rt.evMu.Unlock()
	for _, o := range s.dobs {
		o.fn(dec)
	}
}

func (s *scheduler) fail(err error) {
	s.failure = err
	s.rt.mu.Lock()
	if s.rt.failure == nil {
		s.rt.failure = err
	}
	s.rt.mu.Unlock()
	s.close()
}

// close releases every goroutine still parked in the scheduler.
func (s *scheduler) close() {
	if s.aborted.CompareAndSwap(false, true) {
		close(s.abort)
	}
}

func (s *scheduler) deadlock() error {
	s.rt.mu.Lock()
	ps := make([]*process, 0, len(s.rt.procs))
	for p := range s.rt.procs {
		ps = append(ps, p)
	}
	s.rt.mu.Unlock()
	slices.SortFunc(ps, func(a, b *process) int { return compareU64(a.id, b.id) })
	waits := map[*process]*waiter{}
	var blocked []string
	for _, p := range ps {
		if p.d.state == psWaiting && p.d.w != nil {
			waits[p] = p.d.w
			on := "?"
			if p.d.w.on != nil {
				on = p.d.w.on.labelStr()
			}
			blocked = append(blocked, fmt.Sprintf("%s waits for %s (%s)", p.labelStr(), on, p.d.w.what))
		}
	}
	for _, start := range ps {
		seen := map[*process]int{}
		var path []*process
		for p := start; p != nil; {
			if i, ok := seen[p]; ok {
				var cycle []string
				for _, q := range path[i:] {
					w := waits[q]
					cycle = append(cycle, fmt.Sprintf("%s waits for %s (%s)", q.labelStr(), w.on.labelStr(), w.what))
				}
				return &DeadlockError{Cycle: cycle, Blocked: blocked}
			}
			w, ok := waits[p]
			if !ok || w.on == nil {
				break
			}
			seen[p] = len(path)
			path = append(path, p)
			p = w.on
		}
	}
	return &DeadlockError{Blocked: blocked}
}

// startWatchdog watches, on the wall clock, for a baton holder that does not
// come back: a process blocked outside the runtime.
func (s *scheduler) startWatchdog() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		const ticks = 8
		tk := time.NewTicker(s.rt.watchdog / ticks)
		defer tk.Stop()
		last, stuck := s.stepN.Load(), 0
		for {
			select {
			case <-done:
				return
			case <-tk.C:
			}
			n, h := s.stepN.Load(), s.holder.Load()
			if n != last || h == nil {
				last, stuck = n, 0
				continue
			}
			if stuck++; stuck < ticks {
				continue
			}
			s.escape <- &EscapeError{Process: h.labelStr(), Stack: goroutineStack(h.d.gid.Load()), Waited: s.rt.watchdog}
			return
		}
	}()
	return func() { close(done); wg.Wait() }
}

func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}

func goroutineStack(gid uint64) string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	prefix := []byte("goroutine " + strconv.FormatUint(gid, 10) + " [")
	for _, block := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.HasPrefix(block, prefix) {
			return string(block)
		}
	}
	return "(stack not found)"
}

// timerHeap orders pending timers by due time, then creation.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}
