package run

import (
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// TextDiagram renders events as a list of arrows.
func TextDiagram(events []noex.Event) string { return diagram.Text(events) }

// LaneDiagram renders events as a lane diagram width columns wide (0: the
// default of 100).
func LaneDiagram(events []noex.Event, width int) string {
	if width <= 0 {
		width = diagram.DefaultWidth
	}
	return diagram.Lanes(events, diagram.WithWidth(width))
}

// MermaidDiagram renders events as a Mermaid sequence diagram.
func MermaidDiagram(events []noex.Event) string { return diagram.Mermaid(events) }
