package noextest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/noex-go/noex/noex"
)

// ErrOrder is wrapped by the errors of the ordering checks.
var ErrOrder = errors.New("noextest: events not as expected")

// Matches reports whether got matches the pattern want: every field of want
// that is not zero equals got's (Msg compared with cmp.Equal).
func Matches(want, got Event) bool {
	return (want.Seq == 0 || want.Seq == got.Seq) &&
		(want.Time.IsZero() || want.Time.Equal(got.Time)) &&
		(want.Kind == 0 || want.Kind == got.Kind) &&
		(want.PID == 0 || want.PID == got.PID) &&
		(want.Proc == "" || want.Proc == got.Proc) &&
		(want.PeerID == 0 || want.PeerID == got.PeerID) &&
		(want.Peer == "" || want.Peer == got.Peer) &&
		(want.Ref == 0 || want.Ref == got.Ref) &&
		(want.Parent == 0 || want.Parent == got.Parent) &&
		(want.MsgKind == noex.KindNone || want.MsgKind == got.MsgKind) &&
		(want.Msg == nil || equal(want.Msg, got.Msg)) &&
		(want.Name == "" || want.Name == got.Name) &&
		(want.Reason == "" || want.Reason == got.Reason) &&
		(want.Err == "" || want.Err == got.Err) &&
		(want.Delay == 0 || want.Delay == got.Delay)
}

// equal is cmp.Equal (errors compared with errors.Is), falling back to
// reflect.DeepEqual for values cmp refuses (unexported fields).
func equal(a, b any) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = reflect.DeepEqual(a, b)
		}
	}()
	return cmp.Equal(a, b, cmpopts.EquateErrors())
}

// diff is cmp.Diff (errors compared with errors.Is), falling back to the
// values' text for values cmp refuses.
func diff(want, got any) (d string) {
	defer func() {
		if recover() != nil {
			if reflect.DeepEqual(want, got) {
				d = ""
				return
			}
			d = fmt.Sprintf("want: %+v\ngot:  %+v", want, got)
		}
	}()
	return cmp.Diff(want, got, cmpopts.EquateErrors())
}

// CheckSubsequence checks that log contains events matching the patterns
// want (see [Matches]) in that order, not necessarily adjacent. On failure
// the error shows, as a cmp diff of [Pattern] lines, the patterns against
// the log's events of the same kinds reduced to the fields the patterns
// set.
func CheckSubsequence(log []Event, want ...Event) error {
	i := 0
	for _, e := range log {
		if i < len(want) && Matches(want[i], e) {
			i++
		}
	}
	if i == len(want) {
		return nil
	}
	return fmt.Errorf("%w: no event matches pattern %d %s after the first %d matched; "+
		"patterns vs the log's events of those kinds (-want +got):\n%s",
		ErrOrder, i, Pattern(want[i]), i, diff(patterns(want), patterns(project(log, want))))
}

// patterns renders each event as a [Pattern], one line each in a diff.
func patterns(events []Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = Pattern(e)
	}
	return out
}

// project reduces log to the events of the kinds the patterns name, each
// keeping only the fields some pattern sets.
func project(log []Event, want []Event) []Event {
	var mask Event
	kinds := map[noex.EventKind]bool{}
	for _, w := range want {
		kinds[w.Kind] = true
		mask = union(mask, w)
	}
	var out []Event
	for _, e := range log {
		if kinds[e.Kind] || kinds[0] {
			out = append(out, keep(e, mask))
		}
	}
	return out
}

// union marks, in m, the fields w sets.
func union(m, w Event) Event {
	if w.Seq != 0 {
		m.Seq = 1
	}
	if !w.Time.IsZero() {
		m.Time = time.Unix(1, 0)
	}
	if w.Kind != 0 {
		m.Kind = 1
	}
	if w.PID != 0 {
		m.PID = 1
	}
	if w.Proc != "" {
		m.Proc = "x"
	}
	if w.PeerID != 0 {
		m.PeerID = 1
	}
	if w.Peer != "" {
		m.Peer = "x"
	}
	if w.Ref != 0 {
		m.Ref = 1
	}
	if w.Parent != 0 {
		m.Parent = 1
	}
	if w.MsgKind != 0 {
		m.MsgKind = 1
	}
	if w.Msg != nil {
		m.Msg = true
	}
	if w.Name != "" {
		m.Name = "x"
	}
	if w.Reason != "" {
		m.Reason = "x"
	}
	if w.Err != "" {
		m.Err = "x"
	}
	if w.Delay != 0 {
		m.Delay = 1
	}
	return m
}

