package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/chapters/internal/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Names are sorted, whatever the order of registration (noex lists them in
// insertion order, which in Go would depend on a map's order).
func TestOutput(t *testing.T) {
	want := []string{"[cache order-service user-service]", "3", "cache is available"}
	check := func(t testing.TB, res run.Result) {
		if diff := cmp.Diff(want, res.Lines()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) { check(t, res) }, demo)
	chaptertest.Real(t, 20, check, demo)
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}
