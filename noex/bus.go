package noex

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// Bus is a reference to a running EventBus, as returned by [StartBus]. The
// bus is a server like any other: it has a PID, can be named, monitored,
// stopped and supervised. Its messages are internal: talk to it with
// [Subscribe], [SubscribeMailbox], [Publish], [PublishSync],
// [SubscriptionCount] and [Patterns], which all take a [BusAddr].
type Bus = Ref[busCall, busCast, busReply]

// BusName is the typed registered name of a bus, so that a bus started with
// WithName("event-bus") is found at each use with noex.BusName("event-bus").
type BusName = Name[busCall, busCast, busReply]

// BusAddr is the address of a bus: a [Bus] or a [BusName].
type BusAddr = Target[busCall, busCast, busReply]

// Handler receives the publications of a subscription made with
// [Subscribe]: msg as published and the topic it was published on. It runs
// inside the bus process, one handler at a time, so ctx is the bus's own:
// a handler may [Cast], [Send] or [Publish], but while it runs the bus
// handles nothing else, so it must not block for long, and it must not
// [Call] a process that might be waiting on this bus (a deadlock, reported
// as a call timeout). A handler must not touch its subscriber's state
// directly; [SubscribeMailbox] is the safe way to do that.
type Handler func(ctx context.Context, msg any, topic string)

// Publication is what a subscription made with [SubscribeMailbox] delivers
// to the subscriber's HandleInfo: the published message and its topic.
type Publication struct {
	Topic string
	Msg   any
}

// String renders the publication stably for the event log, as
// Publication{"user.created", User{ID:u1}}.
func (p Publication) String() string {
	return "Publication{" + strconv.Quote(p.Topic) + ", " + FormatMessage(p.Msg) + "}"
}

// StartBus starts an EventBus and returns once it runs. With [WithName] it
// is registered under that name (the chapter uses "event-bus"), so it is
// found with [BusName]; [WithInitTimeout] applies as for [Start]. It may be
// called from Run's body or from any handler, and fails as [Start] does.
//
// A bus keeps its subscriptions in memory: a restarted bus starts with none.
// When it stops, every remaining subscription is recorded as an
// [Unsubscribed] event; a killed bus records nothing.
func StartBus(ctx context.Context, opts ...StartOption) (Bus, error) {
	return Start(ctx, busBehavior{}, opts...)
}

// Subscribe subscribes h to the topics that pattern matches and returns the
// function that ends the subscription. It is a call to the bus and returns
// once the bus has applied it, so a [Publish] made afterwards by the same
// process reaches h. Like [Call], it may be used from Run's body and from
// any handler, Init included (the chapter's services subscribe in Init).
//
// Patterns are dot-separated segments, as in "user.created". A segment is
// a non-empty string of any characters except '.' and '*', or the wildcard
// "*", which matches exactly one segment: "user.*" matches "user.created"
// but neither "user" nor "user.profile.updated". The pattern "*" alone
// matches every topic. Empty patterns, empty segments, leading or trailing
// dots and a '*' inside a longer segment are rejected with a [*TopicError];
// see [MatchTopic] for the full grammar.
//
// Handlers run inside the bus process, one at a time, in subscription order
// (the order in which the bus applied the subscribes, across all patterns).
// A handler that panics is recovered on its own: the panic is recorded as a
// [Delivered] event whose Err is a [*CrashError], and neither the bus nor
// the other handlers are affected. See [Handler] for what a handler may do.
//
// The subscription belongs to the process running ctx (a server, including
// from its Init, or Run's body) and ends with it, however it ends (stop,
// crash, kill, failed Init). From the moment the owner has ended (say, once
// Stop, Kill or Wait returned), its subscriptions are not counted by
// [SubscriptionCount] and [Patterns], and publications from other processes
// no longer reach them; the publications the owner made itself before
// ending still do. The bus removes them, each recorded as an [Unsubscribed]
// event, when it handles the owner's [Down], which comes after every message
// the owner sent it. A server that subscribes in Init and is restarted
// (by hand or by a supervisor) therefore has exactly one subscription.
//
// The returned function is a call to the bus that returns once the bus has
// applied it. Call it from the subscribing process, or from a handler of
// this bus, where it takes effect at once: a subscription removed by a
// handler does not receive the rest of the publication being delivered. It is idempotent, and it does nothing once the bus or the
// subscriber has ended; in deterministic mode, called from a goroutine that
// is not a runtime process, it does nothing (the runtime refuses the call
// with [ErrNotOwner]) and may be called again from the right place.
//
// Subscribe fails with a [*TopicError] for an invalid pattern, an error
// wrapping [ErrBadOption] for a nil h, and the errors of [Call]: wrapping
// [ErrNotRunning] for a bus that has stopped, [ErrNotRegistered] for an
// unknown [BusName], [ErrCallSelf] when called from one of this bus's own
// handlers. On error the returned function is a no-op, never nil.
func Subscribe(ctx context.Context, bus BusAddr, pattern string, h Handler) (unsubscribe func(), err error) {
	if h == nil {
		return noUnsubscribe, &CallError{Op: "subscribe", Target: labelOf(bus),
			Err: fmt.Errorf("%w: Subscribe needs a non-nil Handler (SubscribeMailbox delivers to HandleInfo)", ErrBadOption)}
	}
	return subscribe(ctx, bus, pattern, h, false)
}

