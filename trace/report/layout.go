package report

import (
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/noex-go/noex/noex"
)

// Geometry of the diagram, in SVG pixels.
const (
	axisW   = 104 // the left column: event numbers, time, decisions
	laneW   = 112 // distance between lanes
	rowH    = 22  // one event per row
	topPad  = 14  // above the first row
	tailPad = 380 // right of the last lane, for its labels
	headH   = 34  // the lane names
	labelN  = 44  // characters of a label on the diagram (details show all)
)

type lane struct {
	name string
	x    int
}

// layout places a run's events: one row per event, one lane per process.
type layout struct {
	r      Run
	lanes  []lane
	laneOf map[uint64]int // lane by process id
	row    map[uint64]int // row by Seq
	slice  map[uint64]bool
	t0     time.Time
	b      strings.Builder
}

func newLayout(r Run) *layout {
	l := &layout{r: r, laneOf: map[uint64]int{}, row: map[uint64]int{}, slice: map[uint64]bool{}}
	if len(r.Events) > 0 {
		l.t0 = r.Events[0].Time
	}
	// A process is named by its first registered name (labels are "p<id>"
	// until it registers one); processes of one name share a lane, so a
	// restarted server keeps its lane.
	names := map[uint64]string{}
	learn := func(pid noex.PID, label string) {
		if pid.IsZero() || label == "" {
			return
		}
		if cur, ok := names[pid.ID()]; !ok || (cur == pid.String() && label != cur) {
			names[pid.ID()] = label
		}
	}
	for i, e := range r.Events {
		l.row[e.Seq] = i
		learn(e.PID, e.Label)
		learn(e.Peer, e.PeerLbl)
	}
	byName := map[string]int{}
	add := func(pid noex.PID) {
		if pid.IsZero() {
			return
		}
		if _, ok := l.laneOf[pid.ID()]; ok {
			return
		}
		name := names[pid.ID()]
		i, ok := byName[name]
		if !ok {
			i = len(l.lanes)
			byName[name] = i
			l.lanes = append(l.lanes, lane{name: name, x: axisW + laneW/2 + i*laneW})
		}
		l.laneOf[pid.ID()] = i
	}
	// Lanes in the order processes start (the starter first), then any
	// others in the order they appear.
	for _, e := range r.Events {
		if e.Kind == noex.ProcessStarted {
			add(e.Peer)
			add(e.PID)
		}
	}
	for _, e := range r.Events {
		add(e.PID)
		add(e.Peer)
	}
	if r.FailedAt != 0 {
		for _, e := range CausalSlice(r.Events, r.FailedAt) {
			l.slice[e.Seq] = true
		}
	}
	return l
}

func (l *layout) y(i int) int { return topPad + i*rowH + rowH/2 }

func (l *layout) width() int { return axisW + len(l.lanes)*laneW + tailPad }

func (l *layout) height() int { return topPad*2 + len(l.r.Events)*rowH }

// x returns the lane position of pid, and false for a process with no lane.
func (l *layout) x(pid noex.PID) (int, bool) {
	i, ok := l.laneOf[pid.ID()]
	if pid.IsZero() || !ok {
		return 0, false
	}
	return l.lanes[i].x, true
}

func (l *layout) w(format string, args ...any) { fmt.Fprintf(&l.b, format, args...) }

// head is the SVG of the lane names, kept at the top while scrolling.
func (l *layout) head() string {
	l.b.Reset()
	l.w(`<svg class="lanes-head" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`, l.width(), headH)
	l.w(`<text class="axis-title" x="8" y="22">#  time</text>`)
	for i, ln := range l.lanes {
		l.w(`<g class="lane-name" data-lane="%d"><rect x="%d" y="4" width="%d" height="26" rx="6"/><text x="%d" y="22">%s</text><title>%s</title></g>`,
			i, ln.x-laneW/2+6, laneW-12, ln.x, esc(cut(ln.name, 14)), esc(ln.name))
	}
	l.w(`</svg>`)
	return l.b.String()
}

