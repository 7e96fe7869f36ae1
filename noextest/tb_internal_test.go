package noextest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		name, pkg, schedule string
		det, chosen         bool
		want                string
	}{
		{"TestX", "./noextest", "", true, false, "[noex] seed=5 To reproduce, specify: go test ./noextest -run '^TestX$' -noex.seed=5"},
		{"TestX/seed=5", "./a/b", "", true, false, "go test ./a/b -run '^TestX$/^seed=5$' -noex.seed=5"},
		{"Test.Y(z)", "", "", true, false, `specify: go test -run '^Test\.Y\(z\)$'`},
		{"TestX", "./noextest", "3:1", true, true, `[noex] seed=5 schedule="3:1" (choices from a Chooser). To replay the run: noex.WithSeed(5), noex.WithSchedule("3:1")`},
		{"TestX", "./noextest", "", false, false, "[noex] real mode (no seed). To rerun, specify: go test ./noextest -run '^TestX$'"},
	}
	for _, tc := range tests {
		if got := reproLine(tc.name, tc.pkg, tc.det, tc.chosen, 5, tc.schedule); !strings.Contains(got, tc.want) {
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