// SubscribeMailbox is [Subscribe] for a server that wants its publications
// as messages: each one arrives in its HandleInfo as a [Publication], sent
// by the bus, so it is handled like any other message of the server (in the
// server's own process, FIFO with the other messages the bus sends it), and
// it may update the server's state. The subscription belongs to the process
// running ctx, as with Subscribe. A server without HandleInfo drops the
// publications (each recorded as a [MessageDropped] event). Run's body has no
// mailbox: SubscribeMailbox from it fails with an error wrapping
// [ErrNotRunning].
func SubscribeMailbox(ctx context.Context, bus BusAddr, pattern string) (unsubscribe func(), err error) {
	return subscribe(ctx, bus, pattern, nil, true)
}

func noUnsubscribe() {}

func subscribe(ctx context.Context, bus BusAddr, text string, h Handler, mailbox bool) (func(), error) {
	pat, err := parsePattern(text)
	if err != nil {
		return noUnsubscribe, err
	}
	if p := procFrom(ctx); mailbox && p != nil && p.root {
		return noUnsubscribe, &CallError{Op: "subscribe", Target: labelOf(bus),
			Err: fmt.Errorf("%w: Run's body has no mailbox; SubscribeMailbox from a server", ErrNotRunning)}
	}
	r, err := Call(ctx, bus, busCall{op: opSubscribe, pat: pat, h: h, mailbox: mailbox, owner: Self(ctx)})
	if err != nil {
		return noUnsubscribe, err
	}
	u := &unsubscriber{ctx: ctx, bus: Bus{pid: r.st.proc.pid()}, id: r.id, st: r.st}
	return u.unsubscribe, nil
}

// unsubscriber is the function Subscribe returns. It addresses the bus
// process that holds the subscription, not the name it was found under: a
// restarted bus does not have it.
type unsubscriber struct {
	ctx  context.Context
	bus  Bus
	id   uint64
	st   *busState
	done atomic.Bool
}

func (u *unsubscriber) unsubscribe() {
	if !u.done.CompareAndSwap(false, true) {
		return
	}
	if goroutineID() == u.st.gid {
		// Called from a handler of this bus: a call would wait for itself.
		u.st.unsubscribe(u.id)
		return
	}
	if p := procFrom(u.ctx); p == nil || !alive(p) {
		return // the subscriber ended: the bus drops its subscriptions itself
	}
	if _, err := Call(u.ctx, u.bus, busCall{op: opUnsubscribe, id: u.id}); errors.Is(err, ErrNotOwner) {
		u.done.Store(false) // refused before reaching the bus: may be retried
	}
}

