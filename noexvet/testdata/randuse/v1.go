// Package randuse holds the cases of the rand rule: the global functions
// of math/rand, math/rand/v2 and crypto/rand, and sources the code seeds
// itself, which are not reported.
package randuse

import (
	"context"
	"math/rand"
)

// Dice is a Behavior that draws from math/rand's global source.
type Dice struct{}

func (Dice) Init(ctx context.Context) ([]int, error) { // want Init:"calls rand.Perm"
	return rand.Perm(6), nil // want `^rand\.Perm uses the global source, which no seed replays; use noex\.Rand\(ctx\)\.Perm$`
}

func (Dice) HandleCall(ctx context.Context, n int, st []int) (int, []int, error) { // want HandleCall:"calls rand.Intn"
	a := rand.Intn(n)          // want `^rand\.Intn uses the global source, which no seed replays; use noex\.Rand\(ctx\)\.IntN$`
	b := int(rand.Int31n(6))   // want `use noex\.Rand\(ctx\)\.Int32N$`
	c := int(rand.Int63() % 6) // want `use noex\.Rand\(ctx\)\.Int64$`
	if rand.Float64() < 0.5 {  // want `use noex\.Rand\(ctx\)\.Float64$`
		a++
	}
	return a + b + c, st, nil
}

func (Dice) HandleCast(ctx context.Context, seed int64, st []int) ([]int, error) { // want HandleCast:"calls rand.Seed"
	rand.Seed(seed) // want `^rand\.Seed uses the global source, which no seed replays; use noex\.Rand\(ctx\)$`
	buf := make([]byte, 4)
	rand.Read(buf)                                                        // want `^rand\.Read uses the global source, which no seed replays; use noex\.Rand\(ctx\)$`
	rand.Shuffle(len(st), func(i, j int) { st[i], st[j] = st[j], st[i] }) // want `use noex\.Rand\(ctx\)\.Shuffle$`
	// A source the handler seeds itself replays with its seed: not reported.
	r := rand.New(rand.NewSource(seed))
	return append(st, r.Intn(6)), nil
}