// svg is the diagram: lifelines, handlings, arrows, events, decisions.
func (l *layout) svg() string {
	l.b.Reset()
	l.w(`<svg id="diagram" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`, l.width(), l.height())
	l.w(`<defs>`)
	for _, k := range []string{"call", "cast", "info", "reply", "start", "deliver", "fail"} {
		l.w(`<marker id="head-%s" class="head k-%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`, k, k)
	}
	l.w(`</defs>`)
	l.axis()
	l.lifelines()
	l.handlings()
	l.arrows()
	l.decisions()
	l.events()
	l.w(`<line id="cursor-line" x1="0" x2="%d" y1="0" y2="0"/>`, l.width())
	l.w(`</svg>`)
	return l.b.String()
}

// axis writes each event's number and, where virtual time moved, the time
// and a rule across the lanes.
func (l *layout) axis() {
	l.w(`<g id="axis">`)
	last := time.Time{}
	for i, e := range l.r.Events {
		y := l.y(i)
		l.w(`<text class="seq" x="8" y="%d">%d</text>`, y+4, e.Seq)
		if i == 0 || !e.Time.Equal(last) {
			if i > 0 {
				l.w(`<line class="clock" x1="0" x2="%d" y1="%d" y2="%d"/>`, l.width(), y-rowH/2, y-rowH/2)
			}
			l.w(`<text class="time" x="34" y="%d">t=%s</text>`, y+4, esc(since(e.Time, l.t0)))
			last = e.Time
		}
	}
	l.w(`</g>`)
}

// lifelines draws each lane from the row where its process first appears
// to the row where it ends, again from a restart.
func (l *layout) lifelines() {
	type span struct{ from, to int }
	spans := make([][]span, len(l.lanes))
	open := make([]int, len(l.lanes))
	for i := range open {
		open[i] = -1
	}
	touch := func(pid noex.PID, i int) {
		if li, ok := l.laneOf[pid.ID()]; ok && !pid.IsZero() && open[li] < 0 {
			open[li] = i
		}
	}
	for i, e := range l.r.Events {
		touch(e.PID, i)
		if e.Kind == noex.ProcessStarted {
			touch(e.Peer, i)
		}
		if e.Kind == noex.ProcessStopped || e.Kind == noex.ProcessCrashed {
			if li, ok := l.laneOf[e.PID.ID()]; ok && open[li] >= 0 {
				spans[li] = append(spans[li], span{open[li], i})
				open[li] = -1
			}
		}
	}
	l.w(`<g id="lanes">`)
	for li, ln := range l.lanes {
		if open[li] >= 0 {
			spans[li] = append(spans[li], span{open[li], len(l.r.Events)})
		}
		l.w(`<g class="lane" data-lane="%d" data-name="%s">`, li, esc(ln.name))
		l.w(`<line class="guide" x1="%d" x2="%d" y1="0" y2="%d"/>`, ln.x, ln.x, l.height())
		for _, s := range spans[li] {
			y2 := l.height() - topPad
			if s.to < len(l.r.Events) {
				y2 = l.y(s.to)
			}
			l.w(`<line class="lifeline" x1="%d" x2="%d" y1="%d" y2="%d"/>`, ln.x, ln.x, l.y(s.from), y2)
		}
		l.w(`</g>`)
	}
	l.w(`</g>`)
}

// handlings draws a bar on a lane while its process handles a message.
func (l *layout) handlings() {
	l.w(`<g id="bars">`)
	open := map[uint64]int{} // by message id: the row it was received on
	for i, e := range l.r.Events {
		switch e.Kind {
		case noex.MessageReceived:
			open[e.Ref] = i
		case noex.MessageHandled:
			from, ok := open[e.Ref]
			x, lok := l.x(e.PID)
			if !ok || !lok {
				continue
			}
			delete(open, e.Ref)
			class := "bar"
			if e.Err != nil {
				class += " err"
			}
			l.w(`<rect class="%s" x="%d" y="%d" width="8" height="%d" rx="2"/>`, class, x-4, l.y(from), l.y(i)-l.y(from))
		}
	}
	l.w(`</g>`)
}

