package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/noex-go/noex/noex"
)

// Run is what a report shows: the events of a run, how it was scheduled
// and how to replay it. Only Events is required.
type Run struct {
	Title         string          // the page's title: the example or the test
	Events        []noex.Event    // the run's event log, in Seq order
	Decisions     []noex.Decision // the scheduler's decisions, oldest first ([noex.Runtime.ObserveDecisions])
	Deterministic bool            // the run was deterministic: Seed and Schedule replay it
	Seed          uint64
	Schedule      string // the run's schedule string, "" for the natural order or real mode
	Replay        string // the command that replays the run, shown with a copy button
	Failure       string // why the run failed, "" if it did not
	FailedAt      uint64 // the Seq of the event where it failed (see [FirstFailure]); 0 for none
}

//go:embed assets/report.css
var css string

//go:embed assets/report.js
var js string

//go:embed assets/page.html
var pageHTML string

var page = template.Must(template.New("page").Parse(pageHTML))

// Write writes r as one self-contained HTML page: inline CSS, SVG and
// script, nothing loaded from anywhere, so the file can be mailed,
// attached to a CI run or opened from disk. The page shows one lane per
// process with an arrow from each send to its receipt (a message overtaken
// by another crosses it), the virtual time on the left, the scheduler's
// decisions with the steps that were not taken, the details of any event
// on click, a slider and keys to step through the run, and the replay
// command. With FailedAt set, the causal slice of that event
// ([CausalSlice]) is highlighted and the rest can be dimmed.
//
// Write is deterministic: the same Run gives the same bytes.
func Write(w io.Writer, r Run) error {
	l := newLayout(r)
	data, err := json.Marshal(l.data())
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	err = page.Execute(&buf, struct {
		Run
		Mode       string
		Head, Body template.HTML
		CSS        template.CSS
		JS         template.JS
		Data       template.JS
		Events     int
		Lanes      int
	}{
		Run:  r,
		Mode: mode(r),
		Head: template.HTML(l.head()), Body: template.HTML(l.svg()),
		CSS: template.CSS(css), JS: template.JS(js), Data: template.JS(data),
		Events: len(r.Events), Lanes: len(l.lanes),
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// WriteFile writes the report of r to the file name (see [Write]),
// creating or truncating it.
func WriteFile(name string, r Run) error {
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		return err
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func mode(r Run) string {
	if !r.Deterministic {
		return "real mode"
	}
	return "deterministic, seed " + strconv.FormatUint(r.Seed, 10)
}

// since renders the time of an event relative to the first one.
func since(t, t0 time.Time) string {
	d := t.Sub(t0)
	if d == 0 {
		return "0s"
	}
	return d.String()
}
