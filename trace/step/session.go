package step

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// Result is what a session did: the run it ended with and the choices that
// led to it.
type Result struct {
	// Choices are the indices taken at the decisions of the last run, from
	// decision 0: up to the quit if the person quit, else every decision of
	// the scenario (those of the runtime's shutdown, which always takes the
	// natural order, are not included).
	Choices []int
	// Schedule is Choices as a schedule string ([Schedule]): with the
	// session's seed, [noex.WithSchedule] replays the run.
	Schedule string
	// Events and Decisions are those of the last run, up to the quit or
	// to the end of the scenario (not those of the shutdown).
	Events    []noex.Event
	Decisions []noex.Decision
	// Output is what the scenario wrote in the last run.
	Output string
	// Asked counts the decisions of the last run at which the person
	// answered; the others were replayed or taken in the natural order
	// after c.
	Asked int
	// Undos counts the undos of the session.
	Undos int
	// Quit reports that the session ended before the run did: q, or the
	// end of the input.
	Quit bool
	// Reached reports that the last run reached the session's goal.
	Reached bool
}

// Errors of [Run].
var (
	ErrNoScenario = errors.New("step: no scenario to step through")
	ErrInput      = errors.New("step: reading the answers")
)

// Run steps through scenario with a person as the scheduler, as the
// package documentation describes: it builds a deterministic runtime,
// runs the scenario on it, asks at every decision which step to take, and
// runs the scenario again from the start for every undo. It returns when
// the run has ended and the person is done with it, or when the person
// quits or the input ends.
//
// The error is the run's: what the scenario returned, joined with the
// runtime's shutdown error; or, wrapping [ErrInput], a read error of the
// input other than [io.EOF] (the session then ends as if the person quit). A session that quit returns a nil error (the run did not end);
// [Result].Quit says so. The result is filled in either case.
//
// Run must be called from a goroutine that may block on the input: it
// reads it from the goroutine that runs the scheduler, while every process
// of the runtime waits.
func Run(ctx context.Context, scenario Scenario, opts ...Option) (Result, error) {
	if scenario == nil {
		return Result{}, ErrNoScenario
	}
	cfg := newConfig(opts)
	s := &session{cfg: cfg, in: bufio.NewReader(cfg.in), bol: true,
		rnd: rand.New(rand.NewPCG(cfg.seed, 0x73746570))}
	s.intro()
	var prefix []int
	undos := 0
	for {
		a := s.run(ctx, scenario, prefix, undos > 0)
		act := a.action
		if act == actNone {
			act = s.end(a)
		}
		switch act {
		case actUndo:
			prefix = s.undo(a)
			undos++
			continue
		case actQuit:
			s.quit(a)
		default:
			s.summary(a)
		}
		res := a.result(act == actQuit)
		res.Undos = undos
		if s.inErr != nil {
			return res, fmt.Errorf("%w: %w", ErrInput, s.inErr)
		}
		if act == actQuit {
			return res, nil
		}
		return res, a.err
	}
}

// action is what a person's answer asks of the session beyond a step.
type action uint8

const (
	actNone action = iota
	actUndo        // undo the last choice
	actQuit        // quit now
)

// session is one stepping session: the input, the output, and the
// decisions the person answered, which outlive each run.
type session struct {
	cfg   config
	in    *bufio.Reader
	rnd   *rand.Rand
	asked []int // the decisions the person answered in the current run, oldest first
	inErr error // a read error other than io.EOF

	mu  sync.Mutex // guards the output: the scenario may write from its processes
	bol bool       // the output is at the beginning of a line
}

