package run

import (
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// TextDiagram renders events as a plain-text sequence diagram.
func TextDiagram(events []noex.Event) string { return diagram.Text(events) }

// MermaidDiagram renders events as a Mermaid sequence diagram.
func MermaidDiagram(events []noex.Event) string { return diagram.Mermaid(events) }
