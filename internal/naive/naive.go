package naive

import "strings"

// Req is a request to a server: add N; reply on Reply, if not nil, with
// the sum so far.
type Req struct {
	N     int
	Reply chan int
}

// Serve serves the requests of reqs until it is closed, then closes done.
func Serve(reqs <-chan Req, done chan<- struct{}) {
	state := 0
	for r := range reqs {
		state += r.N
		if r.Reply != nil {
			r.Reply <- state
		}
	}
	close(done)
}

// Call sends a request to add n and returns the reply.
func Call(reqs chan<- Req, n int) int {
	reply := make(chan int, 1)
	reqs <- Req{N: n, Reply: reply}
	return <-reply
}

// Start starts a server with a queue of size requests; stop ends it.
func Start(size int) (reqs chan Req, stop func()) {
	reqs, done := make(chan Req, size), make(chan struct{})
	go Serve(reqs, done)
	return reqs, func() { close(reqs); <-done }
}

// Bus is an inline event bus (see the package documentation). Send
// publications on Pubs; Stop ends it.
type Bus struct {
	Pubs chan Pub
	subs []Sub
	done chan struct{}
}

// Sub is a subscription: a pattern, its segments if it has a wildcard (nil
// for an exact one), and the handler.
type Sub struct {
	Text string
	Segs []string
	H    func(msg any, topic string)
}

// NewSub subscribes h to pattern.
func NewSub(pattern string, h func(msg any, topic string)) Sub {
	return Sub{Text: pattern, Segs: SplitPattern(pattern), H: h}
}

// Pub is a publication, or with Ack a barrier: Ack is closed once the
// publications before it are handled.
type Pub struct {
	Topic string
	Msg   any
	Ack   chan struct{}
}

// StartBus starts a bus with the subscriptions subs and a queue of queue
// publications.
func StartBus(subs []Sub, queue int) *Bus {
	b := &Bus{Pubs: make(chan Pub, queue), subs: subs, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		for p := range b.Pubs {
			if p.Ack != nil { // a barrier, not a publication
				close(p.Ack)
				continue
			}
			for _, s := range b.subs {
				if Match(s.Text, s.Segs, p.Topic) {
					deliver(s.H, p)
				}
			}
		}
	}()
	return b
}

// PublishWait publishes n messages (0 to n-1) on topic and waits until the
// bus has handled them.
func (b *Bus) PublishWait(topic string, n int) {
	for i := range n {
		b.Pubs <- Pub{Topic: topic, Msg: i}
	}
	ack := make(chan struct{})
	b.Pubs <- Pub{Ack: ack}
	<-ack
}

// Stop ends the bus once it has handled what was published.
func (b *Bus) Stop() { close(b.Pubs); <-b.done }

func deliver(h func(any, string), p Pub) {
	defer func() { _ = recover() }()
	h(p.Msg, p.Topic)
}

// Match matches a pattern against a topic: an exact pattern (segs nil) by
// comparing the strings, "*" alone every topic, and a pattern with wildcard
// segments segment by segment, without allocating.
func Match(text string, segs []string, topic string) bool {
	if segs == nil {
		return text == topic
	}
	if text == "*" {
		return true
	}
	for i, seg := range segs {
		j := strings.IndexByte(topic, '.')
		if (j < 0) != (i == len(segs)-1) {
			return false // more or fewer segments
		}
		t := topic
		if j >= 0 {
			t, topic = topic[:j], topic[j+1:]
		}
		if seg != "*" && seg != t {
			return false
		}
	}
	return true
}

// SplitPattern returns the segments of a pattern with a wildcard, nil for
// an exact one.
func SplitPattern(text string) []string {
	if !strings.Contains(text, "*") {
		return nil
	}
	return strings.Split(text, ".")
}
