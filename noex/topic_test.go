package noex_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

// matchCases holds every example of the chapter's "Wildcard Subscriptions"
// section, the cases the design spells out, and the places where noex's own
// matcher differs from the chapter (spec B66/D1).
var matchCases = []struct {
	pattern, topic string
	want           bool
	reason         string
}{
	// Chapter: exact match.
	{"user.created", "user.created", true, "chapter: an exact pattern matches its topic"},
	{"user.created", "user.updated", false, "chapter: an exact pattern does not match another topic"},
	{"user.created", "user.created.admin", false, "chapter: an exact pattern does not match a longer topic"},
	// Chapter: single-level wildcard.
	{"user.*", "user.created", true, "chapter: user.* matches user.created"},
	{"user.*", "user.updated", true, "chapter: user.* matches user.updated"},
	{"user.*", "user.deleted", true, "chapter: user.* matches user.deleted"},
	{"user.*", "order.created", false, "chapter: user.* does not match another prefix"},
	{"user.*", "user.profile.updated", false, "chapter: '*' matches exactly one segment, not two (noex's code says true)"},
	// Chapter: global wildcard.
	{"*", "user.created", true, "chapter: * matches everything"},
	{"*", "order.created", true, "chapter: * matches everything"},
	{"*", "user.profile.updated", true, "chapter: * matches topics of any length"},
	{"*", "user", true, "chapter: * matches a one-segment topic"},
	// The chapter's order pipeline and notification system.
	{"order.created", "order.created", true, "pipeline: inventory gets order.created"},
	{"order.*", "order.paid", true, "pipeline: email gets every order event"},
	{"order.*", "order.shipped", true, "pipeline: email gets every order event"},
	{"notification.sent.*", "notification.sent.email", true, "notifications: analytics gets each channel"},
	{"notification.sent.*", "notification.sent", false, "notifications: the wildcard needs its segment"},
	// One segment per '*', anywhere.
	{"user.*", "user", false, "user.* needs a second segment"},
	{"*.*", "a.b", true, "*.* matches any two segments"},
	{"*.*", "a.b.c", false, "*.* never matches three segments (noex's code is literal here)"},
	{"*.*", "a", false, "*.* never matches one segment"},
	{"*.created", "user.created", true, "a leading wildcard matches one segment"},
	{"*.created", "created", false, "a leading wildcard needs its segment"},
	{"*.b", "a.b.c", false, "lengths must be equal"},
	{"a.*.*", "a.b.c", true, "two wildcards match two segments"},
	{"a.*.*", "a.b.c.d", false, "two wildcards match exactly two segments"},
	{"user.*.email", "user.a.email", true, "a middle wildcard matches one segment"},
	{"user.*.email", "user.a.b.email", false, "a middle wildcard matches one segment only"},
	{"user.*", "users.created", false, "segments compare whole, not by prefix"},
	{"user", "user", true, "single-segment exact"},
	{"user", "users", false, "single-segment exact compares whole"},
	{"#", "user.a", false, "there is no '#' wildcard: a literal segment"},
	{"user.#", "user.a.b", false, "there is no multi-level wildcard"},
	{"a b.c", "a b.c", true, "spaces are ordinary characters"},
	{"ü.*", "ü.x", true, "non-ASCII segments are ordinary"},
}

func TestMatchTopic(t *testing.T) {
	for _, tc := range matchCases {
		got, err := noex.MatchTopic(tc.pattern, tc.topic)
		if err != nil || got != tc.want {
			t.Errorf("MatchTopic(%q, %q) = %v, %v; want %v, nil (%s)", tc.pattern, tc.topic, got, err, tc.want, tc.reason)
		}
		if ref, err := refMatch(tc.pattern, tc.topic); err != nil || ref != tc.want {
			t.Errorf("reference disagrees with the table on (%q, %q): %v, %v (%s)", tc.pattern, tc.topic, ref, err, tc.reason)
		}
	}
}

