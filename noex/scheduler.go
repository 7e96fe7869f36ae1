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
// baton. The driver collects the enabled steps, orders them oldest first,
// asks the chooser for one, and performs it; a process step hands the baton
// to the process and waits until it blocks in the runtime again.
type scheduler struct {
	rt      *Runtime
	chooser Chooser
	replay  map[uint64]int
	rec     []string
	nDecide uint64
	now     time.Time
	key     uint64

	yield   chan struct{}
	abort   chan struct{}
	aborted atomic.Bool
	holder  atomic.Pointer[process]
	stepN   atomic.Uint64
	escape  chan *EscapeError
	failure error

	nbusy  int        // processes in the middle of handling a message
	readyQ []*process // waiting processes whose wait is over
	inbox  []*process // receiving processes with mail, or with a stop to observe
	timers timerHeap
	due    []*timer
	steps  []step

	budget stepBudget
}

type stepKind uint8

const (
	stepResume stepKind = iota
	stepDeliver
	stepWakeup // a receiving process must observe its stop or kill
	stepTimer
)

type step struct {
	kind stepKind
	key  uint64
	p    *process
	q    *pairQueue
	t    *timer
}

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
type detProc struct {
	wake     chan struct{}
	state    parkState
	inReady  bool
	listed   bool
	key      uint64
	queues   map[uint64]*pairQueue
	nonempty []*pairQueue
	deliver  *envelope
	busy     bool // handling a message (counted in scheduler.nbusy)
	w        *waiter
	gid      atomic.Uint64
	stats    stepStats
}

// pairQueue holds the messages from one sender to one receiver, in order.
type pairQueue struct {
	src    uint64
	q      fifo.Queue[*envelope]
	inList bool
}

func newDetProc() *detProc { return &detProc{wake: make(chan struct{})} }

func (d *detProc) queued() int {
	n := 0
	for _, q := range d.nonempty {
		n += q.q.Len()
	}
	return n
}

