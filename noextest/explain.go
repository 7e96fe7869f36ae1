package noextest

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// Explaining a failure. A failing deterministic run is a schedule: the
// choices it made where several steps were enabled. The explanation
//   - shrinks the schedule to the fewest departures from the natural order
//     that still fail (delta debugging of the decision list: a departure
//     that can go, goes);
//   - names the order that decides it: each departure left is one the run
//     cannot do without, so flipping it back to the natural order makes the
//     run pass; it is told in the run's terms, the step taken against the
//     step the natural order would have taken;
//   - slices the event log to the causal past of the failure: the events it
//     depends on through messages and their handling, back to the start,
//     drawn as a lane diagram.

// outcome is what one rerun of a scenario gave.
type outcome struct {
	failed    bool
	invalid   bool // the schedule does not fit the run (a choice that does not exist)
	decisions []noex.Decision
	events    []noex.Event
}

// rerunFunc runs the scenario again under schedule.
type rerunFunc func(schedule string) outcome

// explanation is what explain found.
type explanation struct {
	original  string
	shrunk    string
	runs      int
	flips     []flip
	slice     []noex.Event
	total     int
	partial   string // why the shrinking stopped early, if it did
	natural   bool   // the run fails in the natural order: no order decides it
	sliceOnly bool   // nothing was rerun
}

// flip is one departure from the natural order that the failure needs.
type flip struct {
	n       uint64
	taken   noex.Step
	natural noex.Step
}

// explainTime bounds the reruns of one explanation; explainRunsChild and
// explainRunsInProcess bound their number, in child processes or in this
// one.
const (
	explainTime          = 4 * time.Second
	explainRunsChild     = 60
	explainRunsInProcess = 2000
)

// explain explains the failing run whose schedule and log are given,
// rerunning the scenario at most maxRuns times.
func explain(schedule string, log []noex.Event, rerun rerunFunc, maxRuns int) explanation {
	x := explanation{original: schedule, total: len(log)}
	start := time.Now()
	try := func(s string) (outcome, bool) {
		if x.runs >= maxRuns || time.Since(start) > explainTime {
			return outcome{}, false
		}
		x.runs++
		return rerun(s), true
	}
	fails := func(c []string) bool {
		o, ok := try(strings.Join(c, ","))
		return ok && o.failed && !o.invalid
	}
	pairs := parsePairs(schedule)
	// First keep only the departures that involve a process of the
	// failure's causal past: the rest is usually noise.
	if first, ok := try(schedule); ok && first.failed && len(pairs) > 1 {
		past := map[string]bool{}
		for _, e := range causalPast(orLog(first.events, log)) {
			past[e.Label] = true
		}
		var rel []string
		for _, p := range pairs {
			if d, c, ok := decisionOf(first.decisions, p); ok && (past[d.Steps[c].Label] || past[d.Steps[0].Label]) {
				rel = append(rel, p)
			}
		}
		if len(rel) < len(pairs) && fails(rel) {
			pairs = rel
		}
	}
	pairs = ddmin(pairs, fails)
	if x.runs >= maxRuns || time.Since(start) > explainTime {
		x.partial = fmt.Sprintf("shrinking stopped after %d reruns", x.runs)
	}
	x.shrunk = strings.Join(pairs, ",")
	final := rerun(x.shrunk)
	x.runs++
	if !final.failed {
		// The failure did not come back: explain the run as it was.
		x.shrunk = schedule
		x.slice = causalPast(log)
		return x
	}
	x.natural = len(pairs) == 0
	for _, p := range pairs {
		if d, c, ok := decisionOf(final.decisions, p); ok {
			x.flips = append(x.flips, flip{n: d.N, taken: d.Steps[c], natural: d.Steps[0]})
		}
	}
	log = orLog(final.events, log) // the shrunk run's, when the rerun kept them
	x.slice, x.total = causalPast(log), len(log)
	return x
}