var invalidCases = []struct {
	pattern, topic string
	what           string // which input is blamed
	reason         string // a part of the error's Reason
	why            string
}{
	{"", "a", "pattern", "is empty", "an empty pattern"},
	{"a", "", "topic", "is empty", "an empty topic"},
	{".", "a", "pattern", "starts with a dot", "a lone dot"},
	{"a", ".", "topic", "starts with a dot", "a lone dot topic"},
	{".a", "a", "pattern", "starts with a dot", "a leading dot"},
	{"a.", "a", "pattern", "ends with a dot", "a trailing dot"},
	{"a..b", "a.b", "pattern", "empty segment", "two dots in a row"},
	{"a", "a..b", "topic", "empty segment", "two dots in a row in a topic"},
	{"a", "a.", "topic", "ends with a dot", "a trailing dot in a topic"},
	{"*", ".a", "topic", "starts with a dot", "'*' matches only valid topics"},
	{"us*r", "user", "pattern", "mixes '*'", "'*' inside a segment"},
	{"user.**", "user.a", "pattern", "mixes '*'", "'**' is not a wildcard"},
	{"*a.b", "a.b", "pattern", "mixes '*'", "'*' glued to a literal"},
	{"user.*", "user.*", "topic", "only patterns have wildcards", "a topic with '*'"},
	{"*", "*", "topic", "only patterns have wildcards", "a topic that is '*'"},
	{"a", "us*r", "topic", "only patterns have wildcards", "a topic with '*' inside a segment"},
	{"", "", "pattern", "is empty", "the pattern is checked first"},
}

func TestMatchTopicRejectsInvalidInput(t *testing.T) {
	for _, tc := range invalidCases {
		got, err := noex.MatchTopic(tc.pattern, tc.topic)
		te, ok := errors.AsType[*noex.TopicError](err)
		if !ok || got {
			t.Errorf("MatchTopic(%q, %q) = %v, %v; want false, a *TopicError (%s)", tc.pattern, tc.topic, got, err, tc.why)
			continue
		}
		input := tc.pattern
		if tc.what == "topic" {
			input = tc.topic
		}
		if te.What != tc.what || te.Input != input || !strings.Contains(te.Reason, tc.reason) {
			t.Errorf("MatchTopic(%q, %q): got %+v; want What=%q Input=%q Reason containing %q (%s)",
				tc.pattern, tc.topic, *te, tc.what, input, tc.reason, tc.why)
		}
		if !errors.Is(err, noex.ErrInvalidTopic) || !strings.Contains(err.Error(), strconv.Quote(input)) {
			t.Errorf("error %q must wrap ErrInvalidTopic and quote the input %q (%s)", err, input, tc.why)
		}
	}
}

// refMatch is the matcher written as plainly as possible, straight from the
// chapter: split both, check the grammar, compare.
func refMatch(pattern, topic string) (bool, error) {
	valid := func(s string, wildcards bool) bool {
		if s == "" {
			return false
		}
		for _, seg := range strings.Split(s, ".") {
			if seg == "" {
				return false
			}
			if strings.Contains(seg, "*") && (!wildcards || seg != "*") {
				return false
			}
		}
		return true
	}
	if !valid(pattern, true) {
		return false, errors.New("pattern")
	}
	if !valid(topic, false) {
		return false, errors.New("topic")
	}
	if pattern == "*" {
		return true, nil
	}
	ps, ts := strings.Split(pattern, "."), strings.Split(topic, ".")
	if len(ps) != len(ts) {
		return false, nil
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != ts[i] {
			return false, nil
		}
	}
	return true, nil
}

// FuzzMatchTopic compares MatchTopic with refMatch. The seed corpus (every
// row of the tables above) runs as a normal test; run the fuzzer with
//
//	go test -run='^$' -fuzz=FuzzMatchTopic -fuzztime=30s ./noex/
func FuzzMatchTopic(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.topic)
	}
	for _, tc := range invalidCases {
		f.Add(tc.pattern, tc.topic)
	}
	f.Fuzz(func(t *testing.T, pattern, topic string) {
		got, err := noex.MatchTopic(pattern, topic)
		want, werr := refMatch(pattern, topic)
		if (err != nil) != (werr != nil) || got != want {
			t.Fatalf("MatchTopic(%q, %q) = %v, %v; reference says %v, %v", pattern, topic, got, err, want, werr)
		}
		if err == nil {
			return
		}
		te, ok := errors.AsType[*noex.TopicError](err)
		if !ok || te.What != werr.Error() || !errors.Is(err, noex.ErrInvalidTopic) {
			t.Fatalf("MatchTopic(%q, %q): error %#v; want a *TopicError blaming the %s", pattern, topic, err, werr)
		}
		if input := map[string]string{"pattern": pattern, "topic": topic}[te.What]; te.Input != input ||
			!strings.Contains(err.Error(), strconv.Quote(input)) {
			t.Fatalf("MatchTopic(%q, %q): error %q does not quote the %s", pattern, topic, err, te.What)
		}
	})
}
