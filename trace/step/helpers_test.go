package step_test

import (
	"context"
	"fmt"
	"io"

	"github.com/noex-go/noex/noex"
)

// printer prints every line it is cast, after the name of the sender.
type printer struct{ out io.Writer }

func (p printer) Init(context.Context) (int, error) { return 0, nil }
func (p printer) HandleCall(_ context.Context, _ noex.None, n int) (int, int, error) {
	return n, n, nil
}
func (p printer) HandleCast(_ context.Context, line string, n int) (int, error) {
	fmt.Fprintln(p.out, line)
	return n + 1, nil
}

// twoWriters has two clients each cast two lines to a printer: the order
// of the four lines is the scheduler's (each client's two stay in order).
// A second Run reads how many lines were printed.
func twoWriters(ctx context.Context, rt *noex.Runtime, out io.Writer) error {
	var p noex.Ref[noex.None, string, int]
	err := rt.Run(ctx, func(ctx context.Context) error {
		var err error
		if p, err = noex.Start(ctx, printer{out: out}, noex.WithName("printer")); err != nil {
			return err
		}
		for _, name := range []string{"ann", "bob"} {
			c, err := noex.Start(ctx, client{printer: p, name: name}, noex.WithName(name))
			if err != nil {
				return err
			}
			if err := noex.Cast(ctx, c, noex.None{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return rt.Run(ctx, func(ctx context.Context) error {
		n, err := noex.Call(ctx, p, noex.None{})
		fmt.Fprintf(out, "%d lines\n", n)
		return err
	})
}

// client casts two lines to the printer when it is cast anything.
type client struct {
	printer noex.Ref[noex.None, string, int]
	name    string
}

func (c client) Init(context.Context) (struct{}, error) { return struct{}{}, nil }
func (c client) HandleCall(_ context.Context, _ noex.None, s struct{}) (struct{}, struct{}, error) {
	return s, s, nil
}
func (c client) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	for i := 1; i <= 2; i++ {
		if err := noex.Cast(ctx, c.printer, fmt.Sprintf("%s %d", c.name, i)); err != nil {
			return s, err
		}
	}
	return s, nil
}
