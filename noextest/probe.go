package noextest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/noex-go/noex/noex"
)

var (
	// ErrNoMessage: a probe received no (matching) message in time.
	ErrNoMessage = errors.New("noextest: no message arrived")
	// ErrUnexpectedMessage: a probe received a message while none was expected.
	ErrUnexpectedMessage = errors.New("noextest: unexpected message")
	// ErrProbeBusy: a probe was asked for a message while another request
	// was waiting for one.
	ErrProbeBusy = errors.New("noextest: probe already has a receiver waiting")
)

// Message is a message a probe received (or, in [Handled], a process
// handled): how it was sent and what it was.
type Message struct {
	Kind noex.MsgKind // call, cast or info
	Msg  any
}

// String renders the message as the log does, as in cast Add{N:2}.
func (m Message) String() string { return m.Kind.String() + " " + noex.FormatMessage(m.Msg) }

// Probe is a process for code under test to talk to, as Akka's TestProbe
// but on the runtime's clock: it has a PID, can be registered, takes calls,
// casts and infos of any type (convert its PID with [noex.RefOf] to the
// Target type the code expects) and keeps what it receives in order until
// the test asks for it. Waiting for a message costs no wall time in
// deterministic mode: the asker is parked and the virtual clock jumps to the
// deadline when nothing else can run.
//
// A probe answers calls with nil (the zero reply) unless [ProbeReplies]
// says otherwise.
type Probe struct {
	pid noex.PID
	rt  *Runtime // the kit runtime that owns it, for the t adapters; nil for StartProbe
}

// ProbeOption configures a probe.
type ProbeOption interface{ applyProbe(*probeConfig) }

type probeConfig struct {
	start []noex.StartOption
	reply func(msg any) (any, error)
	init  []func(ctx context.Context) error
}

type probeOption func(*probeConfig)

func (f probeOption) applyProbe(c *probeConfig) { f(c) }

// ProbeName registers the probe under name, so code that finds its peers
// in the Registry finds the probe.
func ProbeName(name string) ProbeOption {
	return probeOption(func(c *probeConfig) { c.start = append(c.start, noex.WithName(name)) })
}

// ProbeReplies makes the probe answer each call with fn(msg). fn runs in
// the probe's process. The call is recorded whatever fn returns.
func ProbeReplies(fn func(msg any) (reply any, err error)) ProbeOption {
	return probeOption(func(c *probeConfig) { c.reply = fn })
}

// ProbeSubscribe makes the probe subscribe, from its Init, to the
// publications on bus that pattern matches (with [noex.SubscribeMailbox]):
// each arrives as an info [Message] whose Msg is a [noex.Publication]. The
// subscription belongs to the probe and ends with it.
func ProbeSubscribe(bus noex.BusAddr, pattern string) ProbeOption {
	return probeOption(func(c *probeConfig) {
		c.init = append(c.init, func(ctx context.Context) error {
			_, err := noex.SubscribeMailbox(ctx, bus, pattern)
			return err
		})
	})
}

// StartProbe starts a probe from a Run body or a handler. The caller owns
// it: stop it with [noex.Stop]. Kit runtimes start probes with
// [Runtime.NewProbe], which also stops them when the test ends.
func StartProbe(ctx context.Context, opts ...ProbeOption) (*Probe, error) {
	var cfg probeConfig
	for _, o := range opts {
		if o != nil {
			o.applyProbe(&cfg)
		}
	}
	ref, err := noex.Start[*probeState, any, any, any](ctx, &probeServer{cfg: cfg}, cfg.start...)
	if err != nil {
		return nil, err
	}
	return &Probe{pid: ref.PID()}, nil
}

// NewProbe starts a probe on rt and fails the test if it cannot. The probe
// is stopped when the test ends, before the leak checks.
func (rt *Runtime) NewProbe(opts ...ProbeOption) *Probe {
	rt.t.Helper()
	var p *Probe
	err := rt.RunErr(func(ctx context.Context) (err error) {
		p, err = StartProbe(ctx, opts...)
		return err
	})
	if err != nil {
		rt.fail(true, fmt.Sprintf("[noex] NewProbe: %v", err))
		return nil
	}
	p.rt = rt
	rt.probes = append(rt.probes, p)
	return p
}

