package step_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/step"
)

// session runs twoWriters with the answers of script and returns the
// result, the error and the transcript.
func session(t *testing.T, script string, opts ...step.Option) (step.Result, string, error) {
	t.Helper()
	var out strings.Builder
	opts = append([]step.Option{step.WithInput(strings.NewReader(script)), step.WithOutput(&out), step.WithEcho()}, opts...)
	res, err := step.Run(context.Background(), twoWriters, opts...)
	return res, out.String(), err
}

// replay runs twoWriters with a schedule and returns its event log and
// output.
func replay(t *testing.T, seed uint64, schedule string) (log []string, output string) {
	t.Helper()
	var out strings.Builder
	rt := noex.NewRuntime(noex.WithSeed(seed), noex.WithSchedule(schedule),
		noex.WithObserver(func(e noex.Event) { log = append(log, e.String()) }))
	ctx := context.Background()
	if err := twoWriters(ctx, rt, &out); err != nil {
		t.Fatal(err)
	}
	n := len(log)
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return log[:n], out.String()
}

func eventLog(evs []noex.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.String()
	}
	return out
}

// Answering n at every decision runs the natural order, as choice 0
// always does, and the schedule is "".
func TestNaturalOrder(t *testing.T) {
	res, _, err := session(t, strings.Repeat("n\n", 20))
	if err != nil {
		t.Fatal(err)
	}
	log, output := replay(t, 1, "")
	if diff := cmp.Diff(log, eventLog(res.Events)); diff != "" {
		t.Errorf("the events differ from the natural order's (-natural +session):\n%s", diff)
	}
	if res.Output != output || res.Schedule != "" || res.Quit || res.Asked != len(res.Choices) || len(res.Choices) == 0 {
		t.Errorf("result %+v; want the natural order's output %q, schedule \"\", every decision answered", res, output)
	}
	if len(res.Decisions) != len(res.Choices) {
		t.Errorf("%d decisions recorded for %d choices", len(res.Decisions), len(res.Choices))
	}
}

// The schedule of the choices replays the run, event for event.
func TestScheduleReplaysTheRun(t *testing.T) {
	res, transcript, err := session(t, "1\n1\n0\n1\n1\n1\n\n\n\n")
	if err != nil {
		t.Fatal(err)
	}
	if res.Schedule != step.Schedule(res.Choices) || res.Schedule == "" {
		t.Fatalf("schedule %q for choices %v", res.Schedule, res.Choices)
	}
	log, output := replay(t, 1, res.Schedule)
	if diff := cmp.Diff(log, eventLog(res.Events)); diff != "" {
		t.Errorf("the replay differs from the session (-replay +session):\n%s", diff)
	}
	if output != res.Output {
		t.Errorf("replay printed %q, the session %q", output, res.Output)
	}
	want := `Replay:   noex.WithSeed(1), noex.WithSchedule("` + res.Schedule + `")`
	if !strings.Contains(transcript, want) {
		t.Errorf("the transcript lacks %q:\n%s", want, transcript)
	}
}

// Undo goes back one answered decision: the run that follows is the one
// the remaining answers give without the undone one, and the output
// printed before the undone decision is not printed again.
func TestUndo(t *testing.T) {
	direct, _, err := session(t, "n\nn\n1\nn\nn\nn\n")
	if err != nil {
		t.Fatal(err)
	}
	res, transcript, err := session(t, "n\nn\n0\nn\nu\nu\n1\nn\nn\nn\n")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(eventLog(direct.Events), eventLog(res.Events)); diff != "" {
		t.Errorf("after two undos the run differs from the direct one (-direct +undone):\n%s", diff)
	}
	if res.Schedule != direct.Schedule || res.Undos != 2 || res.Output != direct.Output {
		t.Errorf("undone: schedule %q, %d undos, output %q; want %q, 2, %q", res.Schedule, res.Undos, res.Output, direct.Schedule, direct.Output)
	}
	if n := strings.Count(transcript, "↶ back to decision"); n != 2 {
		t.Errorf("%d undo messages, want 2:\n%s", n, transcript)
	}
	// "ann 1" was printed once before the undos, after decision 2, and once
	// after: the replay up to decision 2 printed nothing.
	if n := strings.Count(transcript, "│ ann 1\n"); n != 2 {
		t.Errorf("%q printed %d times, want 2 (before the undo and after it):\n%s", "ann 1", n, transcript)
	}
	if strings.Contains(transcript, "nothing to undo") {
		t.Errorf("an undo was refused:\n%s", transcript)
	}
}