func newScheduler(rt *Runtime, cfg config) *scheduler {
	s := &scheduler{rt: rt, now: Epoch, yield: make(chan struct{}), abort: make(chan struct{}),
		escape: make(chan *EscapeError, 1)}
	s.budget.limit = cfg.stepBudget
	if s.budget.limit == 0 {
		s.budget.limit = DefaultStepBudget
	}
	switch {
	case cfg.hasSched:
		s.replay, s.failure = parseSchedule(cfg.schedule)
	case cfg.chooser != nil:
		s.chooser = cfg.chooser
	default:
		s.chooser = NewSeededChooser(cfg.seed)
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

// ---- state changes, by the baton holder ----

func (s *scheduler) ready(p *process) {
	if p.d.state == psExited || p.d.state == psRunning || p.d.inReady {
		return
	}
	p.d.inReady, p.d.key = true, s.nextKey()
	s.readyQ = append(s.readyQ, p)
}

func (s *scheduler) list(p *process) {
	if !p.d.listed {
		p.d.listed, p.d.key = true, s.nextKey()
		s.inbox = append(s.inbox, p)
	}
}

func (s *scheduler) enqueue(to *process, env *envelope) {
	if to.d.queues == nil {
		to.d.queues = make(map[uint64]*pairQueue)
	}
	q := to.d.queues[env.src]
	if q == nil {
		q = &pairQueue{src: env.src}
		to.d.queues[env.src] = q
	}
	env.key = s.nextKey()
	q.q.Push(env)
	if !q.inList {
		q.inList = true
		to.d.nonempty = append(to.d.nonempty, q)
	}
	if to.d.state == psReceiving {
		s.list(to)
	}
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
		out = append(out, q.q.Drain()...)
		q.inList = false
	}
	p.d.nonempty = nil
	slices.SortFunc(out, func(a, b *envelope) int { return compareU64(a.key, b.key) })
	return out
}

// ---- the driver ----

func (s *scheduler) run(ctx context.Context, root *process, body func(context.Context) error) error {
	if s.failure != nil {
		return s.failure
	}
	var bodyErr error
	s.rt.goroutineStarted()
	go func() {
		defer s.rt.goroutineEnded()
		defer s.exit(root)
		s.enter(root)
		root.runBody(body, &bodyErr)
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
		s.gather()
		n := len(s.steps)
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
		i := 0
		if n > 1 {
			var err error
			if i, err = s.choose(n); err != nil {
				return err
			}
		}
		s.exec(s.steps[i])
	}
}

func (s *scheduler) gather() {
	s.steps = s.steps[:0]
	for _, p := range s.readyQ {
		s.steps = append(s.steps, step{kind: stepResume, key: p.d.key, p: p})
	}
	for _, p := range s.inbox {
		if len(p.d.nonempty) == 0 {
			s.steps = append(s.steps, step{kind: stepWakeup, key: p.d.key, p: p})
			continue
		}
		for _, q := range p.d.nonempty {
			head, _ := q.q.Peek()
			s.steps = append(s.steps, step{kind: stepDeliver, key: head.key, p: p, q: q})
		}
	}
	for _, t := range s.due {
		s.steps = append(s.steps, step{kind: stepTimer, key: t.dueKey, t: t})
	}
	// Few steps are enabled at once: insertion sort, oldest first.
	for i := 1; i < len(s.steps); i++ {
		for j := i; j > 0 && s.steps[j].key < s.steps[j-1].key; j-- {
			s.steps[j], s.steps[j-1] = s.steps[j-1], s.steps[j]
		}
	}
}

func (s *scheduler) exec(st step) {
	switch st.kind {
	case stepResume:
		s.readyQ = removeProc(s.readyQ, st.p)
		st.p.d.inReady = false
		s.handoff(st.p)
	case stepDeliver:
		env, _ := st.q.q.Pop()
		if st.q.q.Len() == 0 {
			st.q.inList = false
			st.p.d.nonempty = slices.DeleteFunc(st.p.d.nonempty, func(q *pairQueue) bool { return q == st.q })
		}
		s.unlist(st.p)
		st.p.d.deliver = env
		s.handoff(st.p)
	case stepWakeup:
		s.unlist(st.p)
		s.handoff(st.p)
	case stepTimer:
		s.due = slices.DeleteFunc(s.due, func(t *timer) bool { return t == st.t })
		s.stepN.Add(1)
		st.t.fire()
	}
}

func (s *scheduler) unlist(p *process) {
	if p.d.listed {
		p.d.listed = false
		s.inbox = removeProc(s.inbox, p)
	}
}

func removeProc(ps []*process, p *process) []*process {
	if i := slices.Index(ps, p); i >= 0 {
		return slices.Delete(ps, i, i+1)
	}
	return ps
}

func (s *scheduler) handoff(p *process) {
	p.d.state = psRunning
	s.holder.Store(p)
	s.stepN.Add(1)
	s.countStep(p)
	p.d.wake <- struct{}{}
	select {
	case <-s.yield:
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
			t.dueKey = s.nextKey()
			s.due = append(s.due, t)
		}
	}
	return true
}

func (s *scheduler) addTimer(t *timer) {
	t.at = s.now.Add(t.delay)
	if t.delay <= 0 {
		t.dueKey = s.nextKey()
		t.index = -1
		s.due = append(s.due, t)
		return
	}
	heap.Push(&s.timers, t)
}

func (s *scheduler) removeTimer(t *timer) {
	if t.index >= 0 {
		heap.Remove(&s.timers, t.index)
		return
	}
	s.due = slices.DeleteFunc(s.due, func(x *timer) bool { return x == t })
}

func (s *scheduler) choose(n int) (int, error) {
	d := s.nDecide
	s.nDecide++
	var c int
	if s.replay != nil {
		c = s.replay[d]
	} else {
		c = s.chooser.Choose(n)
	}
	if c < 0 || c >= n {
		return 0, fmt.Errorf("%w: decision %d chose step %d of %d", ErrSchedule, d, c, n)
	}
	if c != 0 {
		s.rec = append(s.rec, strconv.FormatUint(d, 10)+":"+strconv.Itoa(c))
	}
	return c, nil
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
