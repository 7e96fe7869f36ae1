package trace

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	oteltrace "go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of the spans [Attach] starts.
const ScopeName = "github.com/noex-go/noex/trace"

// Attach turns the events of rt into OpenTelemetry spans, from now until
// detach is called; see the package documentation for the span model.
// Spans are started with a tracer of the provider given by
// [WithTracerProvider] (by default otel.GetTracerProvider()).
//
// In deterministic mode the spans are stamped with the virtual clock
// (placed by [WithTimeOrigin]) and, with a provider that uses
// [NewIDGenerator], get ids derived from the seed and the run id (see
// [WithRunID]), so that the same seed yields the same spans.
//
// detach stops the translation and ends every span still open (a call still
// waiting, a handler still running, a supervisor still alive) at the time of
// the last event, with the attribute noex.unfinished=true; it is idempotent.
// Attach and detach may be called from any goroutine, but in deterministic
// mode not while [noex.Runtime.Run] is in progress. A nil rt gives a detach
// that does nothing, and so does OpenTelemetry's no-op provider
// (go.opentelemetry.io/otel/trace/noop): nothing is observed, so the
// runtime does not even build its events. Attach several times to feed
// several providers.
func Attach(rt *noex.Runtime, opts ...Option) (detach func()) {
	if rt == nil {
		return func() {}
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	tp := cfg.tp
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if _, ok := tp.(noop.TracerProvider); ok {
		return func() {} // nothing would record: do not even make the runtime build events
	}
	tr := tp.Tracer(ScopeName, oteltrace.WithInstrumentationVersion(Version()), oteltrace.WithSchemaURL(semconv.SchemaURL))
	t := newTranslator(rt, tr, cfg)
	stop := rt.Observe(t.observe)
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			t.close()
		})
	}
}

const (
	// endedKept is how many ended processes the translator remembers, so
	// that events that arrive after a process ended (a late reply, a Down)
	// still find it.
	endedKept = 256

	// spread and instantLen apply when virtual time is placed for export
	// (WithTimeOrigin): event n is stamped n·spread after its virtual
	// instant, and a span that takes no time lasts instantLen.
	spread     = time.Microsecond
	instantLen = time.Nanosecond
)

// translator holds the state of one Attach. Its observe method is called by
// the runtime one event at a time, so it needs no lock of its own.
type translator struct {
	rt       *noex.Runtime
	tr       oteltrace.Tracer
	det      bool
	seed     uint64
	run      uint64
	origin   time.Time
	shift    bool
	messages bool
	base     []attribute.KeyValue // on every span
	buf      []attribute.KeyValue // the attributes of the span being started; base first
	more     []attribute.KeyValue // the attributes of a span that records, added once started
	opts     []oteltrace.SpanStartOption

	now     time.Time     // the stamp of the event being translated
	instant time.Duration // how long a span of no time lasts

	procs  map[uint64]*proc     // by process id
	ended  []uint64             // ended process ids, oldest first
	msgs   map[uint64]*message  // messages in flight, by message id
	spare  []*message           // records of forgotten messages, for new ones (see forget)
	timers map[uint64]*timerRec // pending timers, by timer id
	causes map[uint64]cause     // spans of non-handling events that cause others, by Seq
	subs   map[uint64]sub       // bus subscriptions, by subscription id
	sups   map[uint64]oteltrace.Span
}

// proc is what the translator knows of one process.
type proc struct {
	cur     oteltrace.Span // the handling in progress, or nil
	curSeq  uint64         // its MessageReceived Seq
	curRef  uint64         // its message id
	replied uint64         // the call cur answered: its producer span ends with cur
	lastSeq uint64         // the last handling, after it ended
	lastSC  oteltrace.SpanContext
	crashSC oteltrace.SpanContext // the handling that crashed the process
	call    uint64                // the call it waits for
	scoped  []uint64              // causes registered during cur, dropped with it
	bus     bool                  // it holds subscriptions

	// A bus, during the handling of a publication:
	pubSeq     uint64         // the Published event
	pub        oteltrace.Span // its span, which ends with cur
	mailbox    oteltrace.Span // a mailbox delivery awaiting its Delivered event
	mailboxTo  uint64         // its subscriber
	mailboxEnd time.Time      // when it ends
}