// PID returns the probe's process.
func (p *Probe) PID() noex.PID { return p.pid }

// String names the probe by its label, for messages.
func (p *Probe) String() string { return "probe " + p.pid.Label() }

// Receive waits, from a Run body or a handler, up to within on the
// runtime's clock for a message that pred accepts (any message if pred is
// nil) and returns it. Messages that arrived earlier and that pred rejects
// are discarded, as Akka's fishForMessage does. It returns an error
// wrapping [ErrNoMessage] if none comes in time. A message due at exactly
// the deadline may or may not make it: timers due at the same instant fire
// in the order the seed chooses.
func (p *Probe) Receive(ctx context.Context, within time.Duration, pred func(Message) bool) (Message, error) {
	return p.ask(ctx, probeReq{within: within, pred: pred})
}

// ReceiveNone waits, from a Run body or a handler, for d on the runtime's
// clock and returns an error wrapping [ErrUnexpectedMessage] if a message
// is waiting or arrives meanwhile (it is consumed).
func (p *Probe) ReceiveNone(ctx context.Context, d time.Duration) error {
	_, err := p.ask(ctx, probeReq{within: d, none: true})
	return err
}

func (p *Probe) ask(ctx context.Context, req probeReq) (Message, error) {
	if req.within < 0 {
		return Message{}, fmt.Errorf("noextest: %v: waiting %v: the duration must not be negative", p, req.within)
	}
	v, err := noex.Call(ctx, noex.RefOf[any, any, any](p.pid), any(req), noex.WithTimeout(2*req.within+time.Second))
	if err != nil {
		return Message{}, err
	}
	m, _ := v.(Message)
	return m, nil
}

// ExpectMsg waits up to within for the probe's next message and fails the
// test (Fatalf) if none comes or if it differs from want: want is compared
// with cmp.Diff (errors with errors.Is) against the message, or against the
// whole [Message] when want is one. It returns the message. To accept any message, use
// [Probe.FishFor] with a nil predicate.
func (p *Probe) ExpectMsg(within time.Duration, want any) Message {
	rt := p.kit("ExpectMsg")
	rt.t.Helper()
	m, err := p.runAsk(probeReq{within: within})
	if err != nil {
		rt.fail(true, fmt.Sprintf("[noex] %v.ExpectMsg(%v, %s): %v", p, within, noex.FormatMessage(want), err))
		return m
	}
	got := m.Msg
	if _, ok := want.(Message); ok {
		got = m
	}
	if diff := diff(want, got); diff != "" {
		rt.fail(true, fmt.Sprintf("[noex] %v.ExpectMsg(%v): message mismatch (-want +got):\n%s", p, within, diff))
	}
	return m
}

// ExpectNoMsg waits for d and fails the test (Errorf) if the probe has or
// receives a message meanwhile.
func (p *Probe) ExpectNoMsg(d time.Duration) {
	rt := p.kit("ExpectNoMsg")
	rt.t.Helper()
	if _, err := p.runAsk(probeReq{within: d, none: true}); err != nil {
		rt.fail(false, fmt.Sprintf("[noex] %v.ExpectNoMsg(%v): %v", p, d, err))
	}
}

// FishFor waits up to within for a message that pred accepts (any message
// if pred is nil), discarding the others, and returns it; it fails the test
// (Fatalf) if none comes in time.
func (p *Probe) FishFor(within time.Duration, pred func(Message) bool) Message {
	rt := p.kit("FishFor")
	rt.t.Helper()
	m, err := p.runAsk(probeReq{within: within, pred: pred})
	if err != nil {
		rt.fail(true, fmt.Sprintf("[noex] %v.FishFor(%v): %v", p, within, err))
	}
	return m
}

func (p *Probe) kit(method string) *Runtime {
	if p.rt == nil {
		panic("noextest: Probe." + method + " needs a probe from Runtime.NewProbe; in a Run body use Probe.Receive or Probe.ReceiveNone")
	}
	return p.rt
}

