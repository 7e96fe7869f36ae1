package report

import (
	"errors"
	"slices"

	"github.com/noex-go/noex/noex"
)

// pageData is what the page's script reads: the details of every event and
// decision, and the geometry it needs to move the cursor.
type pageData struct {
	Events    []eventData    `json:"events"`
	Decisions []decisionData `json:"decisions"`
	FailedAt  int            `json:"failedAt"` // row of the failing event, -1 for none
	Slice     []int          `json:"slice"`    // rows of the causal slice
	Top       int            `json:"top"`
	RowH      int            `json:"rowH"`
}

type eventData struct {
	Seq     uint64 `json:"seq"`
	Time    string `json:"t"`
	Kind    string `json:"kind"`
	Proc    string `json:"proc,omitempty"`
	Peer    string `json:"peer,omitempty"`
	Ref     uint64 `json:"ref,omitempty"`
	MsgKind string `json:"msgKind,omitempty"`
	Msg     string `json:"msg,omitempty"`
	Name    string `json:"name,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Err     string `json:"err,omitempty"`
	Delay   string `json:"delay,omitempty"`
	Parent  int    `json:"parent"` // row of the parent event, -1 for none
	Line    string `json:"line"`   // the event as the log prints it
}

type decisionData struct {
	N      uint64   `json:"n"`
	Row    int      `json:"row"` // the row of the event it follows, -1 before the first
	Chosen int      `json:"chosen"`
	Steps  []string `json:"steps"`
}

func (l *layout) data() pageData {
	d := pageData{FailedAt: -1, Top: topPad, RowH: rowH, Slice: []int{}, Events: []eventData{}, Decisions: []decisionData{}}
	for _, e := range l.r.Events {
		ed := eventData{Seq: e.Seq, Time: since(e.Time, l.t0), Kind: e.Kind.String(), Proc: e.Label, Peer: e.PeerLbl,
			Ref: e.Ref, Name: e.Name, Parent: -1, Line: e.String()}
		if e.MsgKind != noex.KindNone {
			ed.MsgKind = e.MsgKind.String()
		}
		if e.Msg != nil {
			ed.Msg = noex.FormatMessage(e.Msg)
		}
		switch e.Kind {
		case noex.ProcessStopped, noex.ProcessCrashed, noex.MonitorDown, noex.ChildRestarted, noex.ChildStopped, noex.SupervisorExceeded:
			ed.Reason = noex.ReasonString(e.Reason)
			var c *noex.CrashError
			if errors.As(e.Reason, &c) && c.Stack != "" {
				ed.Reason += "\n\n" + c.Stack
			}
		}
		if e.Err != nil {
			ed.Err = e.Err.Error()
		}
		if e.Delay != 0 {
			ed.Delay = e.Delay.String()
		}
		if i, ok := l.row[e.Parent]; ok && e.Parent != 0 {
			ed.Parent = i
		}
		d.Events = append(d.Events, ed)
	}
	for _, dec := range l.r.Decisions {
		dd := decisionData{N: dec.N, Row: -1, Chosen: dec.Chosen, Steps: []string{}}
		if i, ok := l.row[dec.Seq]; ok {
			dd.Row = i
		}
		for _, s := range dec.Steps {
			dd.Steps = append(dd.Steps, s.String())
		}
		d.Decisions = append(d.Decisions, dd)
	}
	if i, ok := l.row[l.r.FailedAt]; ok && l.r.FailedAt != 0 {
		d.FailedAt = i
	}
	for seq := range l.slice {
		d.Slice = append(d.Slice, l.row[seq])
	}
	slices.Sort(d.Slice)
	return d
}
