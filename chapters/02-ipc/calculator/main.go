// Calculator: call() is request and reply. The caller waits for the result;
// the server keeps a history of every operation, in the order it handled
// them.
//
//	go run ./chapters/02-ipc/calculator
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// listing: calculator-behavior
// CalcCall is a request the calculator answers: Add, Multiply or GetHistory.
type CalcCall interface{ isCalcCall() }

type Add struct{ A, B int }
type Multiply struct{ A, B int }
type GetHistory struct{}

func (Add) isCalcCall()        {}
func (Multiply) isCalcCall()   {}
func (GetHistory) isCalcCall() {}

// CalcReply is the answer: Result for Add and Multiply, History for GetHistory.
type CalcReply struct {
	Result  int
	History []string
}

// CalcState is the calculator's state: every operation so far.
type CalcState struct{ History []string }

// Calculator answers calls and takes no casts (noex.None).
type Calculator struct{}

func (Calculator) Init(ctx context.Context) (CalcState, error) { return CalcState{}, nil }

func (Calculator) HandleCall(ctx context.Context, msg CalcCall, s CalcState) (CalcReply, CalcState, error) {
	switch m := msg.(type) {
	case Add:
		r := m.A + m.B
		return CalcReply{Result: r}, s.record(fmt.Sprintf("%d + %d = %d", m.A, m.B, r)), nil
	case Multiply:
		r := m.A * m.B
		return CalcReply{Result: r}, s.record(fmt.Sprintf("%d * %d = %d", m.A, m.B, r)), nil
	case GetHistory:
		return CalcReply{History: s.History}, s, nil
	}
	return CalcReply{}, s, fmt.Errorf("calculator: unknown call %T", msg)
}

func (Calculator) HandleCast(ctx context.Context, _ noex.None, s CalcState) (CalcState, error) {
	return s, nil
}

// record returns a new state with entry appended; the old history is never
// shared with a reply that was already sent.
func (s CalcState) record(entry string) CalcState {
	h := make([]string, len(s.History), len(s.History)+1)
	copy(h, s.History)
	return CalcState{History: append(h, entry)}
}

// end listing

func demo(ctx context.Context, out io.Writer) error {
	// listing: calculator-usage
	calc, err := noex.Start(ctx, Calculator{})
	if err != nil {
		return err
	}

	// Call blocks until the calculator replies.
	sum, err := calc.Call(ctx, Add{A: 5, B: 3})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sum.Result) // 8

	product, err := calc.Call(ctx, Multiply{A: 4, B: 7})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, product.Result) // 28

	history, err := calc.Call(ctx, GetHistory{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%q\n", history.History) // ["5 + 3 = 8" "4 * 7 = 28"]
	// end listing
	return nil
}
