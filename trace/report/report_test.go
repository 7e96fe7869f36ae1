package report_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/report"
)

func write(t *testing.T, r report.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteIsSelfContainedAndDeterministic(t *testing.T) {
	r := report.Run{Title: "jobs", Events: record(t, 1, jobs), Deterministic: true, Seed: 1, Replay: "go run ./jobs -seed 1"}
	page := write(t, r)
	if again := write(t, r); again != page {
		t.Error("the same run gave two different pages")
	}
	for _, bad := range []string{"http://", "https://", "<link", "src=", "@import"} {
		if bad == "http://" {
			// Only the SVG namespace, which is a name, not a fetch.
			page := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
			if strings.Contains(page, bad) {
				t.Errorf("the page refers to %q", bad)
			}
			continue
		}
		if strings.Contains(page, bad) {
			t.Errorf("the page refers to %q: it must load nothing", bad)
		}
	}
	for _, want := range []string{"<title>jobs · noex run report</title>", "go run ./jobs -seed 1", "deterministic, seed 1", `id="cursor"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestWriteDrawsLanesAndArrows(t *testing.T) {
	evs := record(t, 1, jobs)
	page := write(t, report.Run{Events: evs})
	if n := strings.Count(page, `<g class="lane" `); n != 3 {
		t.Errorf("%d lanes, want 3 (main, worker, router)", n)
	}
	for _, name := range []string{"main", "worker", "router"} {
		if !strings.Contains(page, `data-name="`+name+`"`) {
			t.Errorf("no lane named %q", name)
		}
	}
	sends, starts, replies := 0, 0, 0
	for _, e := range evs {
		switch e.Kind {
		case noex.MessageSent:
			sends++
		case noex.ProcessStarted:
			starts++
		case noex.ReplySent:
			replies++
		}
	}
	if n := strings.Count(page, `<path class="arrow`); n != sends+starts+replies {
		t.Errorf("%d arrows, want one per send (%d), start (%d) and reply (%d)", n, sends, starts, replies)
	}
	if n := strings.Count(page, `<g class="ev `); n != len(evs) {
		t.Errorf("%d event marks, want %d", n, len(evs))
	}
}

func TestWriteMarksTheFailureAndItsSlice(t *testing.T) {
	evs := record(t, 1, jobs)
	fail, _ := report.FirstFailure(evs)
	page := write(t, report.Run{Events: evs, Failure: "worker bug", FailedAt: fail.Seq})
	if !strings.Contains(page, `<body class="failed focus">`) {
		t.Error("a failed run's page should start focused on the slice")
	}
	slice := report.CausalSlice(evs, fail.Seq)
	if n := strings.Count(page, " in-slice\""); n < len(slice) {
		t.Errorf("%d marks in the slice, want at least %d", n, len(slice))
	}
	if !strings.Contains(page, "failed-at") {
		t.Error("the failing event is not marked")
	}
}

func TestWriteShowsDecisions(t *testing.T) {
	evs := record(t, 1, jobs)
	var main, worker noex.PID
	for _, e := range evs {
		if e.Kind == noex.ProcessStarted && e.Label == "worker" {
			worker, main = e.PID, e.Peer
		}
	}
	r := report.Run{Events: evs, Decisions: []noex.Decision{{
		N: 1, Seq: evs[5].Seq, Chosen: 1,
		Steps: []noex.Step{
			{Kind: noex.StepDeliver, PID: worker, Label: "worker", From: main, FromLabel: "main", Ref: 7, MsgKind: noex.KindCast, Msg: "a"},
			{Kind: noex.StepResume, PID: main, Label: "main", What: "call"},
		},
	}}}
	page := write(t, r)
	for _, want := range []string{`class="decision"`, `class="chosen"`, `class="alt"`,
		`not taken: main → worker: cast &#34;a&#34;`, `chosen: resume main (call)`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestWriteEscapesAndToleratesUnknownKinds(t *testing.T) {
	evil := `</script><script>alert(1)</script>`
	evs := record(t, 1, func(ctx context.Context) error {
		w, err := noex.Start(ctx, worker{}, noex.WithName("worker"))
		if err != nil {
			return err
		}
		return noex.Cast(ctx, w, evil)
	})
	last := evs[len(evs)-1]
	evs = append(evs, noex.Event{Seq: last.Seq + 1, Time: last.Time, Kind: noex.EventKind(250), PID: last.PID, Label: last.Label})
	page := write(t, report.Run{Title: evil, Events: evs, Failure: evil})
	if strings.Contains(page, "<script>alert") {
		t.Error("a message's text reached the page unescaped")
	}
	if !strings.Contains(page, "k-other") {
		t.Error("an unknown event kind is not drawn")
	}
}

func TestWriteFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "r.html")
	if err := report.WriteFile(file, report.Run{Events: record(t, 1, jobs)}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Errorf("file: %v", err)
	}
	if err := report.WriteFile(filepath.Join(t.TempDir(), "no", "dir", "r.html"), report.Run{}); err == nil {
		t.Error("writing into a missing directory gave no error")
	}
	// An empty run is a page too.
	if page := write(t, report.Run{}); !strings.Contains(page, "0 events") {
		t.Error("an empty run's page does not say it is empty")
	}
}
