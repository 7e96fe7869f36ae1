package diagram

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/noex-go/noex/noex"
)

// Lanes renders a run's event log as a lane diagram for the terminal: one
// column per process (a lane, named at the top), time going down, and one
// row per step: an arrow between two lanes for a message, a note on one
// lane for what happens there, a "── t=… ──" rule where the virtual clock
// moves. A part of the chapter's notification flow in 60 columns:
//
//	main     even…bus chan…ail chan…sms anal…ics notifi…router
//	│──start────────────────────────────────────▶│
//	│──call Send{N:Notificati…Title:"Welcome"}}─▶│
//	│        │        │◀─call Deliver{…lcome"}}──│
//	│        │        ◷ sleep 10ms      │        │
//	── t=10ms ────────┼────────┼────────┼────────┼────────────
//	│        │        │┄┄reply true┄┄┄┄┄┄┄┄┄┄┄┄┄▶│
//	│        │══publish "notifi…el:"email"} [1]┈┈│
//	│◀┄reply true┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄│
//	│        │◁┈[1]┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈│
//	│        │──deliver "no…ent.email"─▷│        │
//
// A message is one row when it is received at once (──x──▶ a call or a
// start, ──x──▷ a cast or an info message, ══x══▷ a publication, ┄┄x┄┄▶ a
// reply), and two rows when other steps come between its send and its
// receipt: the send, whose line turns dotted past its label and carries a
// tag [n], and the receipt, a dotted line with the same tag ending in the
// arrowhead. A message overtaken by another is thus received after it, on a
// later row. A lane's line starts where the process first appears and ends
// at its stop (■) or crash (✖).
//
// The diagram fits in [WithWidth] columns (default [DefaultWidth]): lanes
// share the width, and a message too long for the space between its lanes
// is shortened in the middle, keeping its operation, the start and the end
// of the value (its type and its last fields), or is written beside the
// arrow. [WithMessageWidth](0) hides messages. Lanes is deterministic: the
// same events give the same text.
func Lanes(events []noex.Event, opts ...Option) string {
	cfg := newConfig(opts)
	m := build(events, cfg)
	if len(m.steps) == 0 {
		return ""
	}
	return newLaneLayout(m, cfg.cols).render()
}

// DefaultWidth is the width of a lane diagram when [WithWidth] does not
// give one: a terminal of 100 columns.
const DefaultWidth = 100

const (
	laneMargin  = 2  // columns left of the first lane
	laneMin     = 6  // the narrowest lane
	laneMax     = 36 // the widest lane: small runs stay compact
	labelInside = 12 // the shortest label worth drawing inside an arrow
)

type laneLayout struct {
	m     *model
	width int
	x     map[string]int // lane center by participant
	alive []bool         // by lane index, while rendering
	lane  map[string]int
	tags  map[uint64]int // split messages: their tag
	next  int            // the last tag given
	b     strings.Builder
}

func newLaneLayout(m *model, width int) *laneLayout {
	n := len(m.parts)
	cw := min(max((width-laneMargin)/n, laneMin), laneMax)
	l := &laneLayout{m: m, width: width, x: map[string]int{}, lane: map[string]int{},
		alive: make([]bool, n), tags: map[uint64]int{}}
	for i, p := range m.parts {
		l.x[p] = laneMargin + i*cw
		l.lane[p] = i
	}
	// A lane takes its column's left edge; the names need the room right of
	// it, so the rightmost lane is pulled in if a name would overflow.
	if last := l.x[m.parts[n-1]]; last+laneMin > width && n > 1 {
		for i, p := range m.parts {
			l.x[p] = laneMargin + i*(width-laneMargin-laneMin)/(n-1)
		}
	}
	return l
}

