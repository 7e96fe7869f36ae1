package run

import (
	"context"
	"errors"

	"github.com/noex-go/noex/noex"
)

// TextDiagram renders events as a plain-text sequence diagram.
func TextDiagram(events []noex.Event) string {
	return "(the text diagram renderer is not built yet)\n"
}

// MermaidDiagram renders events as a Mermaid sequence diagram.
func MermaidDiagram(events []noex.Event) string {
	return "(the Mermaid renderer is not built yet)\n"
}

func setupOTLP(ctx context.Context, rt *noex.Runtime) (func(context.Context) error, error) {
	return nil, errors.New("the OTLP exporter is not built yet")
}