// decisionOf finds the decision a "decision:choice" pair names.
func decisionOf(decs []noex.Decision, pair string) (noex.Decision, int, bool) {
	n, c := splitPair(pair)
	for _, d := range decs {
		if d.N == n && c < len(d.Steps) {
			return d, c, true
		}
	}
	return noex.Decision{}, 0, false
}

func orLog(events, log []noex.Event) []noex.Event {
	if len(events) > 0 {
		return events
	}
	return log
}

// ddmin is Zeller's delta debugging: the smallest sublist of pairs (as far
// as removing chunks, then single pairs, can tell) for which fails holds.
func ddmin(pairs []string, fails func([]string) bool) []string {
	n := 2
	for len(pairs) > 0 {
		chunk := (len(pairs) + n - 1) / n
		reduced := false
		for i := 0; i < len(pairs); i += chunk {
			rest := slices.Concat(pairs[:i], pairs[min(i+chunk, len(pairs)):])
			if fails(rest) {
				pairs, n, reduced = rest, max(n-1, 2), true
				break
			}
		}
		if !reduced {
			if chunk == 1 {
				return pairs
			}
			n = min(n*2, len(pairs))
		}
	}
	return pairs
}

func parsePairs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func splitPair(p string) (uint64, int) {
	a, b, _ := strings.Cut(p, ":")
	n, _ := strconv.ParseUint(a, 10, 64)
	c, _ := strconv.Atoi(b)
	return n, c
}

// causalPast returns the events that the last failure of log depends on
// (its first failure event if there is one, else the run's last event):
// the event itself, its causal parent, and for every handling in the past,
// the messages its process handled before (they made its state), with
// their own past, back to the start.
func causalPast(log []noex.Event) []noex.Event {
	if len(log) == 0 {
		return nil
	}
	root := len(log) - 1
	for i, e := range log {
		if isFailureEvent(e) {
			root = i
			break
		}
	}
	at := make(map[uint64]int, len(log))
	receipts := map[uint64][]int{} // per process, the indices of what it handled
	for i, e := range log {
		at[e.Seq] = i
		if e.Kind == noex.MessageReceived || e.Kind == noex.ProcessStarted {
			id := e.PID.ID()
			receipts[id] = append(receipts[id], i)
		}
	}
	in := make([]bool, len(log))
	covered := map[uint64]int{} // per process: its receipts before this index are in
	var todo []int
	add := func(i int) {
		if i >= 0 && !in[i] {
			in[i] = true
			todo = append(todo, i)
		}
	}
	add(root)
	for len(todo) > 0 {
		i := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		e := log[i]
		if p, ok := at[e.Parent]; ok && e.Parent != 0 {
			add(p)
		}
		// The state of e's process came from what it handled before.
		id := e.PID.ID()
		if i <= covered[id] {
			continue
		}
		for _, j := range receipts[id] {
			if j >= i {
				break
			}
			add(j)
		}
		covered[id] = i
	}
	var out []noex.Event
	for i, e := range log {
		if in[i] {
			out = append(out, e)
		}
	}
	return out
}

func isFailureEvent(e noex.Event) bool {
	switch e.Kind {
	case noex.ProcessCrashed, noex.InitFailed, noex.CallFailed:
		return true
	case noex.MessageHandled:
		return e.Err != nil && e.MsgKind != noex.KindCall
	}
	return false
}