// Publish publishes msg on topic and returns at once (a [Cast] to the bus).
// The bus delivers it to every matching subscription, in subscription order;
// publications from one process are delivered in the order they were
// published. A subscription whose owner has ended before the bus handles the
// publication does not receive it, unless the owner published it itself.
// Like Cast, Publish may be used from Run's body and from any handler,
// including the bus's own. It fails with a [*TopicError] for an invalid
// topic (see [MatchTopic]; a topic has no wildcards), and with an error
// wrapping [ErrNotRunning] or [ErrNotRegistered] when the bus is stopped or
// unknown.
func Publish(ctx context.Context, bus BusAddr, topic string, msg any) error {
	if err := checkTopic(topic); err != nil {
		return err
	}
	from, id := publisher(ctx)
	return Cast(ctx, bus, busCast{topic: topic, msg: msg, from: from, id: id})
}

// publisher returns the calling process and a new publication id. The id
// only names the publication in events: in real mode, a publication made
// while no one observes gets none.
func publisher(ctx context.Context) (*process, uint64) {
	p := procFrom(ctx)
	if p == nil || !p.rt.det && !p.rt.observing() {
		return p, 0
	}
	return p, p.rt.nextRef.Add(1)
}

// PublishSync is [Publish] as a call: it returns once the bus has handled
// the publication, every matching handler has run and every mailbox
// delivery is queued (not yet handled: the subscriber handles it in its own
// time). It is the barrier tests use. It fails as Publish does, and as
// [Call] does (for example with [ErrCallSelf] from one of the bus's own
// handlers).
func PublishSync(ctx context.Context, bus BusAddr, topic string, msg any) error {
	if err := checkTopic(topic); err != nil {
		return err
	}
	from, id := publisher(ctx)
	_, err := Call(ctx, bus, busCall{op: opPublish, topic: topic, msg: msg, from: from, id: id})
	return err
}

// SubscriptionCount returns the number of subscriptions on the bus, of
// every pattern and kind, not counting those whose owner has ended. It is a
// call to the bus and fails as [Call] does.
func SubscriptionCount(ctx context.Context, bus BusAddr) (int, error) {
	r, err := Call(ctx, bus, busCall{op: opCount})
	return r.n, err
}

// Patterns returns the distinct patterns that have at least one
// subscription whose owner has not ended, sorted. It is a call to the bus
// and fails as [Call] does.
func Patterns(ctx context.Context, bus BusAddr) ([]string, error) {
	r, err := Call(ctx, bus, busCall{op: opPatterns})
	return r.pats, err
}

// ---- messages ----

type busOp uint8

const (
	opSubscribe busOp = iota
	opUnsubscribe
	opCount
	opPatterns
	opPublish
)

// busCall is the bus's call message.
type busCall struct {
	op      busOp
	pat     *pattern
	h       Handler
	mailbox bool
	owner   PID      // subscribe
	id      uint64   // unsubscribe: the subscription; publish: the publication
	topic   string   // publish
	msg     any      // publish
	from    *process // publish: the publisher
}

// String renders the call for the event log (never the handler's address).
func (c busCall) String() string {
	switch c.op {
	case opSubscribe:
		if c.mailbox {
			return "SubscribeMailbox(" + strconv.Quote(c.pat.text) + ")"
		}
		return "Subscribe(" + strconv.Quote(c.pat.text) + ")"
	case opUnsubscribe:
		return "Unsubscribe(#" + strconv.FormatUint(c.id, 10) + ")"
	case opCount:
		return "SubscriptionCount"
	case opPatterns:
		return "Patterns"
	}
	return "PublishSync(" + strconv.Quote(c.topic) + ", " + FormatMessage(c.msg) + ")"
}

// busCast is the bus's cast message: a publication.
type busCast struct {
	topic string
	msg   any
	from  *process // the publisher
	id    uint64   // the publication's id
}

func (c busCast) String() string {
	return "Publish(" + strconv.Quote(c.topic) + ", " + FormatMessage(c.msg) + ")"
}

// busReply is the bus's reply to every call.
type busReply struct {
	op   busOp
	id   uint64
	n    int
	pats []string
	ok   bool
	st   *busState
}

func (r busReply) String() string {
	switch r.op {
	case opSubscribe:
		return "#" + strconv.FormatUint(r.id, 10)
	case opUnsubscribe:
		return strconv.FormatBool(r.ok)
	case opCount:
		return strconv.Itoa(r.n)
	case opPatterns:
		q := make([]string, len(r.pats))
		for i, p := range r.pats {
			q[i] = strconv.Quote(p)
		}
		return "[" + strings.Join(q, " ") + "]"
	}
	return "ok"
}

