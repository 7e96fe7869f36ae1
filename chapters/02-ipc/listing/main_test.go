package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Names are sorted, whatever the order of registration (noex lists them in
// insertion order, which in Go would depend on a map's order).
func TestOutput(t *testing.T) {
	want := []string{"[cache order-service user-service]", "3", "cache is available"}
	chaptertest.Lines(t, want, 20, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}
