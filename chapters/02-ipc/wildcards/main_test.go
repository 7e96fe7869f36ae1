package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/noex-go/noex/chapters/internal/chaptertest"
	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// What the chapter says each pattern matches and does not match.
var chapter = []struct {
	pattern, topic string
	match          bool
}{
	{"user.created", "user.created", true},
	{"user.created", "user.updated", false},
	{"user.created", "user.created.admin", false},
	{"user.*", "user.created", true},
	{"user.*", "user.updated", true},
	{"user.*", "user.deleted", true},
	{"user.*", "order.created", false},
	{"user.*", "user.profile.updated", false},
	{"*", "user.created", true},
	{"*", "order.created", true},
	{"*", "user.profile.updated", true},
	// Where noex's code disagrees with the chapter, we follow the chapter.
	{"user.*", "user", false},
	{"*.*", "a.b.c", false},
	{"*.created", "user.created", true},
	{"*.created", "created", false},
}

func TestMatchTopic(t *testing.T) {
	for _, c := range chapter {
		got, err := noex.MatchTopic(c.pattern, c.topic)
		if err != nil || got != c.match {
			t.Errorf("MatchTopic(%q, %q) = %v, %v; want %v", c.pattern, c.topic, got, err, c.match)
		}
	}
	for _, bad := range []string{"", "user..created", ".user", "user.", "us*r.created"} {
		if _, err := noex.MatchTopic(bad, "user.created"); !errors.Is(err, noex.ErrInvalidTopic) {
			t.Errorf("MatchTopic(%q, ...) error = %v, want ErrInvalidTopic", bad, err)
		}
	}
}

// delivered parses the demo's output into topic → patterns that heard it.
func delivered(t testing.TB, res run.Result) map[string][]string {
	got := map[string][]string{}
	var topic string
	for _, l := range res.Lines() {
		if !strings.HasPrefix(l, " ") {
			topic = strings.TrimSuffix(l, ":")
			got[topic] = []string{}
			continue
		}
		got[topic] = append(got[topic], strings.Fields(l)[0])
	}
	return got
}

// The bus delivers exactly as MatchTopic says, in subscription order, under
// every seed and in real mode.
func TestDeliveries(t *testing.T) {
	want := map[string][]string{}
	for _, topic := range topics {
		want[topic] = []string{}
		for _, p := range patterns {
			if ok, _ := noex.MatchTopic(p, topic); ok {
				want[topic] = append(want[topic], p)
			}
		}
	}
	for _, c := range chapter {
		if _, ok := want[c.topic]; !ok {
			continue
		}
		if got := contains(want[c.topic], c.pattern); got != c.match && contains(patterns, c.pattern) {
			t.Errorf("%q on %q: delivered %v, the chapter says %v", c.pattern, c.topic, got, c.match)
		}
	}
	check := func(t testing.TB, res run.Result) {
		if diff := cmp.Diff(want, delivered(t, res)); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
	}
	chaptertest.EachSeed(t, func(t testing.TB, _ uint64, res run.Result) { check(t, res) }, demo)
	chaptertest.Real(t, 20, check, demo)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestGolden(t *testing.T) {
	res := chaptertest.Run(t, 1, demo)
	chaptertest.Deterministic(t, demo)
	chaptertest.Golden(t, "testdata/output.golden", res.Output)
}
