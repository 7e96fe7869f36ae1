// Package roots holds the entries of the deterministic path other than a
// Behavior's methods: Run bodies, EventBus handlers, supervisor child
// starters, and the test kit's bodies; and code that is not on the path.
package roots

import (
	"context"
	"testing"
	"time"

	"example.com/app/helpers/util"
	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

// Main runs a body on a runtime: the body is on the deterministic path, the
// code around it is not.
func Main() error { // want Main:"calls time.Now"
	began := time.Now() // outside Run: not reported
	rt := noex.NewRuntime(noex.WithSeed(1))
	defer rt.Shutdown(context.Background())
	err := rt.Run(context.Background(), func(ctx context.Context) error {
		time.Sleep(time.Millisecond) // want `^time\.Sleep blocks outside the runtime; use noex\.Sleep\(ctx, d\)$`
		return nil
	})
	_ = time.Since(began)
	if err != nil {
		return err
	}
	return rt.Run(context.Background(), body)
}

// body is handed to Run by name.
func body(ctx context.Context) error {
	_ = time.Now() // want `^time\.Now reads`
	bus, err := noex.StartBus(ctx)
	if err != nil {
		return err
	}
	_, err = noex.Subscribe(ctx, bus, "a.*", func(ctx context.Context, msg any, topic string) {
		go func() {}() // want `^go statement`
	})
	if err != nil {
		return err
	}
	l := &listener{}
	_, err = noex.Subscribe(ctx, bus, "b.*", l.on)
	if err != nil {
		return err
	}
	_, err = noex.Subscribe(ctx, bus, "c.*", util.Handle) // want `^passes util\.Handle, which calls time\.Sleep at util\.go:\d+: time\.Sleep blocks`
	return err
}

type listener struct{ seen int }

// on is handed to Subscribe as a method value.
func (l *listener) on(ctx context.Context, msg any, topic string) {
	l.seen++
	time.Sleep(time.Millisecond) // want `^time\.Sleep blocks`
}

// Tree starts a supervisor whose child starters are on the path.
func Tree(ctx context.Context) error { // want Tree:"calls time.Sleep"
	spec := noex.ChildSpec{
		ID: "a",
		Start: func(ctx context.Context) (noex.PID, error) {
			time.Sleep(time.Millisecond) // want `^time\.Sleep blocks`
			return noex.PID{}, nil
		},
	}
	other := noex.ChildSpec{ID: "b"}
	other.Start = startB
	_, err := noex.StartSupervisor(ctx, noex.SupervisorSpec{Children: []noex.ChildSpec{spec, other}})
	return err
}

func startB(ctx context.Context) (noex.PID, error) {
	_ = time.Now() // want `^time\.Now reads`
	return noex.PID{}, nil
}

// TestKit runs bodies with the test kit.
func TestKit(t *testing.T) { // want TestKit:"calls time.Now"
	rt := noextest.New(t)
	rt.Run(func(ctx context.Context) error {
		_ = time.Now() // want `^time\.Now reads`
		return nil
	})
	_ = rt.RunErr(func(ctx context.Context) error {
		ch := make(chan int)
		<-ch // want `^channel receive`
		return nil
	})
	rt.NewProbe(noextest.ProbeReplies(func(msg any) (any, error) {
		return time.Now(), nil // want `^time\.Now reads`
	}))
}

// NotOnPath takes a function literal, but not from the runtime: not
// reported.
func NotOnPath() { // want NotOnPath:"calls time.Now"
	defer func() { _ = time.Now() }()
	run(func() { time.Sleep(time.Millisecond) })
}

func run(f func()) { f() }

// Program hands its steps to util.Steps, whose parameter type is marked
// //noexvet:root: the steps are on the deterministic path.
func Program(rt *noex.Runtime) error {
	first := func(ctx context.Context) error { return nil }
	_ = util.Step(stepB) // a conversion to the type marks the function too
	return util.Steps(rt, first, stepA, func(ctx context.Context) error {
		return noex.Sleep(ctx, time.Second)
	})
}

func stepA(ctx context.Context) error {
	time.Sleep(time.Second) // want `^time\.Sleep blocks`
	return nil
}

func stepB(ctx context.Context) error {
	_ = time.Now() // want `^time\.Now reads`
	return nil
}

// notRoot is of an unmarked type with the same shape: not on the path.
type notRoot func(ctx context.Context) error

var _ = notRoot(func(ctx context.Context) error { time.Sleep(time.Second); return nil })