// arrows draws each message from its send to its receipt (or its drop),
// each start from the starter to the new process, each reply from the
// server to the caller's next event, and each bus delivery.
func (l *layout) arrows() {
	evs := l.r.Events
	end := map[uint64]int{} // message id → row of its receipt or drop
	dropped := map[uint64]bool{}
	for i, e := range evs {
		switch e.Kind {
		case noex.MessageReceived:
			if _, ok := end[e.Ref]; !ok {
				end[e.Ref] = i
			}
		case noex.MessageDropped:
			if _, ok := end[e.Ref]; !ok && e.MsgKind != noex.KindReply {
				end[e.Ref], dropped[e.Ref] = i, true
			}
		}
	}
	l.w(`<g id="arrows">`)
	for i, e := range evs {
		var (
			to    = -1
			kind  string
			from  = e.PID
			dst   = e.Peer
			extra string
		)
		switch e.Kind {
		case noex.MessageSent:
			kind = e.MsgKind.String()
			if j, ok := end[e.Ref]; ok {
				to = j
				if dropped[e.Ref] {
					extra = " dropped"
				}
			} else {
				extra = " inflight"
			}
		case noex.ProcessStarted:
			kind, from, dst, to = "start", e.Peer, e.PID, i
		case noex.ReplySent:
			kind, to = "reply", l.nextOf(e.Peer, i)
			if e.Err != nil {
				extra = " err"
			}
		case noex.Delivered:
			kind, to = "deliver", i
			if e.Err != nil {
				extra = " err"
			}
		default:
			continue
		}
		x1, ok1 := l.x(from)
		x2, ok2 := l.x(dst)
		if !ok1 || !ok2 || x1 == x2 && to == i {
			continue
		}
		y1 := l.y(i)
		y2 := l.y(max(to, i))
		if to < 0 { // never received: a stub towards the receiver
			y2 = y1 + rowH
			x2 = x1 + (x2-x1)/2
		}
		if e.Kind == noex.MessageSent && to >= 0 && dropped[e.Ref] {
			if xd, ok := l.x(evs[to].PID); ok {
				x2 = xd
			}
		}
		class := "arrow k-" + kind + extra
		if l.slice[e.Seq] && (to < 0 || l.slice[evs[to].Seq]) {
			class += " in-slice"
		}
		marker := kind
		if strings.Contains(extra, "err") || strings.Contains(extra, "dropped") {
			marker = "fail"
		}
		d := fmt.Sprintf("M%d,%d L%d,%d", x1, y1, x2, y2)
		if x1 == x2 { // to itself (a timer's message): a loop on the lane
			d = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1+40, y1, x1+40, y2, x2+5, y2)
		}
		head := ""
		if to >= 0 {
			head = ` marker-end="url(#head-` + marker + `)"`
		}
		l.w(`<path class="%s" d="%s"%s data-i="%d" data-to="%d"><title>%s</title></path>`,
			class, d, head, i, to, esc(e.String()))
	}
	l.w(`</g>`)
}

// nextOf returns the row of pid's first event after row i (the caller
// resuming with its reply), or i if it has none.
func (l *layout) nextOf(pid noex.PID, i int) int {
	for j := i + 1; j < len(l.r.Events); j++ {
		if e := l.r.Events[j]; e.PID == pid && e.Kind != noex.MessageDropped {
			return j
		}
	}
	return i
}

// events draws a mark per event on its lane with a short label.
func (l *layout) events() {
	l.w(`<g id="events">`)
	for i, e := range l.r.Events {
		y := l.y(i)
		class := "ev k-" + kindClass(e.Kind)
		if failed(e) {
			class += " bad"
		}
		if l.slice[e.Seq] {
			class += " in-slice"
		}
		if e.Seq == l.r.FailedAt && e.Seq != 0 {
			class += " failed-at"
		}
		x, ok := l.x(e.PID)
		if !ok {
			x = axisW - 12 // runtime-level events (the clock) sit on the axis
		}
		l.w(`<g class="%s" data-i="%d" data-seq="%d">`, class, i, e.Seq)
		l.w(`<rect class="hit" x="%d" y="%d" width="%d" height="%d"/>`, axisW, y-rowH/2, l.width()-axisW, rowH)
		l.w(`<circle cx="%d" cy="%d" r="5"/>`, x, y)
		if text := short(e); text != "" {
			l.w(`<text x="%d" y="%d">%s</text>`, x+10, y-4, esc(cut(text, labelN)))
		}
		l.w(`</g>`)
	}
	l.w(`</g>`)
}

