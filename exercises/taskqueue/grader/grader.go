package grader

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	// The kit registers -noex.seed, which the grader reads.
	"github.com/noex-go/noex/noex"
	_ "github.com/noex-go/noex/noextest"
)

// System is a running task queue as the grader drives it: the methods of
// the exercise's System, with task ids as plain strings. Each method is
// called from the process running ctx (Run's body).
type System interface {
	// Enqueue queues a task with payload and returns its id.
	Enqueue(ctx context.Context, payload string) (taskID string, err error)
	// Completions returns the completions the monitor has recorded.
	Completions(ctx context.Context) ([]Completion, error)
	// Shutdown stops the whole system.
	Shutdown(ctx context.Context) error
}

// Completion is one completion as the monitor records it.
type Completion struct {
	TaskID string
	Worker string // the registered name of the worker that ran the task
}

// Impl is an implementation of the exercise to grade.
type Impl struct {
	// Start starts the system, from the process running ctx (Run's body).
	Start func(ctx context.Context) (System, error)
	// ErrNotImplemented is the sentinel the implementation's TODO bodies
	// return. While any run sees an error wrapping it, the part it appears
	// in counts as not solved yet. Nil for an implementation without TODOs.
	ErrNotImplemented error
	// Strict makes every part count as attempted: failures always fail,
	// "not solved yet" is never accepted. The reference solution sets it.
	Strict bool
	// Dir is the directory of the implementation's source, for the static
	// analyzer; "" analyses nothing. A test sets it to ".", its package's
	// directory.
	Dir string
}

// Defaults of [Config].
const (
	DefaultSeeds    = 200 // deterministic runs per part
	DefaultRealRuns = 3   // real-mode runs per part
	DefaultTasks    = 12  // tasks enqueued per run
)

// Config says how much grading to do. The zero Config grades with the
// defaults, from seed 0.
type Config struct {
	// Seeds is the number of deterministic runs per part, under the seeds
	// BaseSeed, BaseSeed+1, ... (default DefaultSeeds).
	Seeds int
	// BaseSeed is the first seed.
	BaseSeed uint64
	// Only grades under BaseSeed alone, with no real-mode runs, and keeps
	// the event log of every failing run for the report.
	Only bool
	// RealRuns is the number of real-mode runs per part (default
	// DefaultRealRuns); a negative number means none.
	RealRuns int
	// Tasks is the number of tasks enqueued per run (default DefaultTasks;
	// at least Workers).
	Tasks int
	// Strict grades parts that are not solved yet in full (see Impl.Strict).
	Strict bool
	// Strategy is the exploration strategy of the deterministic runs (see
	// noex.WithStrategy), resolved seed by seed: "" means "portfolio",
	// which rotates random choice, PCT and POS from seed to seed. Like the
	// other fields, an invalid value takes the default: Grade refuses one
	// given by -noex.strategy or NOEX_STRATEGY before it gets here.
	Strategy string
	// Parallel is the number of runs graded at once (default GOMAXPROCS).
	Parallel int
	// TestName is the name of the test, for reproduction lines.
	TestName string
	// JSON is the file Grade writes the results to, in the shape of
	// Exercism's results.json (see [Report.Exercism]); "" writes none.
	JSON string
	// Hint asks Grade for a hint on the report's first mistake: the first
	// Hint rungs of its ladder, or with HintNext, one rung more than the
	// last time (remembered in HintFile). 0 gives no hint.
	Hint int
	// HintFile is where the hint ladders' positions are kept (default: the
	// file NOEX_GRADE_HINTS names, else one in the user's cache directory).
	HintFile string
	// Vet says when the static analyzer runs on Impl.Dir (default VetAuto:
	// when a requirement it may explain fails; it takes a few seconds).
	Vet VetMode
}

// HintNext is the [Config].Hint that asks for one rung more than last time.
const HintNext = -1

var (
	strictFlag = flag.Bool("grade.strict", false,
		"grader: grade parts that are not solved yet and fail on every failure (also NOEX_GRADE=strict)")
	seedsFlag = flag.Int("grade.seeds", 0, "grader: number of seeds per part (default 200)")
	vetFlag   = flag.String("grade.vet", "auto",
		"grader: when to analyse the source with noexvet, which takes a few seconds: auto (when a requirement it may explain fails), always or never")
	jsonFlag = flag.String("grade.json", "",
		"grader: also write the results to this file, as Exercism's results.json (also NOEX_GRADE_JSON)")
	hintFlag = &hintValue{}
)

func init() {
	flag.Var(hintFlag, "grade.hint",
		"grader: show a hint on the first mistake; each -grade.hint shows one more step, -grade.hint=N shows N steps")
}