// run runs the scenario once on a fresh runtime, taking prefix's choices
// first (after an undo, with the scenario's output held back until the
// decision after them).
func (s *session) run(ctx context.Context, scenario Scenario, prefix []int, replaying bool) *attempt {
	a := &attempt{s: s, prefix: prefix, quiet: replaying && len(prefix) > 0}
	opts := append([]noex.Option{noex.WithSeed(s.cfg.seed)}, s.cfg.rtOpts...)
	opts = append(opts, noex.WithChooser(a), noex.WithObserver(a.observe))
	rt := noex.NewRuntime(opts...)
	detach := rt.ObserveDecisions(a.decided)
	err := scenario(ctx, rt, output{a})
	a.mu.Lock()
	a.done = true
	a.mu.Unlock()
	serr := rt.Shutdown(ctx)
	detach()
	if a.action == actNone {
		a.err = errors.Join(err, serr)
		a.check(true)
	}
	return a
}

// undo starts the undo of a's last answered choice: it returns the choices
// to replay and says where the session goes back to.
func (s *session) undo(a *attempt) []int {
	back := s.asked[len(s.asked)-1]
	s.asked = s.asked[:len(s.asked)-1]
	s.printf("↶ back to decision %d: the run was replayed from the start up to here, without printing\n"+
		"  again what it printed; what it printed after decision %d did not happen.\n", back, back)
	return append([]int(nil), a.choices[:back]...)
}

// ---- what the session writes ----

func (s *session) intro() {
	what := "Step-through"
	if s.cfg.name != "" {
		what += " of " + s.cfg.name
	}
	s.printf("%s, seed %d: you are the scheduler.\n"+
		"Where two or more steps can run next, choose one by its number, or\n"+
		"n (the natural order: the oldest step; Enter too), r (random), u (undo),\n"+
		"d (diagram so far), c (natural order to the end), q (quit), ? (help).\n"+
		"Lines marked │ are the program's output.\n", what, s.cfg.seed)
	if g := s.cfg.goal; g != nil {
		s.printf("Goal: %s.\n", strings.TrimSuffix(g.Text, "."))
	}
}

// showDecision lists the steps of decision d.
func (s *session) showDecision(a *attempt, d int, steps []string) {
	s.printf("\ndecision %d at t=%v: %d steps can run next\n", d, a.now(), len(steps))
	for i, st := range steps {
		num := fmt.Sprintf("  %d  ", i)
		s.printf("%s%s\n", num, shorten(st, s.cfg.width-len(num)))
	}
}

func (s *session) help(n int) {
	s.printf("  0-%d   take that step\n"+
		"  n     the natural order: the oldest step, 0 (an empty line too)\n"+
		"  r     a random step\n"+
		"  u     undo your last choice (the run is replayed from the start up to it)\n"+
		"  d     the lane diagram of the run so far\n"+
		"  c     continue in the natural order to the end of the run\n"+
		"  q     quit: print your choices so far and the command that replays them\n", n-1)
}

func (s *session) diagram(a *attempt, title string) {
	evs := a.snapshot()
	if len(evs) == 0 {
		s.printf("(nothing has happened yet)\n")
		return
	}
	s.printf("── %s ──\n%s", title, diagram.Lanes(evs, diagram.WithWidth(s.cfg.width)))
}

// end tells how the run ended and offers a last prompt: undo or the
// diagram. It returns actUndo if the person undoes.
func (s *session) end(a *attempt) action {
	s.printf("\nThe run has ended after %d decisions (%d answered by you).\n", len(a.choices), len(s.asked))
	s.verdict(a)
	if len(s.asked) == 0 {
		if len(a.choices) == 0 {
			s.printf("Every step was the only one that could run: there was nothing to choose.\n")
		}
		return actNone
	}
	for {
		s.printf("u to undo your last choice, d for the diagram of the whole run, Enter to finish: ")
		line, ok := s.readLine()
		if !ok {
			return actNone
		}
		switch line {
		case "", "q", "n", "c":
			return actNone
		case "u":
			return actUndo
		case "d":
			s.diagram(a, "the whole run")
		default:
			s.printf("%q is not an answer here: u, d, or Enter\n", line)
		}
	}
}

