package main

import "fmt"

// Sizes of the rows.
const (
	castChunk   = 1 << 14 // casts per chunk, each chunk ending with a call
	pubChunk    = 1 << 10 // publications per chunk, each chunk ending with a barrier
	fanout      = 100     // subscribers of the fan-out rows
	million     = 1_000_000
	startChunk  = 64
	callChunk   = 256
	lookupChunk = 1 << 12
	registered  = 100 // names in the registry
)

// senderCounts are the numbers of concurrent senders of the many-senders
// rows.
var senderCounts = []int{1, 2, 8, 64}

// rows returns the table's rows, in order.
func rows() []*row {
	rs := []*row{
		{name: "call", chunk: callChunk, sides: [nSubjects]maker{naiveCallSide, noexCallSide, hwCallSide, paCallSide}},
		{name: "cast", chunk: castChunk, sides: [nSubjects]maker{naiveCastSide, noexCastSide, hwCastSide, paCastSide}},
		{name: "1M casts, then a call", chunk: 1, rounds: 6, sides: [nSubjects]maker{naiveMillionSide, noexMillionSide, hwMillionSide, paMillionSide}},
	}
	for _, pat := range []string{"a.b", "a.*", "*"} {
		rs = append(rs, &row{name: fmt.Sprintf("publish to %d subscribers of %q", fanout, pat), unit: "delivery", per: fanout,
			chunk: pubChunk, sides: [nSubjects]maker{naiveBusSide(pat, fanout), noexBusSide(pat, fanout), hwBusSide(pat, fanout), paBusSide(pat, fanout)}})
	}
	rs = append(rs,
		&row{name: "publish to 1 subscriber", chunk: pubChunk, sides: [nSubjects]maker{naiveBusSide("a.b", 1), noexBusSide("a.b", 1), hwBusSide("a.b", 1), paBusSide("a.b", 1)}},
		&row{name: "start + stop", chunk: startChunk, sides: [nSubjects]maker{naiveStartStopSide, noexStartStopSide, hwStartStopSide, paStartStopSide}},
	)
	for _, k := range senderCounts {
		rs = append(rs, &row{name: fmt.Sprintf("cast, %d concurrent senders", k), chunk: castChunk,
			sides: [nSubjects]maker{naiveSendersSide(k), noexSendersSide(k), hwSendersSide(k), paSendersSide(k)}})
	}
	rs = append(rs, &row{name: "registry lookup", chunk: lookupChunk,
		sides: [nSubjects]maker{naiveLookupSide, noexLookupSide, hwLookupSide, paLookupSide}})
	return rs
}

// countCheck returns an error if a counter that should read want reads got.
func countCheck(what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s: counted %d, want %d", what, got, want)
	}
	return nil
}

// sink keeps lookups from being optimised away.
var sink int
