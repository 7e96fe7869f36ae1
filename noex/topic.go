package noex

import (
	"errors"
	"slices"
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

// ---- the bus's index of subscriptions by pattern ----

// group holds the subscriptions of one pattern, in subscription order. The
// slice is never changed in place once shared (copy on removal), so a
// publication in progress can keep iterating over its own view.
type group struct {
	pat  *pattern
	subs []*sub
}

// hitGroup is a matching group's subscriptions as the publication found
// them, with the cursor of the merge into subscription order.
type hitGroup struct {
	subs []*sub
	i    int
}

// group returns the group of pat's text, creating and indexing it.
func (st *busState) group(pat *pattern) *group {
	switch pat.kind {
	case patAll:
		if st.all == nil {
			st.all = &group{pat: pat}
		}
		return st.all
	case patExact:
		g := st.exact[pat.text]
		if g == nil {
			g = &group{pat: pat}
			st.exact[pat.text] = g
		}
		return g
	}
	n := len(pat.segs)
	for n >= len(st.wild) {
		st.wild = append(st.wild, nil)
	}
	for _, g := range st.wild[n] {
		if g.pat.text == pat.text {
			return g
		}
	}
	g := &group{pat: pat}
	st.wild[n] = append(st.wild[n], g)
	return g
}

// compact rebuilds g without its removed subscriptions and unindexes it
// when it is empty.
func (st *busState) compact(g *group) {
	var kept []*sub
	for _, s := range g.subs {
		if !s.removed {
			kept = append(kept, s)
		}
	}
	g.subs = kept
	if len(kept) > 0 {
		return
	}
	switch pat := g.pat; pat.kind {
	case patAll:
		st.all = nil
	case patExact:
		delete(st.exact, pat.text)
	default:
		n := len(pat.segs)
		st.wild[n] = slices.DeleteFunc(st.wild[n], func(x *group) bool { return x == g })
	}
}

// patterns lists, sorted, the patterns with a subscription whose owner has
// not ended.
func (st *busState) patterns() []string {
	var pats []string
	add := func(g *group) {
		if slices.ContainsFunc(g.subs, func(s *sub) bool { return alive(s.o.p) }) {
			pats = append(pats, g.pat.text)
		}
	}
	for _, g := range st.exact {
		add(g)
	}
	for _, gs := range st.wild {
		for _, g := range gs {
			add(g)
		}
	}
	if st.all != nil {
		add(st.all)
	}
	slices.Sort(pats)
	return pats
}

// collect returns the groups whose pattern matches topic. Patterns are not
// split: exact ones are looked up by the topic, wildcard ones compared
// segment by segment with those of the same length.
func (st *busState) collect(topic string) []hitGroup {
	hits := st.hits[:0]
	if len(st.exact) > 0 {
		if g := st.exact[topic]; g != nil {
			hits = append(hits, hitGroup{subs: g.subs})
		}
	}
	if n := segments(topic); n < len(st.wild) && len(st.wild[n]) > 0 {
		segs := splitTopic(st.segBuf[:0], topic)
		for _, g := range st.wild[n] {
			if g.pat.matchSegs(segs) {
				hits = append(hits, hitGroup{subs: g.subs})
			}
		}
		st.segBuf = segs[:0]
	}
	if st.all != nil {
		hits = append(hits, hitGroup{subs: st.all.subs})
	}
	return hits
}