func (p *Probe) runAsk(req probeReq) (m Message, err error) {
	if rerr := p.rt.RunErr(func(ctx context.Context) error {
		m, err = p.ask(ctx, req)
		return nil
	}); rerr != nil {
		return m, rerr
	}
	return m, err
}

// probeReq asks the probe for a message; probeTimeout ends a request.
type probeReq struct {
	within time.Duration
	pred   func(Message) bool
	none   bool
}

type probeTimeout struct{ id uint64 }

type probeState struct {
	self  noex.PID
	queue []Message
	wait  *probeWait
	reqs  uint64
}

type probeWait struct {
	id    uint64
	req   probeReq
	reply *noex.Deferred
	timer *noex.Timer
}

type probeServer struct{ cfg probeConfig }

func (s *probeServer) Init(ctx context.Context) (*probeState, error) {
	for _, f := range s.cfg.init {
		if err := f(ctx); err != nil {
			return nil, err
		}
	}
	return &probeState{self: noex.Self(ctx)}, nil
}

func (s *probeServer) HandleCall(ctx context.Context, msg any, st *probeState) (any, *probeState, error) {
	req, ok := msg.(probeReq)
	if !ok {
		var reply any
		var err error
		if s.cfg.reply != nil {
			reply, err = s.cfg.reply(msg)
		}
		st.record(Message{Kind: noex.KindCall, Msg: msg})
		return reply, st, err
	}
	if st.wait != nil {
		return nil, st, fmt.Errorf("%w at %s", ErrProbeBusy, st.self.Label())
	}
	if m, err, done := st.take(req); done {
		return m, st, err
	}
	d, err := noex.DeferReply(ctx)
	if err != nil {
		return nil, st, err
	}
	st.reqs++
	w := &probeWait{id: st.reqs, req: req, reply: d}
	if w.timer, err = noex.SendAfter(ctx, st.self, probeTimeout{id: w.id}, req.within); err != nil {
		return nil, st, err
	}
	st.wait = w
	return nil, st, nil
}

func (s *probeServer) HandleCast(ctx context.Context, msg any, st *probeState) (*probeState, error) {
	st.record(Message{Kind: noex.KindCast, Msg: msg})
	return st, nil
}

func (s *probeServer) HandleInfo(ctx context.Context, msg any, st *probeState) (*probeState, error) {
	if to, ok := msg.(probeTimeout); ok {
		if w := st.wait; w != nil && w.id == to.id {
			st.wait = nil
			if w.req.none {
				w.reply.Reply(Message{}, nil)
			} else {
				w.reply.Reply(nil, fmt.Errorf("%w at %s within %v", ErrNoMessage, st.self.Label(), w.req.within))
			}
		}
		return st, nil
	}
	st.record(Message{Kind: noex.KindInfo, Msg: msg})
	return st, nil
}

// record queues m and answers a waiting request it satisfies.
func (st *probeState) record(m Message) {
	st.queue = append(st.queue, m)
	w := st.wait
	if w == nil {
		return
	}
	if m, err, done := st.take(w.req); done {
		st.wait = nil
		w.timer.Cancel()
		w.reply.Reply(m, err)
	}
}

// take answers req from the queue if it can: the first message pred
// accepts (dropping those before it), or, for a "none" request, an error for
// the first queued message.
func (st *probeState) take(req probeReq) (Message, error, bool) {
	if req.none {
		if len(st.queue) == 0 {
			return Message{}, nil, false
		}
		m := st.queue[0]
		st.queue = st.queue[1:]
		return m, fmt.Errorf("%w at %s: %v", ErrUnexpectedMessage, st.self.Label(), m), true
	}
	for i, m := range st.queue {
		if req.pred == nil || req.pred(m) {
			st.queue = st.queue[i+1:]
			return m, nil, true
		}
	}
	st.queue = st.queue[:0]
	return Message{}, nil, false
}

func (r probeReq) String() string {
	if r.none {
		return fmt.Sprintf("probe-expect-none(%v)", r.within)
	}
	return fmt.Sprintf("probe-receive(%v)", r.within)
}

func (t probeTimeout) String() string { return fmt.Sprintf("probe-timeout(%d)", t.id) }