// message is a message in flight: the span that sent it, which for a call
// is the call's producer span, open until the reply or the failure.
type message struct {
	sc      oteltrace.SpanContext
	span    oteltrace.Span // the sending span, if it records nothing: it stands for the handling's (see standIn)
	sent    time.Time
	client  oteltrace.Span
	caller  uint64
	arrived bool // received or dropped
}

type timerRec struct {
	sc     oteltrace.SpanContext
	owner  uint64
	setter uint64 // Seq of the handling that set it
}

// cause is the span an event stands for when other events name it as their
// Parent: a timer that fired, a monitor's Down, a publication, a delivery.
type cause struct {
	sc    oteltrace.SpanContext
	timer uint64 // a fired timer: its id
	link  bool   // the send is a root linked to sc (a timer, a Down)
	once  bool   // consumed by the one send (or drop) that names it
}

type sub struct {
	pattern string
	bus     uint64
}

func newTranslator(rt *noex.Runtime, tr oteltrace.Tracer, cfg config) *translator {
	t := &translator{
		rt:       rt,
		tr:       tr,
		det:      rt.Deterministic(),
		messages: !cfg.noMessage,
		procs:    make(map[uint64]*proc),
		msgs:     make(map[uint64]*message),
		timers:   make(map[uint64]*timerRec),
		causes:   make(map[uint64]cause),
		subs:     make(map[uint64]sub),
		sups:     make(map[uint64]oteltrace.Span),
	}
	t.base = []attribute.KeyValue{keySystem.String(systemNoex)}
	if t.det {
		t.seed = rt.Seed()
		t.run = cfg.runID
		if !cfg.hasRunID {
			t.run = rand.Uint64()
		}
		t.origin, t.shift = cfg.origin, !cfg.origin.IsZero()
		if t.shift {
			t.instant = instantLen
		}
		t.base = append(t.base, attribute.String(keySeed, strconv.FormatUint(t.seed, 10)))
		if t.run != 0 {
			t.base = append(t.base, attribute.String(keyRunID, hex16(t.run)))
		}
	}
	t.buf = append(make([]attribute.KeyValue, 0, len(t.base)+16), t.base...)
	return t
}

