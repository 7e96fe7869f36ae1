package step

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/noex-go/noex/noex"
)

// Scenario is what a session steps through: it starts processes on rt, a
// fresh deterministic runtime built by the session, and drives them with
// [noex.Runtime.Run] (once or several times), writing its output to out.
// It returns the run's error, if any; it does not shut rt down (the
// session does). A session runs the scenario again for every undo, on a
// new runtime, so it must build everything it uses inside rt and keep no
// state from one call to the next.
type Scenario func(ctx context.Context, rt *noex.Runtime, out io.Writer) error

// Goal is what a challenge asks of a run, such as "make the counter read 2
// with two clients".
type Goal struct {
	// Text says what to achieve, in the program's terms.
	Text string
	// Reached reports whether a run reaches the goal. A session calls it at
	// every decision with the run so far (p.Done false) and once when the
	// run has ended (p.Done true); the goal is reached if any call returns
	// true. A goal on the order of events should hold for every longer run
	// once it holds, so that a replay, checked once at its end, agrees.
	Reached func(p Progress) bool
}

// Progress is a run as far as it went, as a [Goal] sees it.
type Progress struct {
	Events []noex.Event // the events so far (at the end, those of the scenario, not of the shutdown)
	Output string       // what the scenario wrote so far
	Done   bool         // the scenario has returned
	Err    error        // its error, once Done
}

// Lines returns the output split into lines, without the final newline.
func (p Progress) Lines() []string {
	s := strings.TrimSuffix(p.Output, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Schedule returns the schedule string of choices, the index taken at each
// decision from decision 0 on: the "decision:choice" pairs of the choices
// that are not 0, as [noex.Runtime.Schedule] writes them and
// [noex.WithSchedule] replays them.
func Schedule(choices []int) string {
	var b strings.Builder
	for d, c := range choices {
		if c == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(d))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c))
	}
	return b.String()
}