// decisions marks each decision after its event: a diamond on the axis,
// a dashed rule, the chosen step filled and the steps not taken hollow on
// their lanes.
func (l *layout) decisions() {
	l.w(`<g id="decisions">`)
	for di, d := range l.r.Decisions {
		i, ok := l.row[d.Seq]
		if !ok {
			i = -1 // before the first event
		}
		y := l.y(i) + rowH/2
		l.w(`<g class="decision" data-d="%d" data-i="%d">`, di, i)
		l.w(`<line class="rule" x1="%d" x2="%d" y1="%d" y2="%d"/>`, axisW, l.width()-tailPad/2, y, y)
		l.w(`<path class="diamond" d="M%d,%d l7,7 l-7,7 l-7,-7 z"/>`, axisW-10, y-7)
		l.w(`<text class="dnum" x="%d" y="%d">%d</text>`, axisW-20, y+4, d.N)
		for si, s := range d.Steps {
			x, ok := l.x(s.PID)
			if !ok {
				continue
			}
			x += (si%3 - 1) * 12 // steps on one lane side by side
			class := "alt"
			if si == d.Chosen {
				class = "chosen"
			}
			l.w(`<circle class="%s" cx="%d" cy="%d" r="5"><title>%s</title></circle>`, class, x, y, esc(stepTitle(s, si == d.Chosen)))
		}
		l.w(`</g>`)
	}
	l.w(`</g>`)
}

func stepTitle(s noex.Step, chosen bool) string {
	if chosen {
		return "chosen: " + s.String()
	}
	return "not taken: " + s.String()
}

// failed reports whether e records a failure (drawn in red).
func failed(e noex.Event) bool {
	if isFailure(e) {
		return true
	}
	return e.Err != nil
}

// kindClass is the CSS class of an event kind; unknown kinds share one.
func kindClass(k noex.EventKind) string {
	s := k.String()
	if strings.HasPrefix(s, "kind(") {
		return "other"
	}
	return s
}

// short is an event's label on the diagram.
func short(e noex.Event) string {
	switch e.Kind {
	case noex.MessageSent:
		return with(e.MsgKind.String(), e.Msg)
	case noex.MessageReceived:
		return ""
	case noex.MessageHandled:
		if e.Err != nil {
			return "✗ " + firstLine(e.Err)
		}
		return ""
	case noex.ReplySent:
		if e.Err != nil {
			return "error " + firstLine(e.Err)
		}
		return with("reply", e.Msg)
	case noex.ProcessStarted:
		return "started"
	case noex.ProcessStopped:
		return "■ stopped: " + reason(e.Reason)
	case noex.ProcessCrashed:
		var c *noex.CrashError
		if errors.As(e.Reason, &c) {
			return "✖ crashed: " + fmt.Sprint(c.Value)
		}
		return "✖ killed: " + reason(e.Reason)
	case noex.TimerSet:
		return "◷ " + e.Name + " +" + e.Delay.String()
	case noex.ClockAdvanced:
		return ""
	case noex.Published:
		return with("publish "+strconv.Quote(e.Name), e.Msg)
	case noex.Delivered:
		if e.Err != nil {
			return "deliver ✗ " + firstLine(e.Err)
		}
		return ""
	}
	text := e.Kind.String()
	if e.Name != "" {
		text += " " + strconv.Quote(e.Name)
	}
	if e.Err != nil {
		text += " ✗ " + firstLine(e.Err)
	}
	return text
}

func with(op string, msg any) string {
	if msg == nil {
		return op
	}
	return op + " " + noex.FormatMessage(msg)
}

func reason(r error) string {
	if r == nil {
		return "normal"
	}
	if errors.Is(r, noex.ErrShutdown) {
		return "shutdown"
	}
	return firstLine(r)
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// cut shortens s to n runes, in the middle.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	front := (n - 1) * 2 / 3
	return string(r[:front]) + "…" + string(r[len(r)-(n-1-front):])
}

func esc(s string) string { return html.EscapeString(s) }
