package diagram

import (
	"strconv"
	"strings"

	"github.com/noex-go/noex/noex"
)

// Mermaid renders a run's event log as a Mermaid sequence diagram, for
// documentation (GitHub renders a ```mermaid block): one participant per
// process, in order of appearance, "->>" for calls and starts, "-->>" for
// replies, "-)" for casts, info messages, publications and deliveries, and
// notes for what happens on one process; "t=…" notes across all
// participants mark the virtual clock moving. Characters that Mermaid
// reads as syntax (#, ;, <, >) are written as entity codes. Mermaid is
// deterministic: the same events give the same text.
func Mermaid(events []noex.Event, opts ...Option) string {
	m := build(events, newConfig(opts))
	if len(m.steps) == 0 {
		return ""
	}
	id := make(map[string]string, len(m.parts))
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for i, p := range m.parts {
		id[p] = "P" + strconv.Itoa(i+1)
		b.WriteString("    participant " + id[p] + " as " + escape(p) + "\n")
	}
	span := id[m.parts[0]]
	if len(m.parts) > 1 {
		span += "," + id[m.parts[len(m.parts)-1]]
	}
	for _, s := range m.steps {
		if s.style == arrive {
			continue
		}
		b.WriteString("    ")
		switch s.style {
		case clock:
			b.WriteString("Note over " + span + ": t=" + s.at.String())
		case note:
			b.WriteString("Note over " + id[s.from] + ": " + escape(s.label.render(m.width)))
		default:
			arrow := "->>"
			switch s.style {
			case reply:
				arrow = "-->>"
			case async, publish:
				arrow = "-)"
			}
			b.WriteString(id[s.from] + arrow + id[s.to] + ": " + escape(s.label.render(m.width)))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// escape writes the characters Mermaid would parse as entity codes.
func escape(s string) string {
	if !strings.ContainsAny(s, "#;<>") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '#':
			b.WriteString("#35;")
		case ';':
			b.WriteString("#59;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