func (l *laneLayout) render() string {
	l.header()
	steps := l.m.steps
	for i := 0; i < len(steps); i++ {
		s := &steps[i]
		switch s.style {
		case clock:
			l.clockRow(s)
		case note:
			l.noteRow(s)
		case arrive:
			l.arriveRow(s)
		default:
			merged := s.ref != 0 && i+1 < len(steps) && steps[i+1].style == arrive && steps[i+1].ref == s.ref
			if merged {
				i++
			}
			l.arrowRow(s, merged)
		}
	}
	return l.b.String()
}

// header writes the lane names, each cut to its lane's width.
func (l *laneLayout) header() {
	r := l.row()
	for i, p := range l.m.parts {
		room := l.width - l.x[p]
		if i+1 < len(l.m.parts) {
			room = l.x[l.m.parts[i+1]] - l.x[p] - 1
		}
		r.put(l.x[p], middleCut(p, room))
	}
	l.emit(r)
}

// row returns an empty row with the lines of the lanes alive.
func (l *laneLayout) row() rowBuf {
	r := rowBuf(make([]rune, l.width))
	for i := range r {
		r[i] = ' '
	}
	for i, p := range l.m.parts {
		if l.alive[i] {
			r.set(l.x[p], '│')
		}
	}
	return r
}

func (l *laneLayout) emit(r rowBuf) {
	l.b.WriteString(strings.TrimRight(string(r), " "))
	l.b.WriteByte('\n')
}

// live marks participant p's lane alive from this row on, redrawing its
// line in r.
func (l *laneLayout) live(r rowBuf, p string) {
	if i, ok := l.lane[p]; ok && !l.alive[i] {
		l.alive[i] = true
		r.set(l.x[p], '│')
	}
}

func (l *laneLayout) clockRow(s *step) {
	r := l.row()
	for i := range r {
		if r[i] == '│' {
			r[i] = '┼'
		} else if i >= laneMargin {
			r[i] = '─'
		}
	}
	r.put(laneMargin, "── t="+s.at.String()+" ")
	l.emit(r)
}

// noteSymbols are the marks a note's label starts with; a note without
// one gets a dot.
const noteSymbols = "◷✖■✗✕"

func (l *laneLayout) noteRow(s *step) {
	r := l.row()
	l.live(r, s.from)
	x := l.x[s.from]
	t, mark := s.label, "●"
	if first, size := utf8.DecodeRuneInString(t.head); strings.ContainsRune(noteSymbols, first) {
		mark, t.head = string(first), strings.TrimPrefix(t.head[size:], " ")
	}
	right := l.width - x - 2
	if n := utf8.RuneCountInString(t.full()); right < min(n, 24) && x-laneMargin-2 > right {
		// No room right of the lane: write the note on its left.
		text := fit(t, "", x-laneMargin-1)
		r.put(x-1-utf8.RuneCountInString(text), text)
	} else {
		r.put(x+2, fit(t, "", right))
	}
	r.put(x, mark)
	l.emit(r)
	if s.ends {
		l.alive[l.lane[s.from]] = false
	}
}

// fit returns t followed by extra, cut to n columns: in the middle of the
// message if that leaves at least 8 characters of it, else in the middle
// of the whole text.
func fit(t text, extra string, n int) string {
	full := t.full() + extra
	if utf8.RuneCountInString(full) <= n {
		return full
	}
	if t.body != "" {
		fixed := utf8.RuneCountInString(t.head + t.sep + t.tail + extra)
		if room := n - fixed; room >= 8 {
			return t.head + t.sep + middleCut(t.body, room) + t.tail + extra
		}
	}
	return middleCut(full, n)
}

// arrowRow draws a message or a start from one lane to another: received
// at once (merged), or only sent, with a tag its receipt row repeats.
func (l *laneLayout) arrowRow(s *step, merged bool) {
	r := l.row()
	l.live(r, s.from)
	l.live(r, s.to)
	tag := ""
	if s.ref != 0 && !merged {
		l.next++
		l.tags[s.ref] = l.next
		tag = " [" + strconv.Itoa(l.next) + "]"
	}
	if s.from == s.to {
		x := l.x[s.from]
		r.put(x, "↻")
		r.put(x+2, fit(s.label, tag, l.width-x-2))
		l.emit(r)
		return
	}
	shaft, head := arrowChars(s.style, l.x[s.to] > l.x[s.from])
	l.line(r, s.from, s.to, s.label, tag, shaft, head, !merged && s.ref != 0)
	l.emit(r)
}