// keep zeroes the fields of e that mask does not mark.
func keep(e, m Event) Event {
	var out Event
	if m.Seq != 0 {
		out.Seq = e.Seq
	}
	if !m.Time.IsZero() {
		out.Time = e.Time
	}
	if m.Kind != 0 {
		out.Kind = e.Kind
	}
	if m.PID != 0 {
		out.PID = e.PID
	}
	if m.Proc != "" {
		out.Proc = e.Proc
	}
	if m.PeerID != 0 {
		out.PeerID = e.PeerID
	}
	if m.Peer != "" {
		out.Peer = e.Peer
	}
	if m.Ref != 0 {
		out.Ref = e.Ref
	}
	if m.Parent != 0 {
		out.Parent = e.Parent
	}
	if m.MsgKind != 0 {
		out.MsgKind = e.MsgKind
	}
	if m.Msg != nil {
		out.Msg = e.Msg
	}
	if m.Name != "" {
		out.Name = e.Name
	}
	if m.Reason != "" {
		out.Reason = e.Reason
	}
	if m.Err != "" {
		out.Err = e.Err
	}
	if m.Delay != 0 {
		out.Delay = e.Delay
	}
	return out
}

// Pattern renders the fields of a pattern that are set, as in
// {Kind:received Proc:"counter" Msg:Inc{}}.
func Pattern(p Event) string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+":"+v) }
	if p.Seq != 0 {
		add("Seq", strconv.FormatUint(p.Seq, 10))
	}
	if !p.Time.IsZero() {
		add("Time", p.Time.UTC().Format("15:04:05.000000"))
	}
	if p.Kind != 0 {
		add("Kind", p.Kind.String())
	}
	if p.PID != 0 {
		add("PID", strconv.FormatUint(p.PID, 10))
	}
	if p.Proc != "" {
		add("Proc", strconv.Quote(p.Proc))
	}
	if p.PeerID != 0 {
		add("PeerID", strconv.FormatUint(p.PeerID, 10))
	}
	if p.Peer != "" {
		add("Peer", strconv.Quote(p.Peer))
	}
	if p.Ref != 0 {
		add("Ref", strconv.FormatUint(p.Ref, 10))
	}
	if p.Parent != 0 {
		add("Parent", strconv.FormatUint(p.Parent, 10))
	}
	if p.MsgKind != 0 {
		add("MsgKind", p.MsgKind.String())
	}
	if p.Msg != nil {
		add("Msg", noex.FormatMessage(p.Msg))
	}
	if p.Name != "" {
		add("Name", strconv.Quote(p.Name))
	}
	if p.Reason != "" {
		add("Reason", strconv.Quote(p.Reason))
	}
	if p.Err != "" {
		add("Err", strconv.Quote(p.Err))
	}
	if p.Delay != 0 {
		add("Delay", p.Delay.String())
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// first returns the index of the first event matching p, or -1.
func first(log []Event, p Event) int {
	return slices.IndexFunc(log, func(e Event) bool { return Matches(p, e) })
}

// CheckHappensBefore checks that the first event matching pattern a happens
// before the first event matching pattern b in the causal (Lamport) sense,
// not merely by Seq: see [HappensBefore] for the relation.
func CheckHappensBefore(log []Event, a, b Event) error {
	ia, ib := first(log, a), first(log, b)
	switch {
	case ia < 0:
		return fmt.Errorf("%w: no event matches %s", ErrOrder, Pattern(a))
	case ib < 0:
		return fmt.Errorf("%w: no event matches %s", ErrOrder, Pattern(b))
	}
	c := newCausality(log)
	if c.before(ia, ib) {
		return nil
	}
	rel := "they are concurrent (neither caused the other)"
	if c.before(ib, ia) {
		rel = "the second happens before the first"
	}
	return fmt.Errorf("%w: %s does not happen before %s: %s\n    first:  %v\n    second: %v",
		ErrOrder, Pattern(a), Pattern(b), rel, line(log[ia]), line(log[ib]))
}

// HappensBefore reports whether the event with Seq a happens before the one
// with Seq b in log, in the causal sense: a chain of these links leads
// from a to b:
//
//   - program order: an earlier event of the same process (same PID);
//   - causation: an event's Parent (the MessageSent a MessageReceived
//     receives, the MessageReceived whose handling performed an action, the
//     TimerSet a TimerFired fires), and the MessageSent with the Ref a
//     MessageReceived has;
//   - wake-up: a ReplySent, or a ProcessStarted, before the next event of
//     the process it answers (Peer), which was blocked waiting for it.
//
// Events of no process (ClockAdvanced) happen before nothing.
func HappensBefore(log []Event, a, b uint64) bool {
	ia, ib := slices.IndexFunc(log, func(e Event) bool { return e.Seq == a }),
		slices.IndexFunc(log, func(e Event) bool { return e.Seq == b })
	if ia < 0 || ib < 0 {
		return false
	}
	return newCausality(log).before(ia, ib)
}

// CheckFIFO checks the per-pair order guarantee on log: for every sender
// and receiver, the messages the receiver handled came in the order they
// were sent. Messages delivered by timers ([noex.SendAfter]) and messages
// delayed by fault injection are exempt: the runtime does not order them
// with the sender's other messages.
func CheckFIFO(log []Event) error {
	type pair struct{ from, to uint64 }
	kind := map[uint64]noex.EventKind{} // Seq -> Kind, for parents
	exempt := map[uint64]bool{}         // message Refs
	sent := map[pair][]Event{}
	recv := map[pair][]Event{}
	var pairs []pair
	for _, e := range log {
		kind[e.Seq] = e.Kind
		switch e.Kind {
		case noex.MessageSent:
			if kind[e.Parent] == noex.TimerFired {
				exempt[e.Ref] = true
				continue
			}
			p := pair{e.PID, e.PeerID}
			if _, ok := sent[p]; !ok {
				pairs = append(pairs, p)
			}
			sent[p] = append(sent[p], e)
		case noex.FaultInjected:
			if e.Name == "delay" {
				exempt[e.Ref] = true
			}
		case noex.MessageReceived:
			p := pair{e.PeerID, e.PID}
			recv[p] = append(recv[p], e)
		}
	}
	var errs []error
	for _, p := range pairs {
		got := refsOf(recv[p], exempt, nil)
		in := map[uint64]bool{}
		for _, r := range got {
			in[r.Ref] = true
		}
		want := refsOf(sent[p], exempt, in)
		if d := diff(want, got); d != "" {
			from, to := sent[p][0].Proc, sent[p][0].Peer
			errs = append(errs, fmt.Errorf("%w: messages from %s to %s were handled out of the order they were sent "+
				"(-sent +handled):\n%s", ErrOrder, from, to, d))
		}
	}
	return errors.Join(errs...)
}

// sentMsg is a message in a FIFO report.
type sentMsg struct {
	Ref uint64
	Msg string
}

// refsOf lists the messages of events, skipping exempt ones and, when only
// is set, those not in it.
func refsOf(events []Event, exempt, only map[uint64]bool) []sentMsg {
	var out []sentMsg
	for _, e := range events {
		if exempt[e.Ref] || (only != nil && !only[e.Ref]) {
			continue
		}
		out = append(out, sentMsg{Ref: e.Ref, Msg: e.MsgKind.String() + " " + noex.FormatMessage(e.Msg)})
	}
	return out
}

// Handled returns the messages the process proc handled, in order: proc is
// a label (every process that had it, such as the incarnations of a
// restarted child) or "p<ID>".
func Handled(log []Event, proc string) []Message {
	var out []Message
	for _, e := range log {
		if e.Kind == noex.MessageReceived && (e.Proc == proc || "p"+strconv.FormatUint(e.PID, 10) == proc) {
			out = append(out, Message{Kind: e.MsgKind, Msg: e.Msg})
		}
	}
	return out
}

// CheckHandled checks that proc handled exactly the messages want, in that
// order, and no others (see [Handled]).
func CheckHandled(log []Event, proc string, want ...Message) error {
	if d := diff(want, Handled(log, proc)); d != "" {
		return fmt.Errorf("%w: messages handled by %s (-want +got):\n%s", ErrOrder, proc, d)
	}
	return nil
}