// Undo at the first decision has nothing to undo; at the end of the run it
// undoes the last answer.
func TestUndoEdges(t *testing.T) {
	_, transcript, err := session(t, "u\nc\nu\n1\n\n\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(transcript, "nothing to undo: this is your first choice") {
		t.Errorf("undo at the first decision was not refused:\n%s", transcript)
	}
	// c at decision 0, then u at the end: back to decision 0.
	if !strings.Contains(transcript, "↶ back to decision 0") {
		t.Errorf("undo at the end did not go back to the c at decision 0:\n%s", transcript)
	}
}

// q and the end of the input quit cleanly, with the choices so far and
// the command that replays them; the run's goroutines end (goleak checks).
func TestQuit(t *testing.T) {
	for _, script := range []string{"1\n1\nq\n", "1\n1\n", "1\n1"} {
		res, transcript, err := session(t, script)
		if err != nil {
			t.Errorf("%q: %v", script, err)
		}
		if !res.Quit || !cmp.Equal(res.Choices, []int{1, 1}) || res.Schedule != "0:1,1:1" {
			t.Errorf("%q: quit %v, choices %v, schedule %q; want a quit after choices [1 1]", script, res.Quit, res.Choices, res.Schedule)
		}
		want := "Quit at decision 2. Your choices so far: schedule \"0:1,1:1\".\n" +
			"This replays them, then takes the natural order:\n  noex.WithSeed(1), noex.WithSchedule(\"0:1,1:1\")\n"
		if !strings.HasSuffix(transcript, want) {
			t.Errorf("%q: the transcript does not end with %q:\n%s", script, want, transcript)
		}
	}
}

// Bad answers get a one-line hint and the prompt again.
func TestBadInput(t *testing.T) {
	res, transcript, err := session(t, "x\n7\n-1\n01\n1\nq\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\"x\" is not an answer: type a step's number (0-1), or n r u d c q (? explains them)\n",
		"there is no step 7: the steps are numbered 0 to 1\n",
		"there is no step -1: the steps are numbered 0 to 1\n",
		"\"01\" is not an answer",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("no hint %q:\n%s", want, transcript)
		}
	}
	if !cmp.Equal(res.Choices, []int{1}) {
		t.Errorf("choices %v, want [1]: the bad answers took no step", res.Choices)
	}
	if n := strings.Count(transcript, "choose 0-1, or n r u d c q ?: "); n != 6 {
		t.Errorf("%d prompts for six answers:\n%s", n, transcript)
	}
}

// ? lists the answers; d draws the run so far and lists the steps again.
func TestHelpAndDiagram(t *testing.T) {
	_, transcript, err := session(t, "?\nn\nn\nd\nq\n", step.WithWidth(60))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  u     undo your last choice (the run is replayed from the start up to it)\n",
		"── the run so far ──\n  main ",
		"│──start───",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, transcript)
		}
	}
	if n := strings.Count(transcript, "decision 2 at t=0s"); n != 2 {
		t.Errorf("decision 2 shown %d times, want twice (before and after the diagram):\n%s", n, transcript)
	}
}

// r draws from the seed: the same seed gives the same choices.
func TestRandom(t *testing.T) {
	script := strings.Repeat("r\n", 10)
	a, _, _ := session(t, script, step.WithSeed(5))
	b, _, _ := session(t, script, step.WithSeed(5))
	if !cmp.Equal(a.Choices, b.Choices) || a.Asked != len(a.Choices) {
		t.Errorf("seed 5 twice: choices %v and %v", a.Choices, b.Choices)
	}
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		r, _, _ := session(t, script, step.WithSeed(seed))
		seen[r.Schedule] = true
	}
	if len(seen) < 2 {
		t.Error("r took the same steps under 20 seeds")
	}
}

// c takes the natural order to the end without asking again.
func TestContinue(t *testing.T) {
	res, transcript, err := session(t, "1\nc\n\n")
	if err != nil {
		t.Fatal(err)
	}
	if res.Asked != 2 || res.Choices[0] != 1 || res.Schedule != "0:1" {
		t.Errorf("asked %d, choices %v; want two answers, then the natural order", res.Asked, res.Choices)
	}
	if !strings.Contains(transcript, "The run has ended after") {
		t.Errorf("the run did not end:\n%s", transcript)
	}
}

