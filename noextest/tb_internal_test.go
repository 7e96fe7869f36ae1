package noextest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/noex-go/noex/noex"
)

func TestLoadSeed(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	tests := []struct {
		flag   string
		env    map[string]string
		seed   uint64
		src    seedSource
		err    string
		reason string
	}{
		{flag: "42", env: map[string]string{"NOEX_SEED": "7"}, seed: 42, src: seedFromFlag, reason: "the flag wins"},
		{env: map[string]string{"NOEX_SEED": "7"}, seed: 7, src: seedFromEnv, reason: "then the environment"},
		{env: map[string]string{"NOEX_SEED": "0x10"}, seed: 16, src: seedFromEnv, reason: "Go integer syntax"},
		{env: map[string]string{"NOEX_SEED": ""}, src: seedRandom, reason: "an empty variable is unset"},
		{flag: "x", err: `[noex] invalid -noex.seed "x": want an unsigned integer`, reason: "a bad flag"},
		{env: map[string]string{"NOEX_SEED": "-1"}, err: `[noex] invalid NOEX_SEED "-1"`, reason: "a bad variable"},
	}
	for _, tc := range tests {
		seed, src, err := loadSeed(tc.flag, env(tc.env))
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("loadSeed (%s) error = %v, want %q", tc.reason, err, tc.err)
			}
		case err != nil:
			t.Errorf("loadSeed (%s): %v", tc.reason, err)
		case src != tc.src || (src != seedRandom && seed != tc.seed):
			t.Errorf("loadSeed (%s) = %d from %d, want %d from %d", tc.reason, seed, src, tc.seed, tc.src)
		}
	}
	a, _, _ := loadSeed("", env(nil))
	b, _, _ := loadSeed("", env(nil))
	if a == b {
		t.Errorf("two random seeds are both %d", a)
	}
}

func TestReproLine(t *testing.T) {
	tests := []struct {
		name, pkg, strategy, schedule string
		det, chosen                   bool
		want                          string
	}{
		{"TestX", "./noextest", "random", "", true, false, "[noex] seed=5 To reproduce, specify: go test ./noextest -run '^TestX$' -noex.seed=5"},
		{"TestX/seed=5", "./a/b", "random", "", true, false, "go test ./a/b -run '^TestX$/^seed=5$' -noex.seed=5"},
		{"Test.Y(z)", "", "random", "", true, false, `specify: go test -run '^Test\.Y\(z\)$'`},
		{"TestX", "./noextest", "pct:d=2", "", true, false, "[noex] seed=5 strategy=pct:d=2 To reproduce, specify: go test ./noextest -run '^TestX$' -noex.seed=5 -noex.strategy=pct:d=2"},
		{"TestX", "./noextest", "random", "3:1", true, true, `[noex] seed=5 schedule="3:1" (choices from a Chooser). To replay the run: noex.WithSeed(5), noex.WithSchedule("3:1")`},
		{"TestX", "./noextest", "random", "", false, false, "[noex] real mode (no seed). To rerun, specify: go test ./noextest -run '^TestX$'"},
	}
	for _, tc := range tests {
		if got := reproLine(tc.name, tc.pkg, tc.det, tc.chosen, 5, tc.strategy, tc.schedule); !strings.Contains(got, tc.want) {
			t.Errorf("reproLine(%q, %q) = %q, want it to contain %q", tc.name, tc.pkg, got, tc.want)
		}
	}
}

func TestPackageFrom(t *testing.T) {
	files := map[string]bool{"/m/go.mod": true, "/m/sub/go.mod": true}
	exists := func(p string) bool { return files[filepath.ToSlash(p)] }
	for dir, want := range map[string]string{
		"/m":              ".",
		"/m/noextest":     "./noextest",
		"/m/a/b":          "./a/b",
		"/m/sub/x":        "./x", // a nested module is its own root
		"/elsewhere/deep": "",
	} {
		if got := packageFrom(filepath.FromSlash(dir), exists); got != want {
			t.Errorf("packageFrom(%q) = %q, want %q", dir, got, want)
		}
	}
}

// The reproduction line names this package so that it works from the
// repository's root: there, the directory it names holds this file.
func TestReproLineFromRoot(t *testing.T) {
	pkg := testPackage()
	if pkg != "./noextest" {
		t.Fatalf("testPackage() = %q, want ./noextest", pkg)
	}
	if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(pkg), "tb_internal_test.go")); err != nil {
		t.Errorf("%s, taken from the root, is not this package: %v", pkg, err)
	}
}

