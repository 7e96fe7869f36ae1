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
)

// step is one line of the diagram.
type step struct {
	style    style
	from, to string // participants; to is empty for a note or a clock step
	label    string
	at       time.Duration // for a clock step: the time since the first event
}

// model is a run drawn as steps between participants.
type model struct {
	parts []string // in order of first appearance
	steps []step
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
	t0         time.Time
}

func newBuilder(events []noex.Event, cfg config) *builder {
	b := &builder{cfg: cfg, seen: map[string]bool{}, name: map[uint64]string{},
		published: map[uint64]*noex.Event{}, subscribed: map[uint64]*noex.Event{},
		restarted: map[uint64]bool{}, timerMsg: map[uint64]bool{}, hidden: map[uint64]bool{},
		drawn: map[uint64]bool{}}
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

func (b *builder) arrow(st style, from, to, label string) {
	b.add(step{style: st, from: from, to: to, label: label})
}

func (b *builder) note(on, label string) {
	b.add(step{style: note, from: on, label: label})
}

// draw adds the steps of one event.
func (b *builder) draw(ev *noex.Event) {
	self := b.who(ev.PID, ev.Label)
	peer := b.who(ev.Peer, ev.PeerLbl)
	switch ev.Kind {
	case noex.MessageSent:
		b.sent(ev, self, peer)
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
			b.note(self, op+"ed")
			return
		}
		b.arrow(sync, peer, self, op)
	case noex.ProcessStopped:
		if ev.Reason == nil {
			b.note(self, "■ stopped")
		} else {
			b.note(self, "■ stopped: "+reasonText(ev.Reason))
		}
	case noex.ProcessCrashed:
		b.note(self, "✖ "+b.cut(crashText(ev.Reason)))
	case noex.InitFailed:
		b.note(self, b.detail("✖ init failed", ": ", errLine(ev.Err)))
	case noex.TimerSet:
		if ev.Name == "sleep" {
			b.note(self, "◷ sleep "+ev.Delay.String())
		} else {
			b.note(self, "◷ timer #"+strconv.FormatUint(ev.Ref, 10)+" +"+ev.Delay.String())
		}
	case noex.TimerCancelled:
		b.note(self, "◷ timer #"+strconv.FormatUint(ev.Ref, 10)+" cancelled")
	case noex.Published:
		if !b.drawn[ev.Seq] {
			b.note(self, b.with("publish "+strconv.Quote(ev.Name), ev.Msg))
		}
	case noex.Delivered:
		label := "deliver " + strconv.Quote(ev.Name)
		if ev.Err != nil {
			label += " ✗ " + b.cut(crashText(ev.Err))
		}
		b.arrow(async, self, peer, label)
	case noex.SupervisorExceeded:
		b.note(self, "✖ restart intensity exceeded")
	case noex.FaultInjected:
		b.note(self, "fault: "+ev.Name)
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
		b.note(self, label+" (itself)")
		return
	}
	b.arrow(st, self, peer, label)
}

// sent draws a message: a call, a cast or an info message, or what it
// stands for (a publication, a subscription); bus mailbox deliveries are
// drawn by their Delivered event.
func (b *builder) sent(ev *noex.Event, self, peer string) {
	if pub, ok := b.published[ev.Ref]; ok {
		b.arrow(publish, self, peer, b.with("publish "+strconv.Quote(pub.Name), pub.Msg))
		b.hidden[ev.Ref] = true
		b.drawn[pub.Seq] = true
		return
	}
	if sub, ok := b.subscribed[ev.Ref]; ok {
		op := "subscribe "
		if sub.Kind == noex.Unsubscribed {
			op = "unsubscribe "
		}
		b.arrow(sync, self, peer, op+strconv.Quote(sub.Name))
		b.hidden[ev.Ref] = true
		return
	}
	switch ev.MsgKind {
	case noex.KindCall:
		b.arrow(sync, self, peer, b.with("call", ev.Msg))
	case noex.KindCast:
		b.arrow(async, self, peer, b.with("cast", ev.Msg))
	default:
		switch m := ev.Msg.(type) {
		case noex.Publication:
			return // drawn as the delivery
		case noex.Down:
			why := reasonText(m.Reason)
			if _, ok := m.Reason.(*noex.CrashError); ok {
				why = crashText(m.Reason)
			}
			b.arrow(async, self, peer, "down: "+b.cut(why))
			return
		}
		label := b.with("info", ev.Msg)
		if b.timerMsg[ev.Parent] {
			label += " (timer)"
		}
		b.arrow(async, self, peer, label)
	}
}

func (b *builder) dropped(ev *noex.Event, self, peer string) {
	switch {
	case ev.MsgKind == noex.KindReply:
		b.note(self, "✕ reply to "+peer+" discarded")
	case errors.Is(ev.Err, noex.ErrTimeout):
		b.note(self, "✕ call from "+peer+" dropped: timed out in the mailbox")
	default:
		kind := ev.MsgKind.String()
		if _, ok := ev.Msg.(noex.Publication); ok {
			kind = "delivery"
		}
		b.note(self, b.detail("✕ "+kind+" dropped", ": ", errLine(ev.Err)))
	}
}

// with joins op and the rendered message, cut to the message width, or is
// op alone when messages are not shown.
func (b *builder) with(op string, msg any) string {
	if msg == nil {
		return op
	}
	return b.detail(op, " ", noex.FormatMessage(msg))
}

// detail is head, then sep and s cut to the message width, or head alone
// when messages are not shown.
func (b *builder) detail(head, sep, s string) string {
	if b.cfg.width == 0 {
		return head
	}
	return head + sep + b.cut(s)
}

// cut puts s on one line and cuts it to the message width, but never to
// less than 12 characters; with messages hidden, reasons (a crash, a stop)
// are still shown, cut to the default width.
func (b *builder) cut(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	w := b.cfg.width
	if w == 0 {
		w = DefaultMessageWidth
	}
	w = max(w, 12)
	if r := []rune(s); len(r) > w {
		return string(r[:w-1]) + "…"
	}
	return s
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
