package diagram

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/noex-go/noex/noex"
)

// style is how a step is drawn.
type style uint8

const (
	sync    style = iota // a call, a start: A ──x──▶ B
	reply                // a reply: B ┄┄x┄┄▶ A
	async                // a cast, an info message, a delivery: A ──x──▷ B
	publish              // a publication: A ══x══▷ bus
	note                 // something on one lifeline
	clock                // the virtual clock moved
	arrive               // the receipt of a message drawn earlier (lanes only)
)

// text is a step's label in parts, so that each renderer cuts the message
// its own way: head, then sep and the message body (absent when messages
// are hidden), then tail.
type text struct {
	head, sep, body, tail string
}

// step is one line of the diagram.
type step struct {
	style    style
	from, to string // participants; to is empty for a note or a clock step
	label    text
	at       time.Duration // for a clock step: the time since the first event
	ref      uint64        // a message drawn at its send: its id, matched by an arrive step
	ends     bool          // a note that ends the process (stopped, crashed)
}

// model is a run drawn as steps between participants.
type model struct {
	parts []string // in order of first appearance
	steps []step
	width int // the message width of the list renderers
}

// build turns events into a model. It reads the events twice: the first
// pass finds names and the actions a later event explains (a cast that was
// a publication, a call that was a subscription, a start that was a
// restart), the second draws.
func build(events []noex.Event, cfg config) *model {
	b := newBuilder(events, cfg)
	for i := range events {
		b.draw(&events[i])
	}
	b.m.width = cfg.width
	return &b.m
}

type builder struct {
	cfg  config
	m    model
	seen map[string]bool
	name map[uint64]string // display name by process id

	published  map[uint64]*noex.Event // Published, by the id of the message that asked for it
	subscribed map[uint64]*noex.Event // Subscribed/Unsubscribed, by the call that asked for it
	restarted  map[uint64]bool        // processes started by a restart
	timerMsg   map[uint64]bool        // Seqs of TimerFired events
	hidden     map[uint64]bool        // message ids whose reply is not drawn
	drawn      map[uint64]bool        // Seqs of Published events drawn as their message
	arrows     map[uint64]bool        // message ids drawn at their send, not yet received
	t0         time.Time
}

func newBuilder(events []noex.Event, cfg config) *builder {
	b := &builder{cfg: cfg, seen: map[string]bool{}, name: map[uint64]string{},
		published: map[uint64]*noex.Event{}, subscribed: map[uint64]*noex.Event{},
		restarted: map[uint64]bool{}, timerMsg: map[uint64]bool{}, hidden: map[uint64]bool{},
		drawn: map[uint64]bool{}, arrows: map[uint64]bool{}}
	if len(events) > 0 {
		b.t0 = events[0].Time
	}
	received := map[uint64]uint64{} // MessageReceived Seq → message id
	calls := map[uint64]bool{}      // message ids of calls
	for i := range events {
		ev := &events[i]
		b.learn(ev.PID, ev.Label)
		b.learn(ev.Peer, ev.PeerLbl)
		switch ev.Kind {
		case noex.MessageReceived:
			received[ev.Seq] = ev.Ref
			calls[ev.Ref] = ev.MsgKind == noex.KindCall
		case noex.Published:
			// The publication the bus made while handling a Publish cast or
			// a PublishSync call: drawn as that message.
			if ref, ok := received[ev.Parent]; ok {
				b.published[ref] = ev
			}
		case noex.Subscribed, noex.Unsubscribed:
			// A subscription made or ended by a call to the bus (not one the
			// bus drops because its owner ended).
			if ref, ok := received[ev.Parent]; ok && calls[ref] {
				b.subscribed[ref] = ev
			}
		case noex.ChildRestarted:
			b.restarted[ev.Peer.ID()] = true
		case noex.TimerFired:
			b.timerMsg[ev.Seq] = true
		}
	}
	return b
}

// learn records the display name of a process: its first registered name
// if it ever had one (labels are "p<id>" until then), else its label.
func (b *builder) learn(pid noex.PID, label string) {
	if pid.IsZero() || label == "" {
		return
	}
	id := pid.ID()
	cur, ok := b.name[id]
	if !ok || (cur == pid.String() && label != pid.String()) {
		b.name[id] = label
	}
}

func (b *builder) who(pid noex.PID, label string) string {
	if n, ok := b.name[pid.ID()]; ok {
		return n
	}
	if label != "" {
		return label
	}
	return pid.String()
}

func (b *builder) add(s step) {
	for _, p := range []string{s.from, s.to} {
		if p != "" && !b.seen[p] {
			b.seen[p] = true
			b.m.parts = append(b.m.parts, p)
		}
	}
	b.m.steps = append(b.m.steps, s)
}

