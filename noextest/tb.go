package noextest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/noex-go/noex/noex"
)

// TB is the part of [testing.TB] the kit uses. *testing.T, *testing.B and
// *rapid.T satisfy it, and so does a fake that records failures, which is
// how the kit's own tests check its messages. Every kit helper calls Helper
// first and owns its teardown through Cleanup.
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

var _ TB = testing.TB(nil)

// seedFlag is -noex.seed; "" means unset.
var seedFlag = flag.String("noex.seed", "",
	"noex: seed of deterministic test runtimes, the base seed of Seeds (default: $NOEX_SEED, else random)")

// strategyFlag is -noex.strategy; "" means unset.
var strategyFlag = flag.String("noex.strategy", "",
	"noex: exploration strategy of deterministic test runtimes whose seed the test does not pin: random, pct, pct:d=D,k=K, pos or portfolio (default: $NOEX_STRATEGY, else portfolio)")

// scheduleFlag is -noex.schedule; "" means unset.
var scheduleFlag = flag.String("noex.schedule", "",
	"noex: replay this `schedule` (decision:choice pairs, as failures print them; - for the natural order) in every deterministic test runtime, with the seed of -noex.seed")

// logFlag is -noex.log.
var logFlag = flag.Bool("noex.log", false, "noex: print a failing run's whole event log, not only its end")

// shardFlag is -noex.shard; "" means unset.
var shardFlag = flag.String("noex.shard", "",
	"noex: run only shard `i/n` of every Seeds range: the seeds whose index modulo n is i (default: $NOEX_SHARD, else all)")

// loadStrategy picks the strategy of a runtime whose seed the test does not
// pin: the flag's value, else NOEX_STRATEGY from lookup, else "portfolio".
// An invalid value is an error that names its source.
func loadStrategy(flagVal string, lookup func(string) (string, bool)) (string, error) {
	spec, src := "portfolio", ""
	if flagVal != "" {
		spec, src = flagVal, "-noex.strategy"
	} else if v, ok := lookup("NOEX_STRATEGY"); ok && v != "" {
		spec, src = v, "NOEX_STRATEGY"
	}
	if _, err := noex.ResolveStrategy(spec, 0, 0); err != nil {
		return "", fmt.Errorf("[noex] invalid %s: %w", src, err)
	}
	return spec, nil
}

// loadShard parses -noex.shard, else NOEX_SHARD: "i/n" with 0 ≤ i < n.
// Unset means the one shard 0/1.
func loadShard(flagVal string, lookup func(string) (string, bool)) (i, n int, err error) {
	v, src := flagVal, "-noex.shard"
	if v == "" {
		v, src = "", "NOEX_SHARD"
		if e, ok := lookup("NOEX_SHARD"); ok {
			v = e
		}
	}
	if strings.TrimSpace(v) == "" {
		return 0, 1, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(v), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("[noex] invalid %s %q: want i/n with 0 ≤ i < n, like 0/4", src, v)
	}
	return i, n, nil
}

// seedSource says where a seed came from, for messages.
type seedSource uint8

const (
	seedRandom seedSource = iota
	seedFromFlag
	seedFromEnv
)

// loadSeed picks the seed: the flag's value, else NOEX_SEED from lookup,
// else a random one. A malformed value is an error that names its source.
func loadSeed(flagVal string, lookup func(string) (string, bool)) (uint64, seedSource, error) {
	parse := func(what, v string, src seedSource) (uint64, seedSource, error) {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 64)
		if err != nil {
			return 0, src, fmt.Errorf("[noex] invalid %s %q: want an unsigned integer", what, v)
		}
		return n, src, nil
	}
	if flagVal != "" {
		return parse("-noex.seed", flagVal, seedFromFlag)
	}
	if v, ok := lookup("NOEX_SEED"); ok && v != "" {
		return parse("NOEX_SEED", v, seedFromEnv)
	}
	return rand.Uint64(), seedRandom, nil
}

// defaultSeed is loadSeed with the real flag and environment.
func defaultSeed() (uint64, seedSource, error) { return loadSeed(*seedFlag, os.LookupEnv) }

// runPattern turns a test name into a -run pattern that selects exactly it:
// each '/'-separated part anchored and quoted.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// reproLine is the line every failure prints: the seed (with the strategy,
// unless it is the uniform "random") and the command that replays the test,
// or the mode when the runtime is not deterministic. pkg is the test's
// package as a go command line names it from the module's root
// ("./noextest"), or "" if unknown. With chosen set the choices came from a
// [noex.Chooser], so the schedule, not the seed's PRNG, is what replays the
// run.
func reproLine(name, pkg string, det, chosen bool, seed uint64, strategy, schedule string) string {
	cmd := "go test"
	if pkg != "" {
		cmd += " " + pkg
	}
	switch {
	case !det:
		return fmt.Sprintf("[noex] real mode (no seed). To rerun, specify: %s -run '%s'", cmd, runPattern(name))
	case chosen:
		return fmt.Sprintf("[noex] seed=%d schedule=%q (choices from a Chooser). To replay the run: noex.WithSeed(%d), noex.WithSchedule(%q)",
			seed, schedule, seed, schedule)
	}
	if strategy == "schedule" || strategy == "explore" {
		return fmt.Sprintf("[noex] seed=%d schedule=%q To reproduce, specify: %s -run '%s' -noex.seed=%d -noex.schedule=%s",
			seed, schedule, cmd, runPattern(name), seed, orNatural(schedule))
	}
	if strategy != "random" {
		return fmt.Sprintf("[noex] seed=%d strategy=%s To reproduce, specify: %s -run '%s' -noex.seed=%d -noex.strategy=%s",
			seed, strategy, cmd, runPattern(name), seed, strategy)
	}
	return fmt.Sprintf("[noex] seed=%d To reproduce, specify: %s -run '%s' -noex.seed=%d", seed, cmd, runPattern(name), seed)
}

// testPackage is the package under test, named from its module's root:
// "./dir" for the current directory (go test runs a test binary in its
// package's directory), or "" if no go.mod is found above it.
var testPackage = sync.OnceValue(func() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return packageFrom(wd, func(path string) bool {
		_, err := os.Stat(path)
		return err == nil
	})
})

// packageFrom is testPackage's rule for directory dir; exists reports
// whether a file exists.
func packageFrom(dir string, exists func(string) bool) string {
	for root := dir; ; {
		if exists(filepath.Join(root, "go.mod")) {
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return ""
			}
			if rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		parent := filepath.Dir(root)
		if parent == root {
			return ""
		}
		root = parent
	}
}

// pkgArg is the package argument of a go test command run from the
// module's root: [testPackage], or "." if there is no go.mod above the
// test's directory.
func pkgArg() string {
	if p := testPackage(); p != "" {
		return p
	}
	return "."
}

// explainChild reports whether this test binary is a rerun made by an
// explanation (which then explains nothing itself).
func explainChild() bool { return os.Getenv("NOEX_EXPLAIN_CHILD") != "" }

// scheduleValue is the schedule that -noex.schedule names: "-" is the
// natural order, which an empty flag could not say.
func scheduleValue(flagVal string) string {
	if flagVal == naturalSchedule {
		return ""
	}
	return flagVal
}