// ---- the server ----

type busBehavior struct{}

var (
	_ Behavior[*busState, busCall, busCast, busReply] = busBehavior{}
	_ InfoHandler[*busState]                          = busBehavior{}
	_ Terminator[*busState]                           = busBehavior{}
)

// busState is the bus's state, touched only by the bus process.
type busState struct {
	ctx  context.Context // the bus process's own
	proc *process
	rt   *Runtime
	gid  uint64 // the bus process's goroutine

	exact  map[string]*group // wildcard-free patterns, by text
	wild   [][]*group        // patterns with "*" segments, by segment count
	all    *group            // the pattern "*"
	subs   map[uint64]*sub
	owners map[*process]*owner

	epoch  uint64     // counts publications; owners are checked once per publication
	segBuf []string   // the topic's segments, reused
	hits   []hitGroup // the groups matching a topic, reused
}

type sub struct {
	id      uint64 // also its place in the subscription order
	g       *group
	h       Handler // nil for a mailbox subscription
	o       *owner
	removed bool
}

type owner struct {
	p     *process
	mon   MonitorRef
	subs  []*sub
	epoch uint64 // when ended was last checked
	ended bool
}

func (busBehavior) Init(ctx context.Context) (*busState, error) {
	p := procFrom(ctx)
	return &busState{ctx: ctx, proc: p, rt: p.rt, gid: goroutineID(),
		exact: map[string]*group{}, subs: map[uint64]*sub{}, owners: map[*process]*owner{}}, nil
}

func (busBehavior) HandleCall(_ context.Context, c busCall, st *busState) (busReply, *busState, error) {
	r := busReply{op: c.op}
	switch c.op {
	case opSubscribe:
		id, err := st.subscribe(c)
		if err != nil {
			return r, st, err
		}
		r.id, r.st = id, st
	case opUnsubscribe:
		r.ok = st.unsubscribe(c.id)
	case opCount:
		r.n = st.count()
	case opPatterns:
		r.pats = st.patterns()
	case opPublish:
		st.publish(c.topic, c.msg, c.from, c.id)
	}
	return r, st, nil
}

func (busBehavior) HandleCast(_ context.Context, c busCast, st *busState) (*busState, error) {
	st.publish(c.topic, c.msg, c.from, c.id)
	return st, nil
}

func (busBehavior) HandleInfo(_ context.Context, msg any, st *busState) (*busState, error) {
	d, ok := msg.(Down)
	if !ok {
		return st, &BadMessageError{Server: st.proc.labelStr(), Kind: "info", Got: typeName(msg), Want: "noex.Down"}
	}
	if o := st.owners[d.PID.p]; o != nil && o.mon.id == d.Ref.id {
		st.dropOwner(o)
	}
	return st, nil
}

// Terminate drops every subscription, each recorded as Unsubscribed.
func (busBehavior) Terminate(_ context.Context, _ error, st *busState) {
	ids := make([]uint64, 0, len(st.subs))
	for id := range st.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		st.emitUnsubscribed(st.subs[id], 0)
	}
}

// alive reports whether p has not ended. It is exact: a process is dead as
// soon as its termination begins, before Stop, Kill or Wait return and
// before anyone receives its Down.
func alive(p *process) bool { return p.rt.IsAlive(p.pid()) }

// gone is the lock-free check publications use: p's termination has
// completed. It is false only in the instant between the start of the
// termination and its end (real mode only: in deterministic mode the two
// are one step), which is before Stop, Kill or Wait return.
func gone(p *process) bool { return p.ended.Load() }