// arriveRow draws the receipt of a message sent on an earlier row.
func (l *laneLayout) arriveRow(s *step) {
	r := l.row()
	l.live(r, s.to)
	tag := ""
	if n, ok := l.tags[s.ref]; ok {
		tag = "[" + strconv.Itoa(n) + "]"
		delete(l.tags, s.ref)
	}
	send := l.sendOf(s)
	if s.from == s.to {
		r.put(l.x[s.to], "▷")
		r.put(l.x[s.to]+2, tag)
		l.emit(r)
		return
	}
	_, head := arrowChars(send, l.x[s.to] > l.x[s.from])
	l.line(r, s.from, s.to, plain(tag), "", '┈', head, false)
	l.emit(r)
}

// sendOf returns the style of the message an arrive step receives.
func (l *laneLayout) sendOf(s *step) style {
	for i := range l.m.steps {
		if t := &l.m.steps[i]; t.ref == s.ref && t.style != arrive {
			return t.style
		}
	}
	return async
}

// line draws an arrow from s.from's lane to s.to's with label on it, or
// beside it when it does not fit. With inFlight the line turns dotted after
// the label and has no head: the message is not received yet.
func (l *laneLayout) line(r rowBuf, from, to string, t text, tag string, shaft, head rune, inFlight bool) {
	xa, xb := l.x[from], l.x[to]
	lo, hi := min(xa, xb), max(xa, xb)
	right := xb > xa
	for x := lo + 1; x < hi; x++ {
		r.set(x, shaft)
	}
	room := hi - lo - 5 // two shaft cells before the label, two and the head after
	label := t.full() + tag
	n := utf8.RuneCountInString(label)
	inside := ""
	switch {
	case label == "":
	case n <= room || room >= labelInside:
		inside = fit(t, tag, room)
	default:
		// Beside the arrow: right of it if it fits there, else on the side
		// with more room.
		if out := l.width - hi - 2; out >= n || out >= lo-laneMargin-1 {
			r.put(hi+2, fit(t, tag, out))
		} else {
			text := fit(t, tag, lo-laneMargin-1)
			r.put(lo-1-utf8.RuneCountInString(text), text)
		}
	}
	start := lo + 3
	r.put(start, inside)
	if inFlight {
		for x := start + utf8.RuneCountInString(inside); x < hi; x++ {
			r.set(x, '┈')
		}
		if inside == "" {
			for x := lo + 2; x < hi; x++ {
				r.set(x, '┈')
			}
		}
		return
	}
	if right {
		r.set(hi-1, head)
	} else {
		r.set(lo+1, head)
	}
}

// arrowChars returns the line and the head of an arrow of style st.
func arrowChars(st style, right bool) (shaft, head rune) {
	shaft, head = '─', '▶'
	switch st {
	case reply:
		shaft = '┄'
	case async:
		head = '▷'
	case publish:
		shaft, head = '═', '▷'
	}
	if !right {
		switch head {
		case '▶':
			head = '◀'
		case '▷':
			head = '◁'
		}
	}
	return shaft, head
}

// middleCut shortens s to n runes by replacing its middle with "…", keeping
// a little more of the start than of the end.
func middleCut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return string(r[:max(n, 0)])
	}
	keep := n - 1
	front := (keep + 1) / 2
	return string(r[:front]) + "…" + string(r[len(r)-(keep-front):])
}

// rowBuf is one line of the diagram, a rune per column.
type rowBuf []rune

func (r rowBuf) set(x int, c rune) {
	if x >= 0 && x < len(r) {
		r[x] = c
	}
}

func (r rowBuf) put(x int, s string) {
	for _, c := range s {
		r.set(x, c)
		x++
	}
}
