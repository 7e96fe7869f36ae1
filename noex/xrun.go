package noex

import (
	"errors"
	"hash/maphash"
	"strconv"
)

// xrun is one run of an exhaustive exploration, seen from the scheduler: it
// follows a prefix of step identities, then the natural order among the
// steps not in its sleep set, and records every step with what it touched.
//
// A step's identity is stable from run to run: it names the step by the
// processes involved, counted in creation order from their creator
// (process ids are not stable, since two processes started in another
// order get each other's ids): the n-th message from a sender to a
// receiver, the n-th resumption of a process, its wake-up, the n-th timer a
// process set.
type xrun struct {
	prefix   []xid
	sleep    []sleeper // the sleep set at the node after the prefix, before its step
	maxSteps int

	events   []xevent
	nodes    []xnodeRun
	cur      int // the event being run, -1 outside a step
	blocked  bool
	overrun  bool
	diverged bool
	off      bool // Shutdown began: no more exploring
}

type xid = uint64

// xevent is one step of a run: who it was, what it touched and which step
// enabled it.
type xevent struct {
	id      xid
	proc    uint64 // the identity of the process it ran on; 0 for a timer
	deliver bool   // it delivered a message to proc
	acc     []access
	cause   int // the event that enabled it, -1 if none did
}

// xnodeRun is what a run saw at a step: the identities enabled, oldest
// first, which one it took, and its sleep set then.
type xnodeRun struct {
	enabled    []xid
	chosen     int
	sleep      []sleeper // before its step
	sleepAfter []sleeper // after it: the sleepers independent of the step
}

// access is one read or write of a resource beyond the step's process.
type access struct {
	res  uint64
	mode accessMode
}

type accessMode uint8

const (
	accRead   accessMode = iota
	accWrite             // conflicts with everything on the resource
	accMember            // adds or removes one member of a set: commutes with other members' changes, conflicts with reads of the whole set
)

func (a access) conflicts(b access) bool {
	if a.res != b.res {
		return false
	}
	switch {
	case a.mode == accWrite || b.mode == accWrite:
		return true
	case a.mode == accMember && b.mode == accMember:
		return false
	}
	return a.mode != b.mode // a member change and a read of the set
}

// sleeper is a step in a sleep set, with what it did when it ran at the
// node where it went to sleep.
type sleeper struct {
	id xid
	ev *xevent
}

// dependent reports whether two steps do not commute: they run on the same
// process, or touch the same resource and one of them changes it.
func dependent(a, b *xevent) bool {
	if a.proc != 0 && a.proc == b.proc {
		return true
	}
	for _, x := range a.acc {
		for _, y := range b.acc {
			if x.conflicts(y) {
				return true
			}
		}
	}
	return false
}

// Resources beyond a process.
const (
	resStatus  = iota + 1 // whether a process takes messages (stop, end, kill)
	resName               // one registered name
	resNames              // the whole registry, as Names and Count read it
	resWait               // a process's wait: a reply and a timeout race for it
	resMonitor            // the monitors on a process
	resTimer              // one timer: it fires or is cancelled
	resShared             // state outside the runtime, declared by Touch
)

var nameSeed = maphash.MakeSeed()

func resOf(kind int, ident uint64) uint64 { return mix64(ident*8 + uint64(kind)) }

// errSleepBlocked ends a run whose every enabled step is asleep: it can
// only repeat an order explored already.
var errSleepBlocked = errors.New("noex: exploration: every enabled step is asleep")

// errOverrun ends a run that took more steps than the exploration allows.
var errOverrun = errors.New("noex: exploration: too many steps in one run")

// errDiverged ends a run whose prefix names a step that is not enabled, or
// that saw other steps enabled on its prefix than the run that made it: the
// scenario does not behave the same way every time it runs.
var errDiverged = ErrNotDeterministic

// ---- identities, kept by the scheduler while exploring ----

// born gives a new process its identity: its creator's and its rank among
// the creator's children (a Run body's: its rank among Run bodies).
func (s *scheduler) born(p, creator *process) {
	if s.x == nil {
		return
	}
	if creator == nil {
		s.roots++
		p.d.ident = mix64(s.roots ^ 0x726f6f74)
		return
	}
	creator.d.children++
	p.d.ident = mix64(creator.d.ident ^ mix64(creator.d.children))
}

// touch records, while exploring, that the running step accessed a
// resource of p.
func (rt *Runtime) touch(kind int, p *process, mode accessMode) {
	if rt.det && rt.sched.x != nil && p.d != nil {
		rt.sched.touch(kind, p.d.ident, mode)
	}
}

// touch records that the running step accessed res.
func (s *scheduler) touch(kind int, ident uint64, mode accessMode) {
	if s.x == nil || s.x.cur < 0 {
		return
	}
	ev := &s.x.events[s.x.cur]
	ev.acc = append(ev.acc, access{res: resOf(kind, ident), mode: mode})
}

