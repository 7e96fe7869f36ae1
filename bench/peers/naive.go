package main

import (
	"strconv"
	"sync"

	"github.com/noex-go/noex/internal/naive"
)

// ---- the naive server: a goroutine reading a channel ----

func naiveCallSide(*env) (side, error) {
	reqs, stop := naive.Start(1024)
	total := 0
	return side{run: func(n int) error {
		for range n {
			total++
			if got := naive.Call(reqs, 1); got != total {
				return countCheck("call", got, total)
			}
		}
		return nil
	}, close: stop}, nil
}

func naiveCastSide(*env) (side, error) {
	reqs, stop := naive.Start(1 << 16)
	total := 0
	return side{run: func(n int) error {
		for range n {
			reqs <- naive.Req{N: 1}
		}
		total += n
		return countCheck("casts", naive.Call(reqs, 0), total)
	}, close: stop}, nil
}

func naiveMillionSide(env *env) (side, error) { return millionOf(naiveCastSide(env)) }

// naiveStartStopSide starts a server goroutine, waits until it runs, and
// stops it, waiting until it has ended, as Start and Stop do.
func naiveStartStopSide(*env) (side, error) {
	return side{run: func(n int) error {
		for range n {
			reqs, ready, done := make(chan naive.Req), make(chan struct{}), make(chan struct{})
			go func() { close(ready); naive.Serve(reqs, done) }()
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
		reqs, stop := naive.Start(1 << 16)
		crew := newCrew(k, func(n int) {
			for range n {
				reqs <- naive.Req{N: 1}
			}
		})
		total := 0
		return side{run: func(n int) error {
			total += crew.run(n)
			return countCheck("casts", naive.Call(reqs, 0), total)
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

// The baselines are package naive's: a server that is a goroutine reading a
// channel, and an inline bus.

func naiveBusSide(pattern string, subs int) maker {
	return func(*env) (side, error) {
		count := 0
		h := func(any, string) { count++ }
		list := make([]naive.Sub, subs)
		for i := range list {
			list[i] = naive.NewSub(pattern, h)
		}
		nb := naive.StartBus(list, pubChunk)
		total := 0
		return side{run: func(n int) error {
			nb.PublishWait("a.b", n)
			total += n * subs
			return countCheck("deliveries", count, total)
		}, close: nb.Stop}, nil
	}
}

// ---- the naive registry: a map under a read-write lock ----

func naiveLookupSide(*env) (side, error) {
	var mu sync.RWMutex
	names := map[string]*naive.Req{}
	for i := range registered {
		names[svcName(i)] = &naive.Req{N: i}
	}
	return side{run: func(n int) error {
		for range n {
			mu.RLock()
			r := names["svc-042"]
			mu.RUnlock()
			sink += r.N
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
