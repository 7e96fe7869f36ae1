package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/anthdm/hollywood/actor"
	"github.com/noex-go/noex/internal/naive"
)

// hwAdd is a request to a hollywood adder: add n, reply with the state.
type hwAdd struct{ n int }

// hwAdder adds the ints it is sent to its state and answers hwAdd requests.
type hwAdder struct{ state int }

func (a *hwAdder) Receive(c *actor.Context) {
	switch m := c.Message().(type) {
	case int:
		a.state += m
	case hwAdd:
		a.state += m.n
		c.Respond(a.state)
	}
}

func newHwAdder() actor.Receiver { return &hwAdder{} }

func hwRequest(e *actor.Engine, pid *actor.PID, n int) (int, error) {
	v, err := e.Request(pid, hwAdd{n: n}, time.Minute).Result()
	if err != nil {
		return 0, err
	}
	got, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("reply %T, want int", v)
	}
	return got, nil
}

func hwPoison(e *actor.Engine, pid *actor.PID) func() {
	return func() { <-e.Poison(pid).Done() }
}

func hwCallSide(env *env) (side, error) {
	e := env.hw
	pid := e.Spawn(newHwAdder, "adder")
	total := 0
	return side{run: func(n int) error {
		for range n {
			total++
			got, err := hwRequest(e, pid, 1)
			if err != nil {
				return err
			}
			if got != total {
				return countCheck("call", got, total)
			}
		}
		return nil
	}, close: hwPoison(e, pid)}, nil
}

func hwCastSide(env *env) (side, error) {
	e := env.hw
	pid := e.Spawn(newHwAdder, "adder")
	total := 0
	return side{run: func(n int) error {
		for range n {
			e.Send(pid, 1)
		}
		total += n
		got, err := hwRequest(e, pid, 0)
		if err != nil {
			return err
		}
		return countCheck("casts", got, total)
	}, close: hwPoison(e, pid)}, nil
}

func hwMillionSide(env *env) (side, error) { return millionOf(hwCastSide(env)) }

// hwStartee says when it has started.
type hwStartee struct{ ready chan<- struct{} }

func (s *hwStartee) Receive(c *actor.Context) {
	if _, ok := c.Message().(actor.Started); ok {
		s.ready <- struct{}{}
	}
}

// hwStartStopSide spawns an actor, waits until it has started, and poisons
// it (a graceful stop, as noex's Stop), waiting until it has stopped.
func hwStartStopSide(env *env) (side, error) {
	e := env.hw
	ready := make(chan struct{}, 1)
	producer := func() actor.Receiver { return &hwStartee{ready: ready} }
	return side{run: func(n int) error {
		for range n {
			pid := e.Spawn(producer, "startee")
			<-ready
			<-e.Poison(pid).Done()
		}
		return nil
	}, close: func() {}}, nil
}

func hwSendersSide(k int) maker {
	return func(env *env) (side, error) {
		e := env.hw
		pid := e.Spawn(newHwAdder, "adder")
		crew := newCrew(k, func(n int) {
			for range n {
				e.Send(pid, 1)
			}
		})
		total := 0
		return side{run: func(n int) error {
			total += crew.run(n)
			got, err := hwRequest(e, pid, 0)
			if err != nil {
				return err
			}
			return countCheck("casts", got, total)
		}, close: func() { crew.stop(); hwPoison(e, pid)() }}, nil
	}
}

// hwPub is a publication on hollywood's event stream, which has no topics:
// every subscriber gets every event and matches the topic itself.
type hwPub struct {
	topic string
	msg   any
}

// hwBarrier is broadcast after a window's publications: each subscriber
// says when it got it.
type hwBarrier struct{ wg *sync.WaitGroup }

// hwSubscriber counts the publications whose topic its pattern matches.
type hwSubscriber struct {
	text  string
	segs  []string
	count *int
}

func (s *hwSubscriber) Receive(c *actor.Context) {
	switch m := c.Message().(type) {
	case hwPub:
		if naive.Match(s.text, s.segs, m.topic) {
			*s.count++
		}
	case hwBarrier:
		m.wg.Done()
	}
}

// hwBusSide publishes on the engine's event stream, an actor that forwards
// every event to every subscribed actor: each delivery is a message to a
// subscriber's mailbox, handled on the subscriber's goroutine.
func hwBusSide(pattern string, subs int) maker {
	return func(env *env) (side, error) {
		e := env.hw
		counts := make([]int, subs)
		pids := make([]*actor.PID, subs)
		for i := range subs {
			s := &hwSubscriber{text: pattern, segs: naive.SplitPattern(pattern), count: &counts[i]}
			pids[i] = e.Spawn(func() actor.Receiver { return s }, "subscriber")
			e.Subscribe(pids[i])
		}
		barrier := func() {
			var wg sync.WaitGroup
			wg.Add(subs)
			e.BroadcastEvent(hwBarrier{wg: &wg})
			wg.Wait()
		}
		barrier() // the subscriptions are in place
		total := 0
		return side{run: func(n int) error {
			for i := range n {
				e.BroadcastEvent(hwPub{topic: "a.b", msg: i})
			}
			barrier()
			total += n
			for _, c := range counts {
				if c != total {
					return countCheck("deliveries to one subscriber", c, total)
				}
			}
			return nil
		}, close: func() {
			for _, pid := range pids {
				e.Unsubscribe(pid)
				hwPoison(e, pid)()
			}
		}}, nil
	}
}

func hwLookupSide(env *env) (side, error) {
	e := env.hw
	var pids []*actor.PID
	for i := range registered {
		pids = append(pids, e.Spawn(newHwAdder, "svc", actor.WithID(pad3(i))))
	}
	return side{run: func(n int) error {
		for range n {
			pid := e.Registry.GetPID("svc", "042")
			if pid == nil {
				return fmt.Errorf("lookup: svc/042 not found")
			}
			sink += len(pid.ID)
		}
		return nil
	}, close: func() {
		for _, pid := range pids {
			hwPoison(e, pid)()
		}
	}}, nil
}
