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
// that is not zero equals got's (Msg compared with cmp.Equal, Time with
// time.Time.Equal).
func Matches(want, got Event) bool {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range wv.NumField() {
		w, g := wv.Field(i), gv.Field(i)
		if w.IsZero() {
			continue
		}
		switch w := w.Interface().(type) {
		case time.Time:
			if !w.Equal(got.Time) {
				return false
			}
		default:
			if i == msgField {
				if !equal(want.Msg, got.Msg) {
					return false
				}
			} else if w != g.Interface() {
				return false
			}
		}
	}
	return true
}

// msgField is the index of Event.Msg, the one field of type any.
var msgField = func() int {
	f, _ := reflect.TypeFor[Event]().FieldByName("Msg")
	return f.Index[0]
}()

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
	set := make([]bool, reflect.TypeFor[Event]().NumField())
	kinds := map[noex.EventKind]bool{}
	for _, w := range want {
		kinds[w.Kind] = true
		wv := reflect.ValueOf(w)
		for i := range set {
			set[i] = set[i] || !wv.Field(i).IsZero()
		}
	}
	var out []Event
	for _, e := range log {
		if !kinds[e.Kind] && !kinds[0] {
			continue
		}
		var p Event
		pv, ev := reflect.ValueOf(&p).Elem(), reflect.ValueOf(e)
		for i, ok := range set {
			if ok {
				pv.Field(i).Set(ev.Field(i))
			}
		}
		out = append(out, p)
	}
	return out
}

// Pattern renders the fields of a pattern that are set, as in
// {Kind:received Proc:"counter" Msg:inc{By:2}}.
func Pattern(p Event) string {
	pv, pt := reflect.ValueOf(p), reflect.TypeFor[Event]()
	var parts []string
	for i := range pv.NumField() {
		f := pv.Field(i)
		if f.IsZero() {
			continue
		}
		var v string
		switch x := f.Interface().(type) {
		case string:
			v = strconv.Quote(x)
		case time.Time:
			v = x.UTC().Format("15:04:05.000000")
		case fmt.Stringer:
			v = x.String()
		case uint64:
			v = strconv.FormatUint(x, 10)
		default:
			v = noex.FormatMessage(x)
		}
		parts = append(parts, pt.Field(i).Name+":"+v)
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
