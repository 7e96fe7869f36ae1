// Command peers measures noex for Go beside its peers, in one process and
// in rotating windows, so that every side sees the same machine load:
//
//   - naive: what one writes without a runtime, a goroutine reading a
//     channel (a reply channel per call), and an inline event bus (one
//     goroutine calling the matching handlers, each recovered);
//   - noex: this repository, in real mode;
//   - hollywood: github.com/anthdm/hollywood v1.0.5;
//   - protoactor: github.com/asynkron/protoactor-go.
//
// Run it from the repository's root with
//
//	go -C bench/peers run . [-passes 5] [-rounds 30] [-window 20ms] [-rows regexp]
//
// Each row is one operation (a call round trip, a cast, a publication to
// 100 subscribers, a start and stop, ...). A pass runs the row's sides for
// -rounds rounds; in each round every side runs for one window of -window
// (whole chunks of the row, each ending with a barrier, so that the time
// counts the handling, not just the sending), the side that goes first
// moving on by one every round. A pass gives each side's time per
// operation; the table shows the naive side's median time per operation
// and every side's ratio to it: the median over the passes and, in
// brackets, the lowest and the highest.
//
// The module has a go.mod of its own so that the peers never become
// dependencies of the noex module. docs/performance.md shows a table this
// command printed and says where a ratio is not like for like.
package main
