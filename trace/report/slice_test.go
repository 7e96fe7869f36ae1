package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/report"
)

// lines renders events in a short form: label, kind, message.
func lines(evs []noex.Event) []string {
	var out []string
	for _, e := range evs {
		s := e.Label + " " + e.Kind.String()
		if e.Msg != nil {
			s += " " + noex.FormatMessage(e.Msg)
		}
		out = append(out, s)
	}
	return out
}

func TestCausalSliceOfACrash(t *testing.T) {
	evs := record(t, 1, jobs)
	crash, ok := report.FirstFailure(evs)
	if !ok || crash.Kind != noex.MessageHandled || crash.Label != "worker" {
		t.Fatalf("FirstFailure = %v, %v; want the worker's crashed handling", crash, ok)
	}
	got := lines(report.CausalSlice(evs, crash.Seq))
	// The crash, the handling it happened in, the router's call that
	// brought the job, the router's handling of main's call, main's call.
	want := []string{
		`main sent job{Name:"bad"}`,
		`router received job{Name:"bad"}`,
		`router sent job{Name:"bad"}`,
		`worker received job{Name:"bad"}`,
		`worker handled`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("slice of the crash (-want +got):\n%s", diff)
	}
	// Nothing of the good job or of the unrelated cast is in it.
	for _, l := range got {
		if strings.Contains(l, "good") || strings.Contains(l, "unrelated") {
			t.Errorf("the slice holds an event that did not lead to the crash: %s", l)
		}
	}
}

func TestCausalSliceEdges(t *testing.T) {
	evs := record(t, 1, jobs)
	if got := report.CausalSlice(evs); len(got) != 0 {
		t.Errorf("no seqs: got %d events", len(got))
	}
	if got := report.CausalSlice(evs, 1<<40); len(got) != 0 {
		t.Errorf("an unknown seq: got %d events", len(got))
	}
	if got := report.CausalSlice(nil, 1); len(got) != 0 {
		t.Errorf("no events: got %d", len(got))
	}
	// Several seqs: the union, in log order, each event once.
	last := evs[len(evs)-1].Seq
	crash, _ := report.FirstFailure(evs)
	both := report.CausalSlice(evs, crash.Seq, last, crash.Seq)
	for i := 1; i < len(both); i++ {
		if both[i].Seq <= both[i-1].Seq {
			t.Fatalf("not in log order or repeated: %d after %d", both[i].Seq, both[i-1].Seq)
		}
	}
	if n := len(report.CausalSlice(evs, crash.Seq)); len(both) < n {
		t.Errorf("the union has %d events, fewer than the crash's slice alone (%d)", len(both), n)
	}
	// A parent cycle (malformed input) ends.
	loop := []noex.Event{{Seq: 1, Parent: 2}, {Seq: 2, Parent: 1}}
	if got := report.CausalSlice(loop, 1); len(got) != 2 {
		t.Errorf("cycle: got %d events, want 2", len(got))
	}
	// The input is not modified.
	before := lines(evs)
	report.CausalSlice(evs, last)
	if diff := cmp.Diff(before, lines(evs)); diff != "" {
		t.Errorf("CausalSlice modified its input:\n%s", diff)
	}
}

func TestFirstFailure(t *testing.T) {
	if _, ok := report.FirstFailure(nil); ok {
		t.Error("FirstFailure(nil) reported a failure")
	}
	evs := record(t, 1, func(ctx context.Context) error {
		if _, err := noex.Start(ctx, worker{}, noex.WithName("worker")); err != nil {
			return err
		}
		_, err := noex.Call(ctx, workerName, job{"good"})
		return err
	})
	if e, ok := report.FirstFailure(evs); ok {
		t.Errorf("a run without failure: FirstFailure = %v", e)
	}
}