func (b *builder) arrow(st style, from, to string, label text) {
	b.add(step{style: st, from: from, to: to, label: label})
}

// message draws a message at its send; its receipt is drawn by an arrive
// step (only lanes show it).
func (b *builder) message(st style, from, to string, label text, ref uint64) {
	b.arrows[ref] = true
	b.add(step{style: st, from: from, to: to, label: label, ref: ref})
}

func (b *builder) note(on string, label text) {
	b.add(step{style: note, from: on, label: label})
}

// plain is a label without a message.
func plain(s string) text { return text{head: s} }

// draw adds the steps of one event.
func (b *builder) draw(ev *noex.Event) {
	self := b.who(ev.PID, ev.Label)
	peer := b.who(ev.Peer, ev.PeerLbl)
	switch ev.Kind {
	case noex.MessageSent:
		b.sent(ev, self, peer)
	case noex.MessageReceived:
		if b.arrows[ev.Ref] {
			delete(b.arrows, ev.Ref)
			b.add(step{style: arrive, from: peer, to: self, ref: ev.Ref})
		}
	case noex.ReplySent:
		if b.hidden[ev.Ref] {
			return
		}
		if ev.Err != nil {
			b.arrow(reply, self, peer, b.detail("error", " ", errLine(ev.Err)))
		} else {
			b.arrow(reply, self, peer, b.with("reply", ev.Msg))
		}
	case noex.CallFailed:
		target := peer
		if ev.Peer.IsZero() && ev.Name != "" {
			target = ev.Name // the address did not resolve to a process
		}
		b.note(self, b.detail("✗ call to "+target+" failed", ": ", errLine(ev.Err)))
	case noex.MessageDropped:
		b.dropped(ev, self, peer)
	case noex.MessageHandled:
		var crash *noex.CrashError
		if ev.Err != nil && ev.MsgKind != noex.KindCall && !errors.As(ev.Err, &crash) {
			b.note(self, b.detail("✗ "+handlerName(ev.MsgKind, ev.Name)+" failed", ": ", errLine(ev.Err)))
		}
	case noex.ProcessStarted:
		op := "start"
		if b.restarted[ev.PID.ID()] {
			op = "restart"
		}
		if ev.Peer.IsZero() {
			b.note(self, plain(op+"ed"))
			return
		}
		b.arrow(sync, peer, self, plain(op))
	case noex.ProcessStopped:
		label := plain("■ stopped")
		if ev.Reason != nil {
			label = b.always("■ stopped: ", reasonText(ev.Reason))
		}
		b.add(step{style: note, from: self, label: label, ends: true})
	case noex.ProcessCrashed:
		b.add(step{style: note, from: self, label: b.always("✖ ", crashText(ev.Reason)), ends: true})
	case noex.InitFailed:
		b.note(self, b.detail("✖ init failed", ": ", errLine(ev.Err)))
	case noex.TimerSet:
		if ev.Name == "sleep" {
			b.note(self, plain("◷ sleep "+ev.Delay.String()))
		} else {
			b.note(self, plain("◷ timer #"+strconv.FormatUint(ev.Ref, 10)+" +"+ev.Delay.String()))
		}
	case noex.TimerCancelled:
		b.note(self, plain("◷ timer #"+strconv.FormatUint(ev.Ref, 10)+" cancelled"))
	case noex.Published:
		if !b.drawn[ev.Seq] {
			b.note(self, b.with("publish "+strconv.Quote(ev.Name), ev.Msg))
		}
	case noex.Delivered:
		label := plain("deliver " + strconv.Quote(ev.Name))
		if ev.Err != nil {
			label = b.always(label.head+" ✗ ", crashText(ev.Err))
		}
		b.arrow(async, self, peer, label)
	case noex.SupervisorExceeded:
		b.note(self, plain("✖ restart intensity exceeded"))
	case noex.FaultInjected:
		b.note(self, plain("fault: "+ev.Name))
	case noex.ClockAdvanced:
		b.add(step{style: clock, at: ev.Time.Sub(b.t0)})
	case noex.StopRequested:
		b.requested(ev, self, peer, sync, "stop")
	case noex.KillRequested:
		b.requested(ev, self, peer, async, "kill")
	}
}

// requested draws a request to stop or kill a process: an arrow from the
// requester (a stop waits for the end, a kill does not), with the reason
// unless it is the usual one, or a note when a process ends itself.
func (b *builder) requested(ev *noex.Event, self, peer string, st style, op string) {
	label := op
	if ev.Reason != nil && ev.Reason != noex.ErrKilled {
		label += ": " + reasonText(ev.Reason)
	}
	if ev.Peer == ev.PID {
		b.note(self, plain(label+" (itself)"))
		return
	}
	b.arrow(st, self, peer, plain(label))
}

