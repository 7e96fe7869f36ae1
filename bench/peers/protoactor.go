package main

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/noex-go/noex/internal/naive"
)

// paAdd is a request to a protoactor adder: add n, reply with the state.
type paAdd struct{ n int }

// paAdder adds the ints it is sent to its state and answers paAdd requests.
type paAdder struct{ state int }

func (a *paAdder) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case int:
		a.state += m
	case paAdd:
		a.state += m.n
		c.Respond(a.state)
	}
}

var paAdderProps = actor.PropsFromProducer(func() actor.Actor { return &paAdder{} })

func paRequest(sys *actor.ActorSystem, pid *actor.PID, n int) (int, error) {
	v, err := sys.Root.RequestFuture(pid, paAdd{n: n}, time.Minute).Result()
	if err != nil {
		return 0, err
	}
	got, ok := v.(int)
	if !ok {
		return 0, fmt.Errorf("reply %T, want int", v)
	}
	return got, nil
}

func paPoison(sys *actor.ActorSystem, pid *actor.PID) func() {
	return func() { _ = sys.Root.PoisonFuture(pid).Wait() }
}

func paCallSide(env *env) (side, error) {
	sys := env.pa
	pid := sys.Root.Spawn(paAdderProps)
	total := 0
	return side{run: func(n int) error {
		for range n {
			total++
			got, err := paRequest(sys, pid, 1)
			if err != nil {
				return err
			}
			if got != total {
				return countCheck("call", got, total)
			}
		}
		return nil
	}, close: paPoison(sys, pid)}, nil
}

func paCastSide(env *env) (side, error) {
	sys := env.pa
	pid := sys.Root.Spawn(paAdderProps)
	total := 0
	return side{run: func(n int) error {
		for range n {
			sys.Root.Send(pid, 1)
		}
		total += n
		got, err := paRequest(sys, pid, 0)
		if err != nil {
			return err
		}
		return countCheck("casts", got, total)
	}, close: paPoison(sys, pid)}, nil
}

func paMillionSide(env *env) (side, error) { return millionOf(paCastSide(env)) }

// paStartee says when it has started.
type paStartee struct{ ready chan<- struct{} }

func (s *paStartee) Receive(c actor.Context) {
	if _, ok := c.Message().(*actor.Started); ok {
		s.ready <- struct{}{}
	}
}

// paStartStopSide spawns an actor, waits until it has started, and poisons
// it (a graceful stop, as noex's Stop), waiting until it has stopped.
func paStartStopSide(env *env) (side, error) {
	sys := env.pa
	ready := make(chan struct{}, 1)
	props := actor.PropsFromProducer(func() actor.Actor { return &paStartee{ready: ready} })
	return side{run: func(n int) error {
		for range n {
			pid := sys.Root.Spawn(props)
			<-ready
			if err := sys.Root.PoisonFuture(pid).Wait(); err != nil {
				return err
			}
		}
		return nil
	}, close: func() {}}, nil
}

func paSendersSide(k int) maker {
	return func(env *env) (side, error) {
		sys := env.pa
		pid := sys.Root.Spawn(paAdderProps)
		crew := newCrew(k, func(n int) {
			for range n {
				sys.Root.Send(pid, 1)
			}
		})
		total := 0
		return side{run: func(n int) error {
			total += crew.run(n)
			got, err := paRequest(sys, pid, 0)
			if err != nil {
				return err
			}
			return countCheck("casts", got, total)
		}, close: func() { crew.stop(); paPoison(sys, pid)() }}, nil
	}
}

// paPub is a publication on a protoactor event stream, which has no
// topics: each subscription's predicate matches the topic.
type paPub struct {
	topic string
	msg   any
}

// paBusSide publishes on an event stream of its own: Publish calls the
// handlers whose predicate accepts the event, in the publisher's
// goroutine, without recovering a panic.
func paBusSide(pattern string, subs int) maker {
	return func(*env) (side, error) {
		es := eventstream.NewEventStream()
		segs := naive.SplitPattern(pattern)
		count := 0
		for range subs {
			es.SubscribeWithPredicate(func(any) { count++ }, func(evt any) bool {
				p, ok := evt.(paPub)
				return ok && naive.Match(pattern, segs, p.topic)
			})
		}
		total := 0
		return side{run: func(n int) error {
			for i := range n {
				es.Publish(paPub{topic: "a.b", msg: i})
			}
			total += n * subs
			return countCheck("deliveries", count, total)
		}, close: func() {}}, nil
	}
}

func paLookupSide(env *env) (side, error) {
	sys := env.pa
	var pids []*actor.PID
	for i := range registered {
		pid, err := sys.Root.SpawnNamed(paAdderProps, svcName(i))
		if err != nil {
			return side{}, err
		}
		pids = append(pids, pid)
	}
	return side{run: func(n int) error {
		for range n {
			p, ok := sys.ProcessRegistry.GetLocal("svc-042")
			if !ok {
				return fmt.Errorf("lookup: svc-042 not found")
			}
			if p != nil {
				sink++
			}
		}
		return nil
	}, close: func() {
		for _, pid := range pids {
			paPoison(sys, pid)()
		}
	}}, nil
}
