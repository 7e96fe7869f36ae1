package diagram

import (
	"strings"

	"github.com/noex-go/noex/noex"
)

// Text renders a run's event log as a sequence diagram for the terminal:
// one line per step, an arrow from the process that acted to the one it
// addressed, or a note on one process. Lines are indented by two spaces and,
// with the default message width, fit in 80 to 100 columns for the usual
// registered names:
//
//	processes: main, channel-email, analytics, notification-router
//	  main ──start──▶ channel-email
//	  main ──call Send{N:Notification{ID:1 Channel:"email…──▶ notification-router
//	  notification-router ──call Deliver{N:Notification{ID:1 Channel:"em…──▶ channel-email
//	  channel-email: ◷ sleep 10ms
//	── t=10ms ──
//	  channel-email ┄┄reply true┄┄▶ notification-router
//	  notification-router ══publish "notification.sent.email" Sent{ID:1}══▷ event-bus
//	  event-bus ──deliver "notification.sent.email"──▷ analytics
//
// ──x──▶ is a call (or a start), ┄┄x┄┄▶ its reply, ──x──▷ a cast, an info
// message or a delivery, ══x══▷ a publication; "── t=… ──" marks the
// virtual clock moving (deterministic mode), as time since the first event.
// Text is deterministic: the same events give the same text.
func Text(events []noex.Event, opts ...Option) string {
	m := build(events, newConfig(opts))
	if len(m.steps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("processes: ")
	b.WriteString(strings.Join(m.parts, ", "))
	b.WriteByte('\n')
	for _, s := range m.steps {
		switch s.style {
		case arrive:
			continue
		case clock:
			b.WriteString("── t=" + s.at.String() + " ──\n")
			continue
		case note:
			b.WriteString("  " + s.from + ": " + s.label.render(m.width) + "\n")
			continue
		}
		line, head := "──", "──▶"
		switch s.style {
		case reply:
			line, head = "┄┄", "┄┄▶"
		case async:
			head = "──▷"
		case publish:
			line, head = "══", "══▷"
		}
		b.WriteString("  " + s.from + " " + line + s.label.render(m.width) + head + " " + s.to + "\n")
	}
	return b.String()
}