func TestLoadStrategy(t *testing.T) {
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == "NOEX_STRATEGY" && v != "" }
	}
	for _, c := range []struct {
		flag, env, want, err string
	}{
		{"", "", "portfolio", ""},
		{"pos", "pct", "pos", ""},
		{"", "pct:d=2", "pct:d=2", ""},
		{"dfs", "", "", "invalid -noex.strategy"},
		{"", "pct:d=0", "", "invalid NOEX_STRATEGY"},
	} {
		got, err := loadStrategy(c.flag, env(c.env))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, noex.ErrBadOption) {
				t.Errorf("loadStrategy(%q, %q) = %q, %v; want an error containing %q", c.flag, c.env, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("loadStrategy(%q, %q) = %q, %v; want %q", c.flag, c.env, got, err, c.want)
		}
	}
}

func TestLoadShard(t *testing.T) {
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == "NOEX_SHARD" }
	}
	for _, c := range []struct {
		flag, env string
		i, n      int
		err       bool
	}{
		{"", "", 0, 1, false},
		{"1/4", "", 1, 4, false},
		{"", " 2/3 ", 2, 3, false},
		{"0/1", "5/2", 0, 1, false},
		{"4/4", "", 0, 0, true},
		{"-1/2", "", 0, 0, true},
		{"1", "", 0, 0, true},
		{"", "a/b", 0, 0, true},
	} {
		i, n, err := loadShard(c.flag, env(c.env))
		if (err != nil) != c.err || !c.err && (i != c.i || n != c.n) {
			t.Errorf("loadShard(%q, %q) = %d/%d, %v; want %d/%d (error %v)", c.flag, c.env, i, n, err, c.i, c.n, c.err)
		}
	}
}

// Seeds does the same with any parallelism: the same seeds, each with the
// same strategy and the same run.
func TestSeedsSameRunsWhateverTheParallelism(t *testing.T) {
	defer func(f func() int) { seedsParallelism = f }(seedsParallelism)
	defer func(v string) { *seedFlag = v }(*seedFlag)
	*seedFlag = "1000"
	sweep := func(par int) map[uint64]string {
		seedsParallelism = func() int { return par }
		var mu sync.Mutex
		runs := map[uint64]string{}
		t.Run(fmt.Sprintf("parallel=%d", par), func(t *testing.T) {
			Seeds(t, 40, func(t *testing.T, rt *Runtime) {
				rt.Run(func(ctx context.Context) error {
					for i := range 3 {
						if _, err := noex.Start(ctx, echo{}, noex.WithName(fmt.Sprint("e", i))); err != nil {
							return err
						}
					}
					for i := range 3 {
						noex.Cast(ctx, noex.Name[int, int, int](fmt.Sprint("e", i)), i)
					}
					return nil
				})
				rt.Run(func(ctx context.Context) error {
					for i := range 3 {
						noex.Stop(ctx, noex.Name[int, int, int](fmt.Sprint("e", i)), nil)
					}
					return nil
				})
				mu.Lock()
				runs[rt.Seed()] = rt.Strategy() + " " + rt.Schedule()
				mu.Unlock()
			})
		})
		return runs
	}
	one, four := sweep(1), sweep(4)
	if len(one) != 40 {
		t.Fatalf("ran %d seeds, want 40", len(one))
	}
	if diff := cmp.Diff(one, four); diff != "" {
		t.Errorf("parallel=4 runs differ from parallel=1 (-1 +4):\n%s", diff)
	}
	strategies := map[string]bool{}
	for _, r := range one {
		strategies[strings.Fields(r)[0]] = true
	}
	if len(strategies) < 4 {
		t.Errorf("the portfolio ran %d strategies over 40 seeds: %v", len(strategies), strategies)
	}
}

type echo struct{}

func (echo) Init(context.Context) (int, error) { return 0, nil }
func (echo) HandleCall(_ context.Context, n int, s int) (int, int, error) {
	return n, s, nil
}
func (echo) HandleCast(_ context.Context, n int, s int) (int, error) { return s + n, nil }

func TestSeedsShard(t *testing.T) {
	defer func(v string) { *shardFlag = v }(*shardFlag)
	defer func(v string) { *seedFlag = v }(*seedFlag)
	*shardFlag, *seedFlag = "1/3", "500"
	var mu sync.Mutex
	var got []uint64
	t.Run("shard", func(t *testing.T) {
		Seeds(t, 10, func(t *testing.T, rt *Runtime) {
			mu.Lock()
			got = append(got, rt.Seed())
			mu.Unlock()
		})
	})
	slices.Sort(got)
	if want := []uint64{501, 504, 507}; !slices.Equal(got, want) {
		t.Errorf("shard 1/3 of seeds 500..509 ran %v, want %v", got, want)
	}
}