// Touch declares that the code running now reads or writes state that lives
// outside the runtime and is shared between processes, named resource: a
// writer several processes print to, a file, a variable behind a mutex.
// [Explore] then treats two steps that touch the same resource as not
// commuting and visits both of their orders; without it, steps on
// different processes that share only such state count as one schedule
// (their order changes nothing the runtime can see). Touch does nothing in
// real mode or outside Explore. Call it from code the runtime runs (a
// handler, Init, Terminate, a bus handler, a Run body), not from a
// goroutine of your own.
func (rt *Runtime) Touch(resource string) {
	if rt != nil && rt.det && rt.sched.x != nil {
		rt.sched.touch(resShared, maphash.String(nameSeed, resource), accWrite)
	}
}

func (s *scheduler) touchName(name string, mode accessMode) {
	if s.x == nil || s.x.cur < 0 {
		return
	}
	s.touch(resName, maphash.String(nameSeed, name), mode)
	if mode != accRead {
		s.touch(resNames, 0, accMember)
	}
}

// identify gives e, which the running step enables, its identity and cause.
func (s *scheduler) identify(e *entry, id xid) {
	if s.x == nil {
		return
	}
	e.xid, e.xcause = id, s.x.cur
}

// stepKinds of identities.
const (
	idResume = iota + 1
	idWake
	idTimer
	idMessage
)

func identOf(kind int, a, n uint64) xid { return mix64(mix64(a^uint64(kind)<<56) ^ n) }

// msgID is the identity of a message queued now from q's sender to p and
// the step that sent it.
type msgID struct {
	id    xid
	cause int
}

// ---- the run ----

// xpick chooses the step to run at the current state and records the node.
func (s *scheduler) xpick() (*entry, error) {
	x := s.x
	n := s.set.len()
	if x.off || s.rt.ShuttingDown() {
		x.off = true
		return s.set.at(0), nil
	}
	if x.maxSteps > 0 && len(x.events) >= x.maxSteps {
		x.overrun = true
		return nil, errOverrun
	}
	ids := make([]xid, 0, n)
	s.set.each(func(e *entry) { ids = append(ids, e.xid) })
	depth := len(x.nodes)
	node := xnodeRun{enabled: ids, chosen: -1}
	switch {
	case depth < len(x.prefix):
		for i, id := range ids {
			if id == x.prefix[depth] {
				node.chosen = i
				break
			}
		}
		if node.chosen < 0 {
			x.diverged = true
			return nil, errDiverged
		}
		if depth == len(x.prefix)-1 {
			node.sleep = x.sleep
		}
	default:
		if depth > 0 {
			node.sleep = x.nodes[depth-1].sleepAfter
		}
		for i, id := range ids {
			if !asleep(node.sleep, id) {
				node.chosen = i
				break
			}
		}
		if node.chosen < 0 {
			x.blocked = true
			return nil, errSleepBlocked
		}
	}
	x.nodes = append(x.nodes, node)
	return s.set.at(node.chosen), nil
}

// xbegin records the start of e's step.
func (s *scheduler) xbegin(e *entry) {
	x := s.x
	if x.off {
		return
	}
	ev := xevent{id: e.xid, cause: e.xcause, deliver: e.kind == stepDeliver}
	if e.p != nil {
		// A step depends on whether its process was stopped or killed.
		ev.proc = e.p.d.ident
		ev.acc = append(ev.acc, access{res: resOf(resStatus, ev.proc), mode: accRead})
	} else {
		ev.acc = append(ev.acc, access{res: resOf(resTimer, e.xid), mode: accWrite})
	}
	x.events = append(x.events, ev)
	x.cur = len(x.events) - 1
}

// xend records the end of the step begun by xbegin: the sleepers that
// commute with it stay asleep.
func (s *scheduler) xend() {
	x := s.x
	if x.off || x.cur < 0 {
		return
	}
	ev := &x.events[x.cur]
	x.cur = -1
	node := &x.nodes[len(x.nodes)-1]
	for _, z := range node.sleep {
		if z.id != ev.id && !dependent(z.ev, ev) {
			node.sleepAfter = append(node.sleepAfter, z)
		}
	}
}

func asleep(z []sleeper, id xid) bool {
	for _, s := range z {
		if s.id == id {
			return true
		}
	}
	return false
}

// xstep runs one step of an exploration's run.
func (s *scheduler) xstep(n int) error {
	e, err := s.xpick()
	if err != nil {
		return err
	}
	if n > 1 {
		d := s.nDecide
		s.nDecide++
		if c := s.set.rank(e); c != 0 {
			s.rec = append(s.rec, strconv.FormatUint(d, 10)+":"+strconv.Itoa(c))
		}
	}
	s.xbegin(e)
	s.exec(e)
	s.xend()
	return nil
}