func (st *busState) subscribe(c busCall) (uint64, error) {
	p := c.owner.p
	o := st.owners[p]
	if o == nil {
		if p == nil || !alive(p) {
			return 0, fmt.Errorf("%w: the subscriber %s has ended", ErrNotRunning, c.owner.Label())
		}
		mon, err := Monitor(st.ctx, c.owner)
		if err != nil {
			return 0, err
		}
		o = &owner{p: p, mon: mon}
		st.owners[p] = o
	}
	g := st.group(c.pat)
	s := &sub{id: st.rt.nextRef.Add(1), g: g, h: c.h, o: o}
	g.subs = append(g.subs, s)
	o.subs = append(o.subs, s)
	st.subs[s.id] = s
	if st.rt.observing() {
		st.rt.emit(Event{Kind: Subscribed, PID: st.proc.pid(), Label: st.proc.labelStr(), Peer: c.owner,
			PeerLbl: c.owner.Label(), Ref: s.id, Name: c.pat.text, Parent: st.proc.cause})
	}
	return s.id, nil
}

// unsubscribe removes one subscription; it reports whether it existed.
func (st *busState) unsubscribe(id uint64) bool {
	s := st.subs[id]
	if s == nil {
		return false
	}
	o := s.o
	st.remove([]*sub{s})
	o.subs = slices.DeleteFunc(o.subs, func(x *sub) bool { return x == s })
	if len(o.subs) == 0 {
		Demonitor(st.ctx, o.mon)
		delete(st.owners, o.p)
	}
	return true
}

// dropOwner removes every subscription of an owner that has ended.
func (st *busState) dropOwner(o *owner) {
	delete(st.owners, o.p)
	Demonitor(st.ctx, o.mon)
	st.remove(o.subs)
	o.subs = nil
}

// remove takes subs (in subscription order) out of the index, each recorded
// as Unsubscribed. Groups are rebuilt, never changed in place.
func (st *busState) remove(subs []*sub) {
	var touched []*group
	for _, s := range subs {
		s.removed = true
		delete(st.subs, s.id)
		if !slices.Contains(touched, s.g) {
			touched = append(touched, s.g)
		}
		st.emitUnsubscribed(s, st.proc.cause)
	}
	for _, g := range touched {
		st.compact(g)
	}
}

func (st *busState) emitUnsubscribed(s *sub, parent uint64) {
	if st.rt.observing() {
		st.rt.emit(Event{Kind: Unsubscribed, PID: st.proc.pid(), Label: st.proc.labelStr(), Peer: s.o.p.pid(),
			PeerLbl: s.o.p.labelStr(), Ref: s.id, Name: s.g.pat.text, Parent: parent})
	}
}

// ended reports whether o's process has ended, checked once per
// publication.
func (st *busState) ended(o *owner) bool {
	if o.epoch != st.epoch {
		o.epoch, o.ended = st.epoch, gone(o.p)
	}
	return o.ended
}

// count counts the subscriptions whose owner has not ended.
func (st *busState) count() int {
	n := 0
	for _, o := range st.owners {
		if alive(o.p) {
			n += len(o.subs)
		}
	}
	return n
}

// ---- delivery ----

// publish delivers msg to every subscription matching topic, in
// subscription order: the matching groups (at most one exact, the matching
// wildcard groups, and "*") are merged by subscription id.
func (st *busState) publish(topic string, msg any, from *process, id uint64) {
	var pub uint64
	observing := st.rt.observing()
	if observing {
		pub = st.emitPublished(topic, msg, from, id)
	}
	st.epoch++
	hits := st.collect(topic)
	for !st.deliverHits(hits, topic, msg, from, pub, observing) {
	}
	st.hits = hits[:0] // stale entries are overwritten by the next publication
}

