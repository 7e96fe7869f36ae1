package diagram_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// The diagram in docs/tracing.md is made from a real run: this test runs it
// again and compares (go test ./trace/diagram -run Docs -update rewrites
// the block between the markers).
const (
	docPath  = "../../docs/tracing.md"
	docBegin = "<!-- diagram: go test ./trace/diagram -run TestDocsDiagram -update -->\n```mermaid\n"
	docEnd   = "```\n<!-- end of diagram -->"
)

// oneNotification is the chapter's notification flow with one delivery:
// the router calls the channel handler, publishes the result, and
// analytics gets it.
func oneNotification(ctx context.Context) error {
	if _, err := noex.StartBus(ctx, noex.WithName(string(EventBus))); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, channel{}, noex.WithName("channel-email")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, analytics{}, noex.WithName("analytics")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, router{}, noex.WithName(string(Router))); err != nil {
		return err
	}
	_, err := noex.Call(ctx, Router, Send{Notification{ID: 1, Channel: "email", Title: "Welcome"}})
	return err
}

func TestDocsDiagram(t *testing.T) {
	doc, err := os.ReadFile(filepath.FromSlash(docPath))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(doc, []byte(docBegin))
	j := bytes.Index(doc, []byte(docEnd))
	if i < 0 || j < i {
		t.Fatalf("%s: no diagram block between %q and %q", docPath, docBegin, docEnd)
	}
	got := diagram.Mermaid(record(t, oneNotification, noex.WithSeed(7)), diagram.WithMessageWidth(32))
	have := string(doc[i+len(docBegin) : j])
	if *update {
		out := append(append(append([]byte{}, doc[:i+len(docBegin)]...), got...), doc[j:]...)
		if err := os.WriteFile(filepath.FromSlash(docPath), out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(have, got); diff != "" {
		t.Errorf("%s: the diagram is not that of the run (-doc +run):\n%s\nRun: go test ./trace/diagram -run TestDocsDiagram -update",
			docPath, diff)
	}
}

// The lane diagram in docs/seeing-a-run.md is made from a real run too (go
// test ./trace/diagram -run TestDocsLanes -update rewrites it).
const (
	lanesDocPath  = "../../docs/seeing-a-run.md"
	lanesDocBegin = "<!-- lanes: go test ./trace/diagram -run TestDocsLanes -update -->\n```text\n"
	lanesDocEnd   = "```\n<!-- end of lanes -->"
)

func TestDocsLanes(t *testing.T) {
	doc, err := os.ReadFile(filepath.FromSlash(lanesDocPath))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(doc, []byte(lanesDocBegin))
	j := bytes.Index(doc, []byte(lanesDocEnd))
	if i < 0 || j < i {
		t.Fatalf("%s: no lane diagram between %q and %q", lanesDocPath, lanesDocBegin, lanesDocEnd)
	}
	got := diagram.Lanes(record(t, story, noex.WithSeed(42)), diagram.WithWidth(96))
	have := string(doc[i+len(lanesDocBegin) : j])
	if *update {
		out := append(append(append([]byte{}, doc[:i+len(lanesDocBegin)]...), got...), doc[j:]...)
		if err := os.WriteFile(filepath.FromSlash(lanesDocPath), out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(have, got); diff != "" {
		t.Errorf("%s: the lane diagram is not that of the run (-doc +run):\n%s\nRun: go test ./trace/diagram -run TestDocsLanes -update",
			lanesDocPath, diff)
	}
}