// Grade grades impl as a test: it runs the system under [DefaultSeeds]
// seeds and in real mode, then reports each requirement as a subtest of
// "part 1" and "part 2", named in plain words: the mistakes first, then
// the failures that follow from them (each says which), then the
// requirements met. A failing requirement says what was observed, what was
// run, and how to replay it; each part ends with its verdict, "part 1:
// solved" or "part 1: 10 of 13 requirements met".
//
// A part that is not solved yet (a TODO body still runs; for part 2, also
// when the producer monitors no worker) is reported with t.Log, listing the
// requirements that fail, without failing the test, unless impl.Strict,
// -grade.strict or NOEX_GRADE=strict is set.
//
// The seed comes from -noex.seed or NOEX_SEED, which grade under that one
// seed and print the event log of every failing run; otherwise the base
// seed is random and printed. -grade.json=FILE (or NOEX_GRADE_JSON) also
// writes the results as Exercism's results.json; -grade.hint shows a hint
// on the first mistake, one step more each time.
func Grade(t *testing.T, impl Impl) {
	t.Helper()
	cfg, err := flagConfig(t.Name(), kitFlag("noex.seed"), kitFlag("noex.strategy"), *strictFlag, *seedsFlag, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.JSON, cfg.Hint = *jsonFlag, hintFlag.level
	switch *vetFlag {
	case "auto":
	case "always":
		cfg.Vet = VetAlways
	case "never":
		cfg.Vet = VetNever
	default:
		t.Fatalf("grader: invalid -grade.vet %q: want auto, always or never", *vetFlag)
	}
	if cfg.JSON == "" {
		cfg.JSON = os.Getenv("NOEX_GRADE_JSON")
	}
	rep := Run(impl, cfg)
	t.Log(rep.Summary())
	for _, part := range rep.Parts {
		t.Run(fmt.Sprintf("part %d", part.Part), func(t *testing.T) {
			if !part.Graded {
				t.Log(part.NotSolvedText(rep.cfg))
				return
			}
			for _, res := range part.Ordered() {
				t.Run(res.Requirement, func(t *testing.T) {
					if !res.Passed() {
						t.Error(res.FailureText(rep.cfg))
					}
				})
			}
			t.Log(part.Verdict())
		})
	}
	if text, err := rep.hint(cfg, os.LookupEnv); err != nil {
		t.Log(err)
	} else if text != "" {
		t.Log(text)
	}
	if cfg.JSON != "" {
		if err := writeJSONFile(rep, cfg.JSON); err != nil {
			t.Error(err)
		}
	}
}

// writeJSONFile writes the report's results.json to path.
func writeJSONFile(rep *Report, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("grader: %w", err)
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("grader: %w", err)
	}
	return nil
}

// hint returns the hint cfg asks for on the report's first mistake, and
// moves that mistake's ladder up.
func (r *Report) hint(cfg Config, lookup func(string) (string, bool)) (string, error) {
	req := r.FirstMistake()
	if cfg.Hint == 0 || req == "" {
		return "", nil
	}
	path := cfg.HintFile
	if path == "" {
		path = defaultHintFile(lookup)
	}
	ladder, level := hintLadder{path: path}, cfg.Hint
	var err error
	switch {
	case path == "" && level == HintNext:
		level = 1
	case level == HintNext:
		level, err = ladder.next(req)
	case path != "":
		err = ladder.set(req, min(level, HintLevels))
	}
	text := HintText(req, level)
	if level < HintLevels {
		text += "\nRun the grader again with -grade.hint for the next step."
	}
	return text, err
}

// hintValue is the -grade.hint flag: alone it asks for the next step of
// the ladder, with a number for that many steps.
type hintValue struct{ level int }

func (h *hintValue) IsBoolFlag() bool { return true }

func (h *hintValue) String() string {
	if h == nil || h.level == 0 {
		return "false"
	}
	if h.level == HintNext {
		return "true"
	}
	return strconv.Itoa(h.level)
}

func (h *hintValue) Set(s string) error {
	switch s {
	case "true":
		h.level = HintNext
		return nil
	case "false":
		h.level = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a number of steps, 1 to %d", HintLevels)
	}
	h.level = n
	return nil
}

// flagConfig builds the Config of Grade from the command line: the values
// of -noex.seed and -noex.strategy (registered by noextest; "" if unset),
// -grade.strict and -grade.seeds, and the environment (lookup is
// os.LookupEnv).
func flagConfig(test, seedFlag, strategyFlag string, strict bool, seeds int, lookup func(string) (string, bool)) (Config, error) {
	cfg := Config{TestName: test, Seeds: seeds}
	if v, _ := lookup("NOEX_GRADE"); v == "strict" || strict {
		cfg.Strict = true
	}
	what, spec := "-noex.strategy", strategyFlag
	if spec == "" {
		what, spec = "NOEX_STRATEGY", ""
		if e, ok := lookup("NOEX_STRATEGY"); ok {
			spec = strings.TrimSpace(e)
		}
	}
	if spec != "" {
		if _, err := noex.ResolveStrategy(spec, 0, 0); err != nil {
			return cfg, fmt.Errorf("grader: invalid %s: %w", what, err)
		}
		cfg.Strategy = spec
	}
	what, v := "-noex.seed", seedFlag
	if v == "" {
		what, v = "NOEX_SEED", ""
		if e, ok := lookup("NOEX_SEED"); ok {
			v = e
		}
	}
	if v = strings.TrimSpace(v); v == "" {
		cfg.BaseSeed = rand.Uint64N(1 << 32)
		return cfg, nil
	}
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return cfg, fmt.Errorf("grader: invalid %s %q: want an unsigned integer", what, v)
	}
	cfg.BaseSeed, cfg.Only = n, true
	return cfg, nil
}

// kitFlag returns the value of one of noextest's flags, "" if unset.
func kitFlag(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}
