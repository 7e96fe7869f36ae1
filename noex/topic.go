package noex

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalidTopic: a topic or a subscription pattern breaks the grammar
// described at [MatchTopic]; the error is a [*TopicError].
var ErrInvalidTopic = errors.New("noex: invalid topic or pattern")

// TopicError reports a topic or a pattern that breaks the grammar described
// at [MatchTopic]. Its message quotes the input and says what is wrong with
// it; it wraps [ErrInvalidTopic].
type TopicError struct {
	What   string // "pattern" or "topic"
	Input  string // the text as given
	Reason string // what is wrong, e.g. "has an empty segment (two dots in a row)"
}

func (e *TopicError) Error() string {
	return "noex: invalid " + e.What + " " + strconv.Quote(e.Input) + ": " + e.Reason
}

// Unwrap returns [ErrInvalidTopic].
func (e *TopicError) Unwrap() error { return ErrInvalidTopic }

// MatchTopic reports whether the subscription pattern matches the topic, by
// the rules the bus applies to every publication.
//
// Topics and patterns are one or more segments separated by dots, as in
// "user.created". A segment is a non-empty string of any characters except
// '.' and '*': the empty string, a leading or trailing dot and two dots in a
// row are all invalid ("", ".", ".a", "a.", "a..b"). A pattern may also use
// the wildcard "*", which must be a whole segment ("user.*" is valid,
// "us*r.created" and "user.**" are not); a topic never contains '*'.
//
// A pattern matches a topic when it is the single segment "*" (which
// matches every topic), or when both have the same number of segments and
// every pattern segment is "*" or equal to the topic's segment at that
// position. So "user.*" matches "user.created" but neither "user" nor
// "user.profile.updated"; "user.created" does not match
// "user.created.admin"; "*.*" never matches a topic of three segments. There
// is no multi-level wildcard.
//
// MatchTopic returns a [*TopicError] (wrapping [ErrInvalidTopic]) for an
// invalid pattern, checked first, or an invalid topic. It is safe for
// concurrent use and needs no runtime.
func MatchTopic(pattern, topic string) (bool, error) {
	p, err := parsePattern(pattern)
	if err != nil {
		return false, err
	}
	if err := checkTopic(topic); err != nil {
		return false, err
	}
	var buf [8]string
	return p.match(topic, splitTopic(buf[:0], topic)), nil
}

type patKind uint8

const (
	patExact patKind = iota // no wildcard: equal to the topic
	patWild                 // some "*" segments: same length, segment by segment
	patAll                  // "*" alone: every topic
)

// pattern is a subscription pattern, parsed once when the subscription is
// made; publishing never splits it again.
type pattern struct {
	text string
	kind patKind
	segs []string // patWild only: the segments, "*" for a wildcard
}

// parsePattern validates text and splits it into segments.
func parsePattern(text string) (*pattern, error) {
	if !wellFormed(text, true) {
		if err := checkSyntax("pattern", text); err != nil {
			return nil, err
		}
	}
	p := &pattern{text: text}
	switch {
	case text == "*":
		p.kind = patAll
	case strings.IndexByte(text, '*') >= 0:
		p.kind = patWild
		p.segs = strings.Split(text, ".")
	}
	return p, nil
}

func checkTopic(topic string) error {
	if wellFormed(topic, false) {
		return nil
	}
	if err := checkSyntax("topic", topic); err != nil {
		return err
	}
	return nil
}

// wellFormed is the fast check of s against the grammar, in one pass;
// wildcards says whether s is a pattern. When it reports false, checkSyntax
// says why.
func wellFormed(s string, wildcards bool) bool {
	atStart := true // at the start of a segment
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			if atStart {
				return false
			}
			atStart = true
		case '*':
			if !wildcards || !atStart || i+1 < len(s) && s[i+1] != '.' {
				return false
			}
			atStart = false
		default:
			atStart = false
		}
	}
	return !atStart
}

// checkSyntax checks s against the grammar and says what is wrong, without
// allocating when s is valid; what is "topic" or "pattern".
func checkSyntax(what, s string) *TopicError {
	if s == "" {
		return &TopicError{What: what, Input: s, Reason: "is empty"}
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			continue
		}
		seg := s[start:i]
		switch {
		case seg == "" && start == 0:
			return &TopicError{What: what, Input: s, Reason: "starts with a dot"}
		case seg == "" && i == len(s):
			return &TopicError{What: what, Input: s, Reason: "ends with a dot"}
		case seg == "":
			return &TopicError{What: what, Input: s, Reason: "has an empty segment (two dots in a row)"}
		case strings.IndexByte(seg, '*') < 0:
		case what == "topic":
			return &TopicError{What: what, Input: s, Reason: "contains '*' (only patterns have wildcards)"}
		case seg != "*":
			return &TopicError{What: what, Input: s, Reason: "segment " + strconv.Quote(seg) +
				" mixes '*' with other characters (a wildcard must be a whole segment)"}
		}
		start = i + 1
	}
	return nil
}

// splitTopic appends the segments of a valid topic to dst; the segments are
// substrings of topic, so nothing is copied.
func splitTopic(dst []string, topic string) []string {
	for {
		i := strings.IndexByte(topic, '.')
		if i < 0 {
			return append(dst, topic)
		}
		dst = append(dst, topic[:i])
		topic = topic[i+1:]
	}
}

// segments returns the number of segments of a valid topic.
func segments(topic string) int { return strings.Count(topic, ".") + 1 }

// match reports whether p matches a valid topic whose segments are segs.
func (p *pattern) match(topic string, segs []string) bool {
	switch p.kind {
	case patAll:
		return true
	case patExact:
		return p.text == topic
	}
	return p.matchSegs(segs)
}

// matchSegs compares a wildcard pattern with a topic's segments.
func (p *pattern) matchSegs(segs []string) bool {
	if len(segs) != len(p.segs) {
		return false
	}
	for i, s := range p.segs {
		if s != "*" && s != segs[i] {
			return false
		}
	}
	return true
}
