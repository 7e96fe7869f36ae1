package grader

import (
	"slices"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

type (
	taskID string
	inner  struct {
		id   taskID // unexported: still searched
		Tags []string
	}
	outer struct {
		Task *inner
		Meta map[string]int
		Any  any
		PID  noex.PID // the runtime's own values are skipped
	}
)

func TestStringsIn(t *testing.T) {
	tests := []struct {
		reason string
		msg    any
		want   []string
	}{
		{"a plain string", "task-1", []string{"task-1"}},
		{"nil", nil, nil},
		{"no strings", 42, nil},
		{"a named string type", taskID("t"), []string{"t"}},
		{"unexported fields, pointers, slices, interfaces and map keys", outer{
			Task: &inner{id: "t1", Tags: []string{"a", "b"}}, Meta: map[string]int{"k": 1}, Any: taskID("t2")},
			[]string{"t1", "a", "b", "k", "t2"}},
		{"a publication's message is searched, its noex internals are not",
			noex.Publication{Topic: "task.completed", Msg: inner{id: "t3"}}, []string{"task.completed", "t3"}},
	}
	for _, tt := range tests {
		if got := stringsIn(tt.msg); !slices.Equal(got, tt.want) {
			t.Errorf("%s: stringsIn(%#v) = %q, want %q", tt.reason, tt.msg, got, tt.want)
		}
	}
	if got := idsIn(outer{Task: &inner{id: "t1"}, Any: "t1"}, map[string]bool{"t1": true, "t9": true}); !slices.Equal(got, []string{"t1"}) {
		t.Errorf("idsIn = %q, want [t1] once", got)
	}
}

func TestStringsInCycle(t *testing.T) {
	type node struct {
		Name string
		Next *node
	}
	n := &node{Name: "x"}
	n.Next = n
	if got := stringsIn(n); len(got) == 0 || len(got) > maxDepth {
		t.Errorf("stringsIn of a cycle = %d strings, want between 1 and %d", len(got), maxDepth)
	}
}

func TestFlagConfig(t *testing.T) {
	env := func(kv map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
	}
	cfg, err := flagConfig("TestGrade", "", "", false, 0, env(map[string]string{"NOEX_SEED": "17", "NOEX_GRADE": "strict"}))
	if err != nil || !cfg.Only || cfg.BaseSeed != 17 || !cfg.Strict || cfg.TestName != "TestGrade" {
		t.Errorf("NOEX_SEED=17 NOEX_GRADE=strict: cfg = %+v, err = %v; want Only under seed 17, strict", cfg, err)
	}
	cfg, err = flagConfig("TestGrade", "", "", false, 0, env(nil))
	if err != nil || cfg.Only || cfg.Strict {
		t.Errorf("no settings: cfg = %+v, err = %v; want many seeds, not strict", cfg, err)
	}
	if _, err := flagConfig("TestGrade", "", "", false, 0, env(map[string]string{"NOEX_SEED": "seven"})); err == nil {
		t.Error("NOEX_SEED=seven: no error")
	}
	cfg, err = flagConfig("TestGrade", "9", "", true, 5, env(map[string]string{"NOEX_SEED": "17"}))
	if err != nil || cfg.BaseSeed != 9 || !cfg.Only || !cfg.Strict || cfg.Seeds != 5 {
		t.Errorf("-noex.seed=9 -grade.strict -grade.seeds=5 over NOEX_SEED=17: cfg = %+v, err = %v", cfg, err)
	}
	if cfg.Strategy != "" {
		t.Errorf("no strategy given: Strategy = %q, want \"\" (the portfolio)", cfg.Strategy)
	}
	cfg, err = flagConfig("TestGrade", "", "", false, 0, env(map[string]string{"NOEX_STRATEGY": "pos"}))
	if err != nil || cfg.Strategy != "pos" {
		t.Errorf("NOEX_STRATEGY=pos: Strategy = %q, err = %v", cfg.Strategy, err)
	}
	cfg, err = flagConfig("TestGrade", "", "pct:d=2", false, 0, env(map[string]string{"NOEX_STRATEGY": "pos"}))
	if err != nil || cfg.Strategy != "pct:d=2" {
		t.Errorf("-noex.strategy=pct:d=2 over NOEX_STRATEGY=pos: Strategy = %q, err = %v", cfg.Strategy, err)
	}
	if _, err := flagConfig("TestGrade", "", "", false, 0, env(map[string]string{"NOEX_STRATEGY": "psychic"})); err == nil || !strings.Contains(err.Error(), "NOEX_STRATEGY") {
		t.Errorf("NOEX_STRATEGY=psychic: err = %v, want an error naming the variable", err)
	}
}

// The deterministic runs take the portfolio's strategies seed by seed, or
// the one strategy asked for; the reproduction line names a strategy that
// the seed alone would not choose.
func TestStrategyOfASeed(t *testing.T) {
	var got []string
	for seed := uint64(0); seed < 5; seed++ {
		got = append(got, strategyOf(Config{}, seed))
	}
	if want := []string{"random", "pct:d=3", "pos", "pct:d=2", "pct:d=1"}; !slices.EqualFunc(got, want, strings.HasPrefix) {
		t.Errorf("the strategies of seeds 0 to 4: %q, want %q", got, want)
	}
	if got := strategyOf(Config{Strategy: "pos"}, 3); got != "pos" {
		t.Errorf("Strategy pos, seed 3: %q", got)
	}
	if got, want := strategyOf(Config{Strategy: "psychic"}, 2), strategyOf(Config{}, 2); got != want {
		t.Errorf("an invalid Strategy, seed 2: %q, want the portfolio's %q", got, want)
	}
	f := &Failure{Seed: 3}
	if line := reproLine(Config{TestName: "TestGrade"}, f); strings.Contains(line, "strategy") {
		t.Errorf("portfolio: %q names a strategy", line)
	}
	if line := reproLine(Config{TestName: "TestGrade", Strategy: "pos"}, f); !strings.Contains(line, "-noex.seed=3 -noex.strategy=pos") {
		t.Errorf("pos: %q, want the strategy after the seed", line)
	}
}
