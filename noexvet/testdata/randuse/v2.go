package randuse

import (
	"context"
	crand "crypto/rand"
	"math/rand/v2"

	"github.com/noex-go/noex/noex"
)

// Coin is a Behavior that draws from math/rand/v2's global source and
// from crypto/rand.
type Coin struct{}

func (Coin) Init(ctx context.Context) (uint64, error) { // want Init:"calls rand.Uint64"
	return rand.Uint64(), nil // want `^rand\.Uint64 uses the global source, which no seed replays; use noex\.Rand\(ctx\)\.Uint64$`
}

func (Coin) HandleCall(ctx context.Context, n int, st uint64) (int, uint64, error) { // want HandleCall:"calls rand.IntN"
	a := rand.IntN(n)         // want `use noex\.Rand\(ctx\)\.IntN$`
	b := rand.N(10)           // want `^rand\.N uses the global source, which no seed replays; use noex\.Rand\(ctx\)$`
	c := int(rand.Uint32N(3)) // want `use noex\.Rand\(ctx\)\.Uint32N$`
	return a + b + c, st, nil
}

func (Coin) HandleCast(ctx context.Context, _ int, st uint64) (uint64, error) { // want HandleCast:"calls crypto/rand.Read"
	var b [8]byte
	crand.Read(b[:]) // want `^crypto/rand\.Read differs on every run and no seed replays it; use noex\.Rand\(ctx\)$`
	_ = crand.Text() // want `crypto/rand\.Text differs on every run`
	// The runtime's source, and one seeded by the handler: not reported.
	st += noex.Rand(ctx).Uint64N(10)
	r := rand.New(rand.NewPCG(1, st))
	return st + r.Uint64(), nil
}
