package main

import (
	"strconv"
	"strings"
	"sync"
)

// ---- the naive server: a goroutine reading a channel ----

type naiveReq struct {
	n     int
	reply chan int
}

// naiveServer adds the requests' n to its state and replies to those that
// carry a reply channel.
func naiveServer(reqs <-chan naiveReq, done chan<- struct{}) {
	state := 0
	for r := range reqs {
		state += r.n
		if r.reply != nil {
			r.reply <- state
		}
	}
	close(done)
}

func naiveCall(reqs chan<- naiveReq, n int) int {
	reply := make(chan int, 1)
	reqs <- naiveReq{n: n, reply: reply}
	return <-reply
}

// startNaive starts a naive server with a queue of size.
func startNaive(size int) (chan naiveReq, func()) {
	reqs, done := make(chan naiveReq, size), make(chan struct{})
	go naiveServer(reqs, done)
	return reqs, func() { close(reqs); <-done }
}

func naiveCallSide(*env) (side, error) {
	reqs, stop := startNaive(1024)
	total := 0
	return side{run: func(n int) error {
		for range n {
			total++
			if got := naiveCall(reqs, 1); got != total {
				return countCheck("call", got, total)
			}
		}
		return nil
	}, close: stop}, nil
}

func naiveCastSide(*env) (side, error) {
	reqs, stop := startNaive(1 << 16)
	total := 0
	return side{run: func(n int) error {
		for range n {
			reqs <- naiveReq{n: 1}
		}
		total += n
		return countCheck("casts", naiveCall(reqs, 0), total)
	}, close: stop}, nil
}

func naiveMillionSide(env *env) (side, error) { return millionOf(naiveCastSide(env)) }

// naiveStartStopSide starts a server goroutine, waits until it runs, and
// stops it, waiting until it has ended, as Start and Stop do.
func naiveStartStopSide(*env) (side, error) {
	return side{run: func(n int) error {
		for range n {
			reqs, ready, done := make(chan naiveReq), make(chan struct{}), make(chan struct{})
			go func() { close(ready); naiveServer(reqs, done) }()
			<-ready
			close(reqs)
			<-done
		}
		return nil
	}, close: func() {}}, nil
}

// naiveSendersSide casts from k goroutines at once to one server.
func naiveSendersSide(k int) maker {
	return func(*env) (side, error) {
		reqs, stop := startNaive(1 << 16)
		crew := newCrew(k, func(n int) {
			for range n {
				reqs <- naiveReq{n: 1}
			}
		})
		total := 0
		return side{run: func(n int) error {
			total += crew.run(n)
			return countCheck("casts", naiveCall(reqs, 0), total)
		}, close: func() { crew.stop(); stop() }}, nil
	}
}

// crew is k goroutines that each do their share of a job when told to.
type crew struct {
	k    int
	jobs []chan int
	wg   sync.WaitGroup
}

func newCrew(k int, work func(n int)) *crew {
	c := &crew{k: k}
	for range k {
		jobs := make(chan int)
		c.jobs = append(c.jobs, jobs)
		go func() {
			for n := range jobs {
				work(n)
				c.wg.Done()
			}
		}()
	}
	return c
}

// run has the k goroutines do n operations between them and returns the
// number done (n rounded down to a multiple of k) once all are done.
func (c *crew) run(n int) int {
	share := max(1, n/c.k)
	c.wg.Add(c.k)
	for _, jobs := range c.jobs {
		jobs <- share
	}
	c.wg.Wait()
	return share * c.k
}

func (c *crew) stop() {
	for _, jobs := range c.jobs {
		close(jobs)
	}
}

// ---- the naive inline bus ----

// naiveBus is one goroutine reading publications from a channel and
// calling every matching handler inline, in subscription order, each one
// recovered (a handler's panic must not end the bus). Patterns with a
// wildcard are split at subscription; a publication is matched without
// allocating.
type naiveBus struct {
	subs []naiveSub
	pubs chan naivePub
	done chan struct{}
}

type naiveSub struct {
	text string
	segs []string // the segments of a pattern with a wildcard, nil for an exact one
	h    func(msg any, topic string)
}

type naivePub struct {
	topic string
	msg   any
	ack   chan struct{} // closed once handled, for barriers
}

func startNaiveBus(patterns []string, h func(any, string)) *naiveBus {
	nb := &naiveBus{pubs: make(chan naivePub, pubChunk), done: make(chan struct{})}
	for _, p := range patterns {
		nb.subs = append(nb.subs, naiveSub{text: p, segs: splitPattern(p), h: h})
	}
	go func() {
		defer close(nb.done)
		for p := range nb.pubs {
			if p.ack != nil { // a barrier, not a publication
				close(p.ack)
				continue
			}
			for _, s := range nb.subs {
				if topicMatch(s.text, s.segs, p.topic) {
					naiveDeliver(s.h, p)
				}
			}
		}
	}()
	return nb
}

func naiveDeliver(h func(any, string), p naivePub) {
	defer func() { _ = recover() }()
	h(p.msg, p.topic)
}

// topicMatch matches a pattern against a topic: an exact pattern (segs nil)
// by comparing the strings, "*" alone every topic, and a pattern with
// wildcard segments segment by segment, without allocating.
func topicMatch(text string, segs []string, topic string) bool {
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

// splitPattern returns the segments of a pattern with a wildcard, nil for
// an exact one.
func splitPattern(text string) []string {
	if !strings.Contains(text, "*") {
		return nil
	}
	return strings.Split(text, ".")
}

func naiveBusSide(pattern string, subs int) maker {
	return func(*env) (side, error) {
		count := 0
		nb := startNaiveBus(repeat(pattern, subs), func(any, string) { count++ })
		total := 0
		return side{run: func(n int) error {
			for i := range n {
				nb.pubs <- naivePub{topic: "a.b", msg: i}
			}
			ack := make(chan struct{})
			nb.pubs <- naivePub{ack: ack}
			<-ack
			total += n * subs
			return countCheck("deliveries", count, total)
		}, close: func() { close(nb.pubs); <-nb.done }}, nil
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// ---- the naive registry: a map under a read-write lock ----

func naiveLookupSide(*env) (side, error) {
	var mu sync.RWMutex
	names := map[string]*naiveReq{}
	for i := range registered {
		names[svcName(i)] = &naiveReq{n: i}
	}
	return side{run: func(n int) error {
		for range n {
			mu.RLock()
			r := names["svc-042"]
			mu.RUnlock()
			sink += r.n
		}
		return nil
	}, close: func() {}}, nil
}

func svcName(i int) string { return "svc-" + pad3(i) }

func pad3(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}