// sent draws a message: a call, a cast or an info message, or what it
// stands for (a publication, a subscription); bus mailbox deliveries are
// drawn by their Delivered event.
func (b *builder) sent(ev *noex.Event, self, peer string) {
	if pub, ok := b.published[ev.Ref]; ok {
		b.message(publish, self, peer, b.with("publish "+strconv.Quote(pub.Name), pub.Msg), ev.Ref)
		b.hidden[ev.Ref] = true
		b.drawn[pub.Seq] = true
		return
	}
	if sub, ok := b.subscribed[ev.Ref]; ok {
		op := "subscribe "
		if sub.Kind == noex.Unsubscribed {
			op = "unsubscribe "
		}
		b.message(sync, self, peer, plain(op+strconv.Quote(sub.Name)), ev.Ref)
		b.hidden[ev.Ref] = true
		return
	}
	switch ev.MsgKind {
	case noex.KindCall:
		b.message(sync, self, peer, b.with("call", ev.Msg), ev.Ref)
	case noex.KindCast:
		b.message(async, self, peer, b.with("cast", ev.Msg), ev.Ref)
	default:
		switch m := ev.Msg.(type) {
		case noex.Publication:
			return // drawn as the delivery
		case noex.Down:
			why := reasonText(m.Reason)
			if _, ok := m.Reason.(*noex.CrashError); ok {
				why = crashText(m.Reason)
			}
			b.message(async, self, peer, b.always("down: ", why), ev.Ref)
			return
		}
		label := b.with("info", ev.Msg)
		if b.timerMsg[ev.Parent] {
			label.tail = " (timer)"
		}
		b.message(async, self, peer, label, ev.Ref)
	}
}

func (b *builder) dropped(ev *noex.Event, self, peer string) {
	switch {
	case ev.MsgKind == noex.KindReply:
		b.note(self, plain("✕ reply to "+peer+" discarded"))
	case errors.Is(ev.Err, noex.ErrTimeout):
		b.note(self, plain("✕ call from "+peer+" dropped: timed out in the mailbox"))
	default:
		kind := ev.MsgKind.String()
		if _, ok := ev.Msg.(noex.Publication); ok {
			kind = "delivery"
		}
		b.note(self, b.detail("✕ "+kind+" dropped", ": ", errLine(ev.Err)))
	}
}

// with is op and the rendered message, or op alone when messages are not
// shown.
func (b *builder) with(op string, msg any) text {
	if msg == nil {
		return plain(op)
	}
	return b.detail(op, " ", noex.FormatMessage(msg))
}

// detail is head, then sep and s, or head alone when messages are not
// shown.
func (b *builder) detail(head, sep, s string) text {
	if b.cfg.width == 0 {
		return plain(head)
	}
	return text{head: head, sep: sep, body: oneLine(s)}
}

// always is head and s, shown even when messages are not (reasons: a
// crash, a stop).
func (b *builder) always(head, s string) text {
	return text{head: head, body: oneLine(s)}
}

// oneLine puts s on one line, with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// full is the label with the whole message.
func (t text) full() string {
	if t.body == "" {
		return t.head + t.tail
	}
	return t.head + t.sep + t.body + t.tail
}

// render is the label with the body cut to the message width, but
// never to less than 12 characters (reasons shown with messages hidden are
// cut to the default width), ending with "…" where it was cut.
func (t text) render(width int) string {
	if t.body == "" {
		return t.head + t.tail
	}
	w := width
	if w == 0 {
		w = DefaultMessageWidth
	}
	w = max(w, 12)
	body := t.body
	if r := []rune(body); len(r) > w {
		body = string(r[:w-1]) + "…"
	}
	return t.head + t.sep + body + t.tail
}

func handlerName(k noex.MsgKind, name string) string {
	switch k {
	case noex.KindCast:
		return "handle_cast"
	case noex.KindInfo:
		return "handle_info"
	}
	if name != "" {
		return name
	}
	return "handler"
}

func errLine(err error) string {
	if err == nil {
		return "unknown error"
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// reasonText renders an exit reason without quotes.
func reasonText(r error) string {
	switch {
	case r == nil:
		return "normal"
	case errors.Is(r, noex.ErrShutdown):
		return "shutdown"
	}
	return errLine(r)
}

// crashText says how a process crashed: the panic value, or the reason it
// was killed with (a ProcessCrashed reason that is not a *CrashError comes
// from noex.Kill).
func crashText(r error) string {
	var crash *noex.CrashError
	switch {
	case errors.As(r, &crash):
		return "crashed: " + fmt.Sprint(crash.Value)
	case r == nil || r == noex.ErrKilled:
		return "killed"
	}
	return "killed: " + reasonText(r)
}
