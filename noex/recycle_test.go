package noex

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// seqMsg is message i of sender from.
type seqMsg struct {
	from string
	i    int
}

// seqSrv checks that every sender's messages arrive once each, in order.
type seqSrv struct{}

func (seqSrv) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (seqSrv) HandleCall(ctx context.Context, from string, next map[string]int) (int, map[string]int, error) {
	return next[from], next, nil
}

func (seqSrv) HandleCast(ctx context.Context, m seqMsg, next map[string]int) (map[string]int, error) {
	if m.i != next[m.from] {
		panic(fmt.Sprintf("from %s: got message %d, want %d", m.from, m.i, next[m.from]))
	}
	next[m.from]++
	return next, nil
}

// relay forwards every cast it receives to its target, numbered in the
// order it received them, so that it both receives and sends recycled
// envelopes.
type relay struct{ to Ref[string, seqMsg, int] }

func (r relay) Init(ctx context.Context) (int, error) { return 0, nil }
func (r relay) HandleCall(ctx context.Context, _ string, n int) (int, int, error) {
	return n, n, nil
}
func (r relay) HandleCast(ctx context.Context, m seqMsg, n int) (int, error) {
	return n + 1, Cast(ctx, r.to, seqMsg{from: "relay", i: n})
}

// Cast envelopes go back and forth between senders and receivers: with
// several receivers, a relay that is both, and the Run body casting from
// several goroutines at once, every message still arrives once, in order,
// with its own content.
func TestRecycledCastEnvelopesKeepEveryMessage(t *testing.T) {
	rt := NewRuntime()
	defer rt.Shutdown(context.Background())
	const goroutines, each, sinks = 3, 3000, 3
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		var sink [sinks]Ref[string, seqMsg, int]
		for i := range sink {
			var err error
			if sink[i], err = Start(ctx, seqSrv{}); err != nil {
				return err
			}
		}
		rel, err := Start(ctx, relay{to: sink[0]})
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		for g := range goroutines { // they share the body's context
			wg.Add(1)
			go func() {
				defer wg.Done()
				from := fmt.Sprintf("g%d", g)
				for i := range each {
					Cast(ctx, sink[i%sinks], seqMsg{from: from, i: i / sinks})
					if i%5 == 0 {
						Cast(ctx, rel, seqMsg{from: from, i: i})
					}
				}
			}()
		}
		wg.Wait()
		for k, s := range sink {
			for g := range goroutines {
				if n, err := Call(ctx, s, fmt.Sprintf("g%d", g)); err != nil || n != each/sinks {
					t.Errorf("sink %d, from g%d: %d messages in order, %v; want %d", k, g, n, err, each/sinks)
				}
			}
		}
		relayed, err := Call(ctx, rel, "")
		if err != nil || relayed != goroutines*each/5 {
			t.Errorf("relayed %d, %v; want %d", relayed, err, goroutines*each/5)
		}
		if n, err := Call(ctx, sink[0], "relay"); err != nil || n != relayed {
			t.Errorf("sink 0, from the relay: %d messages in order, %v; want %d", n, err, relayed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// After a burst, a sender keeps at most maxReturned envelopes (plus a
// batch in transit): the rest go to the collector. And it keeps some after
// every burst: the count of what it holds does not drift.
func TestRecycledCastEnvelopesAreBounded(t *testing.T) {
	rt := NewRuntime()
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		s, err := Start(ctx, seqSrv{})
		if err != nil {
			return err
		}
		p := procFrom(ctx)
		for burst := 1; burst <= 3; burst++ {
			for i := range 20000 {
				Cast(ctx, s, seqMsg{from: "main", i: (burst-1)*20000 + i})
			}
			if n, err := Call(ctx, s, "main"); err != nil || n != burst*20000 {
				t.Fatalf("burst %d: handled %d, %v; want %d", burst, n, err, burst*20000)
			}
			kept := 0
			for e := p.freeLocal; e != nil; e = e.link {
				kept++
			}
			for e := p.returned.Load(); e != nil; e = e.link {
				kept++
			}
			if kept == 0 || kept > maxReturned+returnBatch {
				t.Errorf("after burst %d the sender keeps %d envelopes; want some, at most %d", burst, kept, maxReturned+returnBatch)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// freeHeld counts the recycled envelopes p holds.
func freeHeld(p *process) int {
	n := 0
	for e := p.freeLocal; e != nil; e = e.link {
		n++
	}
	for e := p.returned.Load(); e != nil; e = e.link {
		n++
	}
	return n
}

// A sender that idles keeps keptIdle of the envelopes a burst left it,
// counts what it keeps, and goes on recycling: a burst after the trim
// still delivers every message in order.
func TestIdleSenderTrimsItsEnvelopes(t *testing.T) {
	rt := NewRuntime()
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		s, err := Start(ctx, gatedSeq{})
		if err != nil {
			return err
		}
		p := procFrom(ctx)
		for burst := 1; burst <= 2; burst++ {
			// The server waits while the burst queues: the sender holds
			// every envelope of the burst once it is handled.
			open := make(chan struct{})
			if err := Cast(ctx, s, any(open)); err != nil {
				return err
			}
			for i := range 5000 {
				Cast(ctx, s, any(seqMsg{from: "main", i: (burst-1)*5000 + i}))
			}
			close(open)
			if n, err := Call(ctx, s, "main"); err != nil || n != burst*5000 {
				t.Fatalf("burst %d: handled %d, %v; want %d", burst, n, err, burst*5000)
			}
			if held := freeHeld(p); held <= keptIdle {
				t.Fatalf("burst %d: the sender holds %d envelopes before the trim; the test needs more than %d", burst, held, keptIdle)
			}
			// The Run body waits for no messages: it trims as a server's
			// loop does before it blocks. The server returned every
			// envelope before it answered the call.
			p.trimFree()
			if held, counted := freeHeld(p), int(p.returnedN.Load()); held != keptIdle || counted != held {
				t.Errorf("burst %d: after the trim the sender holds %d envelopes and counts %d; want %d and %d",
					burst, held, counted, keptIdle, keptIdle)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// gatedSeq is seqSrv whose casts may also be a channel, which it waits on.
type gatedSeq struct{}

func (gatedSeq) Init(ctx context.Context) (map[string]int, error) { return map[string]int{}, nil }

func (gatedSeq) HandleCall(ctx context.Context, from string, next map[string]int) (int, map[string]int, error) {
	return next[from], next, nil
}

func (gatedSeq) HandleCast(ctx context.Context, m any, next map[string]int) (map[string]int, error) {
	if gate, ok := m.(chan struct{}); ok {
		<-gate
		return next, nil
	}
	return seqSrv{}.HandleCast(ctx, m.(seqMsg), next)
}

// A Run body that has returned lets the envelopes it kept for reuse go:
// its PID, which events and logs hold, must not keep a burst's worth alive.
func TestEndedRunBodyReleasesItsEnvelopes(t *testing.T) {
	rt := NewRuntime()
	defer rt.Shutdown(context.Background())
	var root *process
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		s, err := Start(ctx, gatedSeq{})
		if err != nil {
			return err
		}
		root = procFrom(ctx)
		open := make(chan struct{})
		if err := Cast(ctx, s, any(open)); err != nil {
			return err
		}
		for i := range 1000 {
			Cast(ctx, s, any(seqMsg{from: "main", i: i}))
		}
		close(open)
		if n, err := Call(ctx, s, "main"); err != nil || n != 1000 {
			t.Fatalf("handled %d, %v; want 1000", n, err)
		}
		if freeHeld(root) == 0 {
			t.Fatal("the body holds no envelopes after its casts; the test needs some")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := freeHeld(root); n != 0 || root.spare != nil {
		t.Errorf("after Run the body's process holds %d envelopes and a spare call envelope %v; want none", n, root.spare != nil)
	}
}