// nextSub returns the next subscription of a publication that matched
// several groups, in subscription order, advancing the cursor of its group,
// or nil when there is none left.
func nextSub(hits []hitGroup) *sub {
	best := -1
	for i := range hits {
		h := &hits[i]
		if h.i < len(h.subs) && (best < 0 || h.subs[h.i].id < hits[best].subs[hits[best].i].id) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	hits[best].i++
	return hits[best].subs[hits[best].i-1]
}

// deliverHits hands the publication to the subscriptions left in hits. A
// handler that panics is recorded as a Delivered event with a *CrashError,
// and deliverHits returns false: called again, it goes on with the next
// subscription. One deferred recover thus serves every delivery of a
// publication but those after a panic, instead of one per handler. A
// Goexit in a handler cannot be recovered: it crashes the bus, with a
// reason naming the handler.
func (st *busState) deliverHits(hits []hitGroup, topic string, msg any, from *process, pub uint64, observing bool) (done bool) {
	var cur *sub // the subscription whose handler is running
	defer func() {
		if cur == nil {
			return // not a handler's panic: the bus's own
		}
		if r := recover(); r != nil {
			st.delivered(cur, topic, msg, pub, &CrashError{Server: st.handlerLabel(cur), Value: r, Stack: string(debug.Stack())})
		} else { // a Goexit, which cannot be recovered: it crashes the bus, naming the handler
			st.proc.noteGoexit("bus handler #" + strconv.FormatUint(cur.id, 10) + " (" + strconv.Quote(cur.g.pat.text) + ")")
		}
	}()
	if len(hits) == 1 { // one group: its subscriptions are in order
		h := &hits[0]
		for h.i < len(h.subs) {
			s := h.subs[h.i]
			h.i++
			if !st.wants(s, from) {
				continue
			}
			if s.h == nil {
				st.deliverMailbox(s, topic, msg, pub)
				continue
			}
			cur = s
			s.h(st.ctx, msg, topic)
			cur = nil
			if observing {
				st.delivered(s, topic, msg, pub, nil)
			}
		}
		return true
	}
	for s := nextSub(hits); s != nil; s = nextSub(hits) {
		if !st.wants(s, from) {
			continue
		}
		if s.h == nil {
			st.deliverMailbox(s, topic, msg, pub)
			continue
		}
		cur = s
		s.h(st.ctx, msg, topic)
		cur = nil
		if observing {
			st.delivered(s, topic, msg, pub, nil)
		}
	}
	return true
}

// wants reports whether s receives a publication from the process from:
// unless it was removed, or its owner has ended and did not publish it
// (what an owner published is ahead of its Down in the bus's queue, so it
// still gets it).
func (st *busState) wants(s *sub, from *process) bool {
	return !s.removed && (!st.ended(s.o) || s.o.p == from)
}

func (st *busState) emitPublished(topic string, msg any, from *process, id uint64) uint64 {
	p := st.proc
	ev := Event{Kind: Published, PID: p.pid(), Label: p.labelStr(), Ref: id, Name: topic, Msg: msg, Parent: p.cause}
	if from != nil {
		ev.Peer, ev.PeerLbl = from.pid(), from.labelStr()
	}
	return st.rt.emit(ev)
}

// delivered records a handler's delivery, failed with err if it panicked.
func (st *busState) delivered(s *sub, topic string, msg any, pub uint64, err error) {
	if st.rt.observing() {
		st.rt.emit(Event{Kind: Delivered, PID: st.proc.pid(), Label: st.proc.labelStr(), Peer: s.o.p.pid(),
			PeerLbl: s.o.p.labelStr(), Ref: s.id, Name: topic, Msg: msg, Err: err, Parent: pub})
	}
}

func (st *busState) handlerLabel(s *sub) string {
	return st.proc.labelStr() + " handler #" + strconv.FormatUint(s.id, 10) + " (" + strconv.Quote(s.g.pat.text) + ")"
}

// deliverMailbox sends the publication to the owner's HandleInfo. An owner
// that no longer takes messages (it is stopping) misses it, recorded as a
// MessageDropped event.
func (st *busState) deliverMailbox(s *sub, topic string, msg any, pub uint64) {
	pm := Publication{Topic: topic, Msg: msg}
	err := Send(st.ctx, s.o.p.pid(), pm)
	if !st.rt.observing() {
		return
	}
	ev := Event{Kind: Delivered, PID: st.proc.pid(), Label: st.proc.labelStr(), Peer: s.o.p.pid(),
		PeerLbl: s.o.p.labelStr(), Ref: s.id, Name: topic, Msg: msg, Parent: pub}
	if err != nil {
		ev = Event{Kind: MessageDropped, PID: s.o.p.pid(), Label: s.o.p.labelStr(), Peer: st.proc.pid(),
			PeerLbl: st.proc.labelStr(), Ref: s.id, MsgKind: KindInfo, Msg: pm, Err: err, Parent: pub}
	}
	st.rt.emit(ev)
}
