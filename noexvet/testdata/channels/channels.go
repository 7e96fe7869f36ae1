// Package channels holds the cases of the channel rule.
package channels

import (
	"context"
	"time"
)

// Pipe is a Behavior that talks to goroutines over channels.
type Pipe struct{}

type state struct {
	in   chan int
	out  chan int
	done chan struct{}
}

func (Pipe) Init(ctx context.Context) (*state, error) {
	// Making and closing channels does not block: not reported.
	st := &state{in: make(chan int, 1), out: make(chan int), done: make(chan struct{})}
	close(st.done)
	return st, nil
}

func (Pipe) HandleCall(ctx context.Context, n int, st *state) (int, *state, error) { // want HandleCall:"sends on a channel"
	st.out <- n    // want `^channel send blocks outside the runtime; send a message instead \(noex\.Send, noex\.Cast\)$`
	got := <-st.in // want `^channel receive blocks outside the runtime; take messages in HandleInfo, or ask with noex\.Call$`
	return got + len(st.in), st, nil
}

func (Pipe) HandleCast(ctx context.Context, n int, st *state) (*state, error) { // want HandleCast:"selects on channels"
	select { // want `^select waits outside the runtime; take messages in HandleInfo, and use noex\.SendAfter for timeouts$`
	case st.out <- n:
	case v := <-st.in:
		n = v
	case <-ctx.Done():
	default:
	}
	for v := range st.in { // want `^range over a channel blocks outside the runtime`
		n += v
	}
	return st, nil
}

func (Pipe) HandleInfo(ctx context.Context, msg any, st *state) (*state, error) { // want HandleInfo:"receives from a channel"
	// time.After is reported by the time rule, and the receive too.
	<-time.After(time.Second) // want `^channel receive` `^time\.After waits`
	return st, nil
}