func hex16(x uint64) string {
	s := strconv.FormatUint(x, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// observe translates one event.
func (t *translator) observe(ev noex.Event) {
	t.now = ev.Time
	if t.shift {
		t.now = t.origin.Add(ev.Time.Sub(noex.Epoch) + time.Duration(ev.Seq)*spread)
	}
	switch ev.Kind {
	case noex.MessageSent:
		t.sent(&ev)
	case noex.MessageReceived:
		t.received(&ev)
	case noex.MessageHandled:
		t.handled(&ev)
	case noex.MessageDropped:
		t.dropped(&ev)
	case noex.ReplySent:
		t.replied(&ev)
	case noex.CallFailed:
		t.callFailed(&ev)
	case noex.TimerSet:
		t.timerSet(&ev)
	case noex.TimerFired:
		t.timerFired(&ev)
	case noex.TimerCancelled:
		delete(t.timers, ev.Ref)
	case noex.ProcessStopped, noex.ProcessCrashed:
		t.processEnded(&ev)
	case noex.MonitorDown:
		t.monitorDown(&ev)
	case noex.Published:
		t.published(&ev)
	case noex.Delivered:
		t.delivered(&ev)
	case noex.Subscribed, noex.Unsubscribed:
		t.subscription(&ev)
	case noex.ChildStarted, noex.ChildRestarted, noex.ChildStopped:
		t.child(&ev)
	case noex.SupervisorExceeded:
		t.exceeded(&ev)
	case noex.ClockAdvanced:
	default:
		t.note(&ev)
	}
}

// start starts the span for the event ev (salt tells apart several spans of
// one event) at the event's stamp, as a child of parent, or as a root if
// parent is not valid, with the attributes attrs (made by t.opAttrs or
// t.attrs): those a sampler sees. Once the span records, the caller adds the
// rest (see t.details).
func (t *translator) start(ev *noex.Event, salt uint64, parent oteltrace.SpanContext, name string,
	kind oteltrace.SpanKind, attrs []attribute.KeyValue, links ...oteltrace.Link) oteltrace.Span {
	return t.startAt(ev, salt, t.now, parent, name, kind, attrs, links...)
}

// startAt is start with the span's start time given. A span whose parent
// is not sampled is not started at all: the sampler is asked once per
// trace, at its root, as the SDK's default sampler (ParentBased) and
// TraceIDRatioBased decide anyway, and the span stands in for one that
// records nothing, in its parent's trace.
func (t *translator) startAt(ev *noex.Event, salt uint64, at time.Time, parent oteltrace.SpanContext, name string,
	kind oteltrace.SpanKind, attrs []attribute.KeyValue, links ...oteltrace.Link) oteltrace.Span {
	if unsampledChild(parent) {
		return unsampled{sc: parent}
	}
	ctx := context.Background()
	if parent.IsValid() {
		ctx = oteltrace.ContextWithSpanContext(ctx, parent)
	}
	if t.det {
		ctx = context.WithValue(ctx, idKey{}, deriveIDs(t.seed, t.run, ev.Seq, salt))
	}
	opts := append(t.opts[:0], oteltrace.WithTimestamp(at), kindOption(kind), oteltrace.WithAttributes(attrs...))
	if len(links) > 0 {
		opts = append(opts, oteltrace.WithLinks(links...))
	}
	_, s := t.tr.Start(ctx, name, opts...)
	clear(opts)
	t.opts = opts[:0]
	if len(attrs) >= len(t.base) && len(t.buf) > 0 && &attrs[0] == &t.buf[0] {
		t.buf = attrs[:len(t.base)] // keep what append grew
	}
	return s
}

// kinds are the span kind options, made once.
var kinds = func() (opts [oteltrace.SpanKindConsumer + 1]oteltrace.SpanStartOption) {
	for k := range opts {
		opts[k] = oteltrace.WithSpanKind(oteltrace.SpanKind(k))
	}
	return opts
}()

func kindOption(k oteltrace.SpanKind) oteltrace.SpanStartOption {
	if int(k) < len(kinds) {
		return kinds[k]
	}
	return oteltrace.WithSpanKind(k)
}

// unsampledChild reports whether a span with this parent is not started
// (see startAt).
func unsampledChild(parent oteltrace.SpanContext) bool {
	return parent.IsValid() && !parent.IsSampled()
}

// standIn returns the span that stands for a span not started under
// parent (see startAt): span, the parent itself, if it records nothing (it
// then carries parent's context, and ending it again does nothing), or an
// unsampled span.
func (t *translator) standIn(parent oteltrace.SpanContext, span oteltrace.Span) oteltrace.Span {
	if span != nil && !span.IsRecording() && span.SpanContext().Equal(parent) {
		return span
	}
	return unsampled{sc: parent}
}

// unsampled stands for a span whose parent is not sampled: it records
// nothing and carries its parent's context, which its own children find
// unsampled in turn.
type unsampled struct {
	noop.Span
	sc oteltrace.SpanContext
}

func (s unsampled) SpanContext() oteltrace.SpanContext { return s.sc }

// attrs returns a slice for a span's attributes that holds those of every
// span. It is a buffer reused from span to span (the tracer copies the
// attributes it is given): fill it and pass it to start before the next
// call of attrs.
func (t *translator) attrs() []attribute.KeyValue {
	return t.buf[:len(t.base)]
}

// opAttrs returns the attributes of a message span that a sampler sees:
// those of every span, the messaging operation and the destination
// (anonymous for an unnamed process), which the messaging conventions ask
// to give when the span starts, for sampling. The rest comes with details,
// once the span records.
func (t *translator) opAttrs(opType, opName, dest string, anon bool) []attribute.KeyValue {
	a := append(t.attrs(),
		keyOpType.String(opType),
		keyOpName.String(opName),
		keyDestination.String(dest))
	if anon {
		a = append(a, keyAnonymous.Bool(true))
	}
	return a
}

// details starts the attributes a message span gets once it records (after
// those of opAttrs): the message id (withID) and the acting process. It is
// a buffer reused from span to span: fill it and pass it to record.
func (t *translator) details(withID bool, ev *noex.Event) []attribute.KeyValue {
	a := t.more[:0]
	if withID {
		a = append(a, keyMessageID.String(idString(ev.Ref)))
	}
	return append(a, pidAttr(ev.PID), attribute.String(keyProcessName, ev.Label))
}

// record adds the attributes a (made by details) to s, which records.
func (t *translator) record(s oteltrace.Span, a []attribute.KeyValue) {
	s.SetAttributes(a...)
	t.more = a[:0]
}

// message appends the attribute key with the rendered value v, unless
// messages are left out.
func (t *translator) message(a []attribute.KeyValue, key string, v any) []attribute.KeyValue {
	if t.messages && v != nil {
		a = append(a, attribute.String(key, noex.FormatMessage(v)))
	}
	return a
}

// end ends s (if not nil) now.
func (t *translator) end(s oteltrace.Span) {
	if s != nil {
		t.endAt(s, t.now)
	}
}

// endInstant ends s, which started now and takes no time.
func (t *translator) endInstant(s oteltrace.Span) {
	t.endAt(s, t.now.Add(t.instant))
}

// endAt ends s at the time at; a span that records nothing needs no time.
func (t *translator) endAt(s oteltrace.Span, at time.Time) {
	if s.IsRecording() {
		s.End(oteltrace.WithTimestamp(at))
	} else {
		s.End()
	}
}

// event adds the span event name to s, now.
func (t *translator) event(s oteltrace.Span, name string, attrs ...attribute.KeyValue) {
	if s.IsRecording() {
		s.AddEvent(name, oteltrace.WithTimestamp(t.now), oteltrace.WithAttributes(attrs...))
	}
}

// fail marks s as failed with err: status Error with the error's first
// line, error.type (see errorType), and for a panic an exception event
// with the panic value's type, its message and the stack.
func (t *translator) fail(s oteltrace.Span, err error) {
	if !s.IsRecording() {
		return
	}
	msg := firstLine(err.Error())
	s.SetStatus(codes.Error, msg)
	s.SetAttributes(keyErrorType.String(errorType(err)))
	if c, ok := err.(*noex.CrashError); ok {
		s.AddEvent(semconv.ExceptionEventName, oteltrace.WithTimestamp(t.now), oteltrace.WithAttributes(
			excType.String(typeName(c.Value)),
			excMessage.String(msg),
			excStack.String(c.Stack)))
	}
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// proc returns the record of process id, creating it.
func (t *translator) proc(id uint64) *proc {
	p := t.procs[id]
	if p == nil {
		p = &proc{}
		t.procs[id] = p
	}
	return p
}

// parent resolves an event's Parent (a Seq) on the process pid that
// performed it: the process's handling in progress or its last one, or a
// cause registered earlier. The span is non-nil only for a handling in
// progress.
func (t *translator) parent(pid, seq uint64) (oteltrace.SpanContext, oteltrace.Span) {
	if seq == 0 {
		return oteltrace.SpanContext{}, nil
	}
	if p := t.procs[pid]; p != nil {
		if p.cur != nil && p.curSeq == seq {
			return p.cur.SpanContext(), p.cur
		}
		if p.lastSeq == seq {
			return p.lastSC, nil
		}
	}
	return t.causes[seq].sc, nil
}

// scope registers seq as a cause valid while pid's current handling lasts.
func (t *translator) scope(pid, seq uint64, sc oteltrace.SpanContext) {
	p := t.procs[pid]
	if p == nil || p.cur == nil {
		return
	}
	t.causes[seq] = cause{sc: sc}
	p.scoped = append(p.scoped, seq)
}

// finish ends pid's current handling span now, with what depends on it: a
// publication it made, and the producer span of the call it answered, which
// ends with it so that it contains the handling span.
func (t *translator) finish(p *proc) {
	if p.mailbox != nil {
		t.endAt(p.mailbox, p.mailboxEnd)
		p.mailbox = nil
	}
	if p.pub != nil {
		t.end(p.pub)
		p.pub, p.pubSeq = nil, 0
	}
	t.end(p.cur)
	p.lastSeq, p.lastSC = p.curSeq, p.cur.SpanContext()
	p.cur = nil
	for _, seq := range p.scoped {
		delete(t.causes, seq)
	}
	p.scoped = p.scoped[:0]
	if ref := p.replied; ref != 0 {
		p.replied = 0
		if m := t.msgs[ref]; m != nil && m.client != nil {
			t.endClient(ref, m)
		}
	}
}

// processEnded ends what an ending process leaves open: a handling cut
// short (Kill), a call it waited for, its supervisor span.
func (t *translator) processEnded(ev *noex.Event) {
	id := ev.PID.ID()
	p := t.procs[id]
	if p != nil {
		if p.cur != nil {
			t.fail(p.cur, endError{ev.Reason})
			t.finish(p)
		}
		if m := t.msgs[p.call]; p.call != 0 && m != nil && m.client != nil {
			t.fail(m.client, callerEnded{})
			t.endClient(p.call, m)
		}
		if p.bus {
			for ref, s := range t.subs {
				if s.bus == id {
					delete(t.subs, ref)
				}
			}
		}
	}
	if s := t.sups[id]; s != nil {
		if s.IsRecording() {
			s.SetAttributes(attribute.String(keyReason, noex.ReasonString(ev.Reason)))
		}
		if ev.Kind == noex.ProcessCrashed {
			t.fail(s, endError{ev.Reason})
		}
		t.end(s)
		delete(t.sups, id)
	}
	if p == nil {
		return
	}
	if len(t.ended) == endedKept {
		delete(t.procs, t.ended[0])
		t.ended = append(t.ended[:0], t.ended[1:]...)
	}
	t.ended = append(t.ended, id)
}

type endError struct{ reason error }

func (e endError) Error() string {
	return "process ended: " + noex.ReasonString(e.reason)
}

func (e endError) Unwrap() error { return e.reason }

// ErrorType is the error.type of a handling cut short by its process's end.
func (e endError) ErrorType() string {
	if e.reason == nil {
		return "noex.process_ended"
	}
	return errorType(e.reason)
}

type callerEnded struct{}

func (callerEnded) Error() string { return "caller ended before the reply" }

// ErrorType is the error.type of a call whose caller ended first.
func (callerEnded) ErrorType() string { return "noex.caller_ended" }

// note records an event that starts no span as a span event on the
// handling in progress that performed it, if any.
func (t *translator) note(ev *noex.Event) {
	actor, subject, subjectLabel := ev.PID, ev.Peer, ev.PeerLbl
	if ev.Kind == noex.ProcessStarted {
		actor, subject, subjectLabel = ev.Peer, ev.PID, ev.Label // performed by the starter
	}
	p := t.procs[actor.ID()]
	if p == nil || p.cur == nil || (ev.Parent != 0 && ev.Parent != p.curSeq) || !p.cur.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 4)
	if !subject.IsZero() {
		attrs = append(attrs, pidAttr(subject), attribute.String(keyProcessName, subjectLabel))
	}
	if ev.Name != "" {
		attrs = append(attrs, attribute.String(keyName, ev.Name))
	}
	switch ev.Kind {
	case noex.MonitorSet:
		attrs = append(attrs, attribute.Int64(keyMonitorID, int64(ev.Ref)))
	case noex.FaultInjected:
		attrs = append(attrs, attribute.String(keyFault, ev.Name))
	case noex.StopRequested, noex.KillRequested:
		attrs = append(attrs, attribute.String(keyReason, noex.ReasonString(ev.Reason)))
	}
	if ev.Err != nil {
		attrs = append(attrs, attribute.String(keyError, firstLine(ev.Err.Error())))
	}
	t.event(p.cur, eventName(ev.Kind), attrs...)
}

// eventName is the span event name of an event kind.
func eventName(k noex.EventKind) string {
	switch k {
	case noex.ProcessStarted:
		return "process.started"
	case noex.InitFailed:
		return "process.init_failed"
	case noex.Registered:
		return "name.registered"
	case noex.Unregistered:
		return "name.unregistered"
	case noex.MonitorSet:
		return "monitor.set"
	case noex.FaultInjected:
		return "fault.injected"
	case noex.StopRequested:
		return "process.stop_requested"
	case noex.KillRequested:
		return "process.kill_requested"
	}
	return "noex." + k.String()
}

// close ends every span still open, at the stamp of the last event, in a
// deterministic order.
func (t *translator) close() {
	unfinished := func(s oteltrace.Span) {
		s.SetAttributes(attribute.Bool(keyUnfinished, true))
	}
	for _, id := range sortedKeys(t.procs) {
		if p := t.procs[id]; p.cur != nil {
			unfinished(p.cur)
			t.finish(p)
		}
	}
	for _, ref := range sortedKeys(t.msgs) {
		if m := t.msgs[ref]; m.client != nil {
			unfinished(m.client)
			t.end(m.client)
		}
	}
	for _, id := range sortedKeys(t.sups) {
		unfinished(t.sups[id])
		t.end(t.sups[id])
	}
	clear(t.procs)
	clear(t.msgs)
	clear(t.sups)
	clear(t.timers)
	clear(t.causes)
	clear(t.subs)
}

func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