// verdict says whether the goal was reached and how the run ended.
func (s *session) verdict(a *attempt) {
	failed := ""
	if a.err != nil {
		failed = "The run ended with: " + oneLine(a.err.Error())
	}
	switch g := s.cfg.goal; {
	case g != nil && a.reached:
		s.printf("★ Goal reached: %s.\n", strings.TrimSuffix(g.Text, "."))
	case g != nil:
		s.printf("✗ Goal not reached: %s.\n", strings.TrimSuffix(g.Text, "."))
	}
	if failed != "" {
		s.printf("%s\n", failed)
	}
}

func (s *session) summary(a *attempt) {
	sched := Schedule(a.choices)
	if sched == "" {
		s.printf("Schedule: \"\" (the natural order throughout)\n")
	} else {
		s.printf("Schedule: %q\n", sched)
	}
	s.printf("Replay:   %s\n", s.cfg.replay(sched))
}

func (s *session) quit(a *attempt) {
	sched := Schedule(a.choices)
	s.printf("\nQuit at decision %d. Your choices so far: schedule %q.\n", len(a.choices), sched)
	if a.reached {
		s.printf("★ They reach the goal: %s.\n", strings.TrimSuffix(s.cfg.goal.Text, "."))
	}
	s.printf("This replays them, then takes the natural order:\n  %s\n", s.cfg.replay(sched))
}

// printf writes session text, on a line of its own.
func (s *session) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.bol {
		io.WriteString(s.cfg.out, "\n")
	}
	msg := fmt.Sprintf(format, args...)
	io.WriteString(s.cfg.out, msg)
	s.bol = strings.HasSuffix(msg, "\n")
}

// program writes the scenario's output, each line marked "│ ".
func (s *session) program(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for len(p) > 0 {
		if s.bol {
			b.WriteString("│ ")
		}
		i := strings.IndexByte(string(p), '\n')
		if i < 0 {
			b.Write(p)
			s.bol = false
			break
		}
		b.Write(p[:i+1])
		p = p[i+1:]
		s.bol = true
	}
	io.WriteString(s.cfg.out, b.String())
}

// readLine reads one answer, trimmed. It reports false at the end of the
// input (or on a read error, kept in inErr).
func (s *session) readLine() (string, bool) {
	line, err := s.in.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		if err != io.EOF {
			s.inErr = err
		}
		s.printf("(end of input)\n")
		return "", false
	}
	line = strings.TrimSpace(line)
	s.mu.Lock()
	if s.cfg.echo {
		shown := line
		if shown == "" {
			shown = "(Enter)"
		}
		io.WriteString(s.cfg.out, shown+"\n")
	}
	s.bol = true // a terminal has echoed the Enter
	s.mu.Unlock()
	return line, true
}

// shorten cuts s to n runes, in the middle, so that the start (who and
// what) and the end (the last fields of the message) stay.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 5 {
		return s
	}
	head := (n - 1) * 2 / 3
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ---- one run ----

// attempt is one run of the scenario: the session's chooser and observer
// for its runtime.
type attempt struct {
	s       *session
	prefix  []int // choices to take again, from decision 0
	choices []int // the choices taken, from decision 0
	n       int   // decisions seen, the shutdown's included
	cont    bool  // take the natural order to the end
	action  action
	reached bool
	err     error

	mu        sync.Mutex // guards what the runtime's goroutines write
	quiet     bool       // hold the scenario's output back
	done      bool       // the scenario has returned
	events    []noex.Event
	decisions []noex.Decision
	out       strings.Builder
}

var _ noex.StepChooser = (*attempt)(nil)

// Choose is never called: the runtime calls ChooseStep.
func (a *attempt) Choose(int) int { return 0 }

// ChooseStep answers a decision: from the prefix, in the natural order
// once the scenario has returned or after c, else from the person.
func (a *attempt) ChooseStep(steps noex.Steps) int {
	d := a.n
	a.n++
	a.mu.Lock()
	done := a.done
	if !done && d >= len(a.prefix) {
		a.quiet = false
	}
	a.mu.Unlock()
	switch {
	case a.action != actNone:
		return -1
	case done:
		return 0
	case d < len(a.prefix):
		a.choices = append(a.choices, a.prefix[d])
		return a.prefix[d]
	}
	a.check(false)
	if a.cont {
		a.choices = append(a.choices, 0)
		return 0
	}
	c := a.s.ask(a, d, steps)
	if c >= 0 {
		a.choices = append(a.choices, c)
	}
	return c
}

