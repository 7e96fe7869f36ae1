package noextest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

type ping struct{ N int }

func TestProbeReceivesCastsCallsAndInfos(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe(noextest.ProbeName("listener"),
		noextest.ProbeReplies(func(msg any) (any, error) { return "pong", nil }))
	var reply string
	rt.Run(func(ctx context.Context) error {
		ref := noex.Name[ping, ping, string]("listener") // the code under test knows only the name
		if err := noex.Cast(ctx, ref, ping{1}); err != nil {
			return err
		}
		var err error
		reply, err = noex.Call(ctx, ref, ping{2})
		if err != nil {
			return err
		}
		return noex.Send(ctx, p.PID(), ping{3})
	})
	if reply != "pong" {
		t.Errorf("the probe replied %q, want pong", reply)
	}
	p.ExpectMsg(time.Second, ping{1})
	p.ExpectMsg(time.Second, noextest.Message{Kind: noex.KindCall, Msg: ping{2}})
	p.ExpectMsg(time.Second, noextest.Message{Kind: noex.KindInfo, Msg: ping{3}})
	p.ExpectNoMsg(time.Second)
	if got, want := rt.Now(), noex.Epoch.Add(time.Second); !got.Equal(want) {
		t.Errorf("queued messages took virtual time: Now = %v, want %v (only ExpectNoMsg waits)", got, want)
	}
}

func TestProbeWaitsOnVirtualTime(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe()
	start := time.Now()
	rt.Run(func(ctx context.Context) error {
		_, err := noex.SendAfter(ctx, p.PID(), ping{7}, 3*time.Hour)
		return err
	})
	p.ExpectMsg(4*time.Hour, ping{7})
	if got, want := rt.Now(), noex.Epoch.Add(3*time.Hour); !got.Equal(want) {
		t.Errorf("Now = %v, want %v: the probe answers when the message comes, not at the deadline", got, want)
	}
	if wall := time.Since(start); wall > time.Minute {
		t.Errorf("three virtual hours took %v of wall time", wall)
	}
}

func TestProbeFishFor(t *testing.T) {
	rt := noextest.New(t)
	p := rt.NewProbe()
	rt.Run(func(ctx context.Context) error {
		for i := 1; i <= 4; i++ {
			if _, err := noex.SendAfter(ctx, p.PID(), ping{i}, time.Duration(i)*time.Second); err != nil {
				return err
			}
		}
		return nil
	})
	m := p.FishFor(10*time.Second, func(m noextest.Message) bool { return m.Msg.(ping).N == 3 })
	if m.Msg != (ping{3}) {
		t.Errorf("FishFor returned %v, want ping{3}", m)
	}
	if got, want := rt.Now(), noex.Epoch.Add(3*time.Second); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
	p.ExpectMsg(2*time.Second, ping{4}) // 1 and 2 were fished over
}

func TestProbeFailures(t *testing.T) {
	tests := []struct {
		name string
		body func(rt *noextest.Runtime, p *noextest.Probe)
		want []string
	}{{
		name: "no message in time",
		body: func(rt *noextest.Runtime, p *noextest.Probe) { p.ExpectMsg(2*time.Second, ping{1}) },
		want: []string{"ExpectMsg(2s, ping{N:1}): noextest: no message arrived at p2 within 2s", "-noex.seed=11"},
	}, {
		name: "wrong message",
		body: func(rt *noextest.Runtime, p *noextest.Probe) {
			rt.Run(func(ctx context.Context) error { return noex.Send(ctx, p.PID(), ping{2}) })
			p.ExpectMsg(time.Second, ping{1})
		},
		want: []string{"ExpectMsg(1s): message mismatch (-want +got):", "N: 1", "N: 2"},
	}, {
		name: "unexpected message",
		body: func(rt *noextest.Runtime, p *noextest.Probe) {
			rt.Run(func(ctx context.Context) error {
				_, err := noex.SendAfter(ctx, p.PID(), ping{5}, time.Second)
				return err
			})
			p.ExpectNoMsg(time.Minute)
		},
		want: []string{"ExpectNoMsg(1m0s): noextest: unexpected message at p2: info ping{N:5}"},
	}, {
		name: "nothing to fish",
		body: func(rt *noextest.Runtime, p *noextest.Probe) {
			p.FishFor(time.Second, func(noextest.Message) bool { return false })
		},
		want: []string{"FishFor(1s): noextest: no message arrived"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := runFake("TestProbe", func(ft *fakeT) {
				rt := noextest.New(ft, noextest.WithSeed(11))
				tc.body(rt, rt.NewProbe())
			})
			wantContains(t, "the failure", f.errText(), tc.want...)
		})
	}
}

func TestProbeCoreInBody(t *testing.T) {
	rt := noextest.New(t)
	rt.Run(func(ctx context.Context) error {
		p, err := noextest.StartProbe(ctx)
		if err != nil {
			return err
		}
		if _, err := p.Receive(ctx, time.Second, nil); !errors.Is(err, noextest.ErrNoMessage) {
			t.Errorf("Receive on an empty probe = %v, want ErrNoMessage", err)
		}
		if err := noex.Send(ctx, p.PID(), "hello"); err != nil {
			return err
		}
		if err := p.ReceiveNone(ctx, time.Second); !errors.Is(err, noextest.ErrUnexpectedMessage) {
			t.Errorf("ReceiveNone with a message queued = %v, want ErrUnexpectedMessage", err)
		}
		if _, err := p.Receive(ctx, -time.Second, nil); err == nil {
			t.Errorf("Receive with a negative duration succeeded")
		}
		return noex.Stop(ctx, p.PID(), nil)
	})
}

func TestProbeAdaptersNeedAKitProbe(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("ExpectMsg on a StartProbe probe did not panic")
		}
	}()
	var p noextest.Probe
	p.ExpectMsg(time.Second, nil)
}