// String renders the explanation for a failure message; replay is the
// command line that runs a schedule, with %s where the schedule goes.
func (x explanation) render(replay string) string {
	var b strings.Builder
	if !x.sliceOnly {
		b.WriteString("[noex] why it fails:\n")
	}
	switch {
	case x.sliceOnly:
	case x.natural:
		fmt.Fprintf(&b, "  it fails in the natural order too (messages in the order sent, timers in the order set):\n"+
			"  no ordering decides it; the bug does not need a race.\n")
	case x.shrunk != x.original || x.partial == "":
		fmt.Fprintf(&b, "  shrunk to %d departure(s) from the natural order (the failing run had %d): schedule %q\n",
			len(parsePairs(x.shrunk)), len(parsePairs(x.original)), x.shrunk)
	}
	if replay != "" && !x.natural {
		fmt.Fprintf(&b, "    %s\n", fmt.Sprintf(replay, x.shrunk))
	}
	const maxFlips = 3 // the ones closest to the failure
	flips := x.flips
	if len(flips) > maxFlips {
		fmt.Fprintf(&b, "  (%d departures left; the last %d:)\n", len(flips), maxFlips)
		flips = flips[len(flips)-maxFlips:]
	}
	for i, f := range flips {
		lead := "  it fails when "
		if i > 0 {
			lead = "  and when "
		}
		fmt.Fprintf(&b, "%s%s (decision %d); with the other order first it passes\n", lead, f.phrase(), f.n)
	}
	if x.partial != "" {
		fmt.Fprintf(&b, "  (explanation %s)\n", x.partial)
	}
	if len(x.slice) > 0 {
		fmt.Fprintf(&b, "[noex] causal slice of the failure (%d of %d events; -noex.log prints them all):\n", len(x.slice), x.total)
		if d := lanes(x.slice); d != "" {
			for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func lanes(log []noex.Event) (d string) {
	defer func() {
		if recover() != nil {
			d = ""
		}
	}()
	return diagram.Lanes(log)
}

// phrase says what the departure did, in the run's terms: the step taken
// before the one the natural order would have taken.
func (f flip) phrase() string {
	t, n := f.taken, f.natural
	if t.Kind == noex.StepDeliver && n.Kind == noex.StepDeliver && t.Label == n.Label {
		return fmt.Sprintf("%s handles %s's %s before %s's %s", t.Label, t.FromLabel, msgOf(t), n.FromLabel, msgOf(n))
	}
	return fmt.Sprintf("%s comes before %s", stepPhrase(t), stepPhrase(n))
}

func stepPhrase(s noex.Step) string {
	switch s.Kind {
	case noex.StepDeliver:
		return fmt.Sprintf("%s handling %s's %s", s.Label, s.FromLabel, msgOf(s))
	case noex.StepResume:
		return fmt.Sprintf("%s going on after its %s", s.Label, s.What)
	case noex.StepWakeup:
		return fmt.Sprintf("%s seeing its %s", s.Label, s.What)
	case noex.StepTimer:
		return fmt.Sprintf("%s's %s timer", s.Label, s.What)
	}
	return s.String()
}

func msgOf(s noex.Step) string {
	m, ok := s.Msg.(rawMsg)
	if !ok {
		m = rawMsg(noex.FormatMessage(s.Msg))
	}
	if s.MsgKind == noex.KindNone {
		return string(m)
	}
	return s.MsgKind.String() + " " + string(m)
}

// Explaining the failure of an ordinary kit test (New, Seeds): the test is
// rerun in a child process, the same test binary running only this test
// under a candidate schedule, and tells its parent whether it failed and
// what its decisions were.

// explainFlag is -noex.explain.
var explainFlag = flag.Bool("noex.explain", true,
	"noex: explain a failing deterministic test: shrink its schedule, name the deciding order (reruns the test), slice its log")

// explained counts the failures explained in this process; maxExplained
// bounds them, since each costs reruns.
var explained atomic.Int32

const maxExplained = 3

func (rt *Runtime) explainFailure() {
	rt.t.Helper()
	if !rt.Deterministic() || !*explainFlag || rt.invalidSchedule {
		return
	}
	if rt.cfg.chooser != nil {
		// Choices from a Chooser (rapid, which shrinks the run itself):
		// the causal slice only.
		log := rt.rec.Raw()
		rt.t.Logf("%s", explanation{slice: causalPast(log), total: len(log), sliceOnly: true}.render(""))
		return
	}
	if _, real := rt.t.(testing.TB); !real || flag.Lookup("test.run") == nil {
		return // the kit's own fakes: there is no test to rerun
	}
	if explained.Add(1) > maxExplained {
		rt.t.Logf("[noex] (no explanation: %d failures were explained already in this run; run this test alone for its own)", maxExplained)
		return
	}
	replay := fmt.Sprintf("go test %s -run '%s' -noex.seed=%d -noex.schedule=%%s", pkgArg(), runPattern(rt.t.Name()), rt.Seed())
	x := explain(rt.Schedule(), rt.rec.Raw(), func(schedule string) outcome { return rerunChild(rt.t.Name(), rt.Seed(), schedule) }, explainRunsChild)
	rt.t.Logf("%s", x.render(replay))
}

// rerunChild runs test name alone in a child process under schedule.
func rerunChild(name string, seed uint64, schedule string) outcome {
	f, err := os.CreateTemp("", "noex-explain-*.jsonl")
	if err != nil {
		return outcome{invalid: true}
	}
	path := f.Name()
	f.Close()
	defer os.Remove(path)
	cmd := exec.Command(os.Args[0], "-test.run="+runPattern(name), "-test.count=1",
		"-noex.seed="+strconv.FormatUint(seed, 10), "-noex.schedule="+orNatural(schedule))
	cmd.Env = append(os.Environ(), "NOEX_EXPLAIN_CHILD=1", "NOEX_EXPLAIN_OUT="+path)
	runErr := cmd.Run()
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return outcome{invalid: true} // the child ran no runtime: the test did not replay
	}
	var o outcome
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c childOutcome
		if json.Unmarshal([]byte(line), &c) != nil {
			return outcome{invalid: true}
		}
		o = c.outcome()
		if o.failed {
			break
		}
	}
	var exit *exec.ExitError
	o.failed = o.failed || errors.As(runErr, &exit)
	return o
}

// orNatural is the value of -noex.schedule for a schedule: the empty
// schedule (the natural order) is written ":" so that the flag is set.
func orNatural(s string) string {
	if s == "" {
		return naturalSchedule
	}
	return s
}

// naturalSchedule is -noex.schedule's spelling of the natural order.
const naturalSchedule = "-"

// childOutcome is what a child tells its parent about one runtime.
type childOutcome struct {
	Failed    bool
	Invalid   bool
	Decisions []childDecision
}

type childDecision struct {
	N      uint64
	Chosen int
	Steps  []childStep
}

type childStep struct {
	Kind                  noex.StepKind
	Label, FromLabel, Msg string
	MsgKind               noex.MsgKind
	What                  string
	Ref                   uint64
}

func (c childOutcome) outcome() outcome {
	o := outcome{failed: c.Failed, invalid: c.Invalid}
	for _, d := range c.Decisions {
		nd := noex.Decision{N: d.N, Chosen: d.Chosen}
		for _, s := range d.Steps {
			nd.Steps = append(nd.Steps, noex.Step{Kind: s.Kind, Label: s.Label, FromLabel: s.FromLabel,
				Msg: rawMsg(s.Msg), MsgKind: s.MsgKind, What: s.What, Ref: s.Ref})
		}
		o.decisions = append(o.decisions, nd)
	}
	return o
}

// rawMsg is a message already formatted by a child.
type rawMsg string

// tellParent appends this runtime's outcome to the parent's file.
func (rt *Runtime) tellParent(failed bool) {
	path := os.Getenv("NOEX_EXPLAIN_OUT")
	if path == "" || !rt.Deterministic() {
		return
	}
	c := childOutcome{Failed: failed, Invalid: rt.invalidSchedule}
	for _, d := range rt.decisions {
		cd := childDecision{N: d.N, Chosen: d.Chosen}
		for _, s := range d.Steps {
			cd.Steps = append(cd.Steps, childStep{Kind: s.Kind, Label: s.Label, FromLabel: s.FromLabel,
				Msg: noex.FormatMessage(s.Msg), MsgKind: s.MsgKind, What: s.What, Ref: s.Ref})
		}
		c.Decisions = append(c.Decisions, cd)
	}
	line, err := json.Marshal(c)
	if err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	f.Write(append(line, '\n'))
}