// ask shows decision d and reads answers until one takes a step (its
// index) or stops the run (-1, with a.action set).
func (s *session) ask(a *attempt, d int, steps noex.Steps) int {
	n := steps.Len()
	descs := make([]string, n)
	for i := range n {
		descs[i] = steps.At(i).String()
	}
	s.showDecision(a, d, descs)
	take := func(i int) int {
		s.asked = append(s.asked, d)
		s.printf("→ %s\n", shorten(descs[i], s.cfg.width-2))
		return i
	}
	for {
		s.printf("choose 0-%d, or n r u d c q ?: ", n-1)
		line, ok := s.readLine()
		if !ok {
			a.action = actQuit
			return -1
		}
		switch line {
		case "", "n":
			return take(0)
		case "r":
			return take(s.rnd.IntN(n))
		case "c":
			a.cont = true
			s.printf("(the natural order from here to the end)\n")
			return take(0)
		case "u":
			if len(s.asked) == 0 {
				s.printf("nothing to undo: this is your first choice\n")
				continue
			}
			a.action = actUndo
			return -1
		case "d":
			s.diagram(a, "the run so far")
			s.showDecision(a, d, descs)
			continue
		case "q":
			a.action = actQuit
			return -1
		case "?", "h", "help":
			s.help(n)
			continue
		}
		var i int
		if _, err := fmt.Sscan(line, &i); err == nil && fmt.Sprint(i) == line {
			if i >= 0 && i < n {
				return take(i)
			}
			s.printf("there is no step %d: the steps are numbered 0 to %d\n", i, n-1)
			continue
		}
		s.printf("%q is not an answer: type a step's number (0-%d), or n r u d c q (? explains them)\n", line, n-1)
	}
}

// check checks the goal on the run so far (or, with done, on the whole
// run) and says so the first time it is reached.
func (a *attempt) check(done bool) {
	g := a.s.cfg.goal
	if g == nil || a.reached {
		return
	}
	a.mu.Lock()
	p := Progress{Events: append([]noex.Event(nil), a.events...), Output: a.out.String(), Done: done}
	a.mu.Unlock()
	if done {
		p.Err = a.err
	}
	if g.Reached(p) {
		a.reached = true
		if !done {
			a.s.printf("★ Goal reached: %s.\n  (c lets the run finish in the natural order.)\n", strings.TrimSuffix(g.Text, "."))
		}
	}
}

func (a *attempt) observe(e noex.Event) {
	a.mu.Lock()
	if !a.done {
		a.events = append(a.events, e)
	}
	a.mu.Unlock()
}

func (a *attempt) decided(d noex.Decision) {
	a.mu.Lock()
	if !a.done {
		a.decisions = append(a.decisions, d)
	}
	a.mu.Unlock()
}

func (a *attempt) snapshot() []noex.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]noex.Event(nil), a.events...)
}

// now is the virtual time of the run so far.
func (a *attempt) now() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.events) == 0 {
		return 0
	}
	return a.events[len(a.events)-1].Time.Sub(noex.Epoch)
}

func (a *attempt) result(quit bool) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	return Result{
		Choices:   append([]int(nil), a.choices...),
		Schedule:  Schedule(a.choices),
		Events:    append([]noex.Event(nil), a.events...),
		Decisions: append([]noex.Decision(nil), a.decisions...),
		Output:    a.out.String(),
		Asked:     len(a.s.asked),
		Quit:      quit,
		Reached:   a.reached,
	}
}

// output is the writer the scenario prints to.
type output struct{ a *attempt }

func (o output) Write(p []byte) (int, error) {
	o.a.mu.Lock()
	o.a.out.Write(p)
	quiet := o.a.quiet
	o.a.mu.Unlock()
	if !quiet {
		o.a.s.program(p)
	}
	return len(p), nil
}