// A goal is checked at every decision and at the end, and reported once.
func TestGoal(t *testing.T) {
	bobFirst := step.Goal{Text: "make bob print first", Reached: func(p step.Progress) bool {
		return strings.HasPrefix(p.Output, "bob")
	}}
	res, transcript, _ := session(t, "1\n1\n1\n1\nc\n\n", step.WithGoal(bobFirst))
	if !res.Reached {
		t.Fatalf("goal not reached with output %q:\n%s", res.Output, transcript)
	}
	if n := strings.Count(transcript, "★ Goal reached: make bob print first."); n != 2 {
		t.Errorf("the goal was announced %d times, want at the decision after it and at the end:\n%s", n, transcript)
	}
	res, transcript, _ = session(t, "c\n\n", step.WithGoal(bobFirst))
	if res.Reached || !strings.Contains(transcript, "✗ Goal not reached: make bob print first.") {
		t.Errorf("the natural order reached the goal:\n%s", transcript)
	}
	ended := step.Goal{Text: "end", Reached: func(p step.Progress) bool { return p.Done && p.Err == nil && strings.HasSuffix(p.Output, "4 lines\n") }}
	if res, _, _ := session(t, "c\n", step.WithGoal(ended)); !res.Reached {
		t.Error("a goal on the end of the run was not checked at the end")
	}
}

// A run without decisions asks nothing.
func TestNoDecision(t *testing.T) {
	alone := func(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
		return rt.Run(ctx, func(ctx context.Context) error {
			p, err := noex.Start(ctx, printer{out: out})
			if err != nil {
				return err
			}
			_, err = noex.Call(ctx, p, noex.None{})
			return err
		})
	}
	var out strings.Builder
	res, err := step.Run(context.Background(), alone, step.WithOutput(&out))
	if err != nil || res.Quit || len(res.Choices) != 0 {
		t.Errorf("result %+v, error %v; want a finished run without choices", res, err)
	}
	if !strings.Contains(out.String(), "there was nothing to choose") {
		t.Errorf("the transcript does not say there was nothing to choose:\n%s", out.String())
	}
}

// The run's error is returned; a nil scenario and an input that fails are
// errors of their own.
func TestErrors(t *testing.T) {
	boom := errors.New("boom")
	failing := func(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
		if err := twoWriters(ctx, rt, out); err != nil {
			return err
		}
		return boom
	}
	var out strings.Builder
	_, err := step.Run(context.Background(), failing, step.WithInput(strings.NewReader("c\n\n")), step.WithOutput(&out))
	if !errors.Is(err, boom) || !strings.Contains(out.String(), "The run ended with: boom") {
		t.Errorf("error %v, transcript:\n%s", err, out.String())
	}
	if _, err := step.Run(context.Background(), nil); !errors.Is(err, step.ErrNoScenario) {
		t.Errorf("a nil scenario gave %v", err)
	}
	broken := iotest.ErrReader(errors.New("disk on fire"))
	res, err := step.Run(context.Background(), twoWriters, step.WithInput(broken))
	if !errors.Is(err, step.ErrInput) || !strings.Contains(err.Error(), "disk on fire") || !res.Quit {
		t.Errorf("a failing input gave %v (quit %v), want ErrInput and a quit", err, res.Quit)
	}
}

// Long steps are shortened in the middle to the width.
func TestWidth(t *testing.T) {
	long := func(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
		return rt.Run(ctx, func(ctx context.Context) error {
			for _, name := range []string{"a", "b"} {
				p, err := noex.Start(ctx, printer{out: io.Discard}, noex.WithName(name))
				if err != nil {
					return err
				}
				if err := noex.Cast(ctx, p, strings.Repeat("x", 100)+" the end"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var out strings.Builder
	if _, err := step.Run(context.Background(), long, step.WithOutput(&out), step.WithWidth(50)); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "→ ") && (len([]rune(line)) > 50 || !strings.HasSuffix(line, "the end\"")) {
			t.Errorf("line %q is longer than 50 or lost its end", line)
		}
	}
}
