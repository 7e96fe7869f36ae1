// Package naive holds the baselines that noex's benchmarks, and the
// benchmark of its peers (bench/peers), measure it against: what one writes
// without a runtime.
//
//   - [Serve] is a server: one goroutine that reads requests from a
//     channel, adds their N to its state and replies to those that carry a
//     reply channel ([Call]); [Start] starts one.
//   - [Bus] is an inline event bus: one goroutine that reads publications
//     from a channel and calls every matching handler in subscription
//     order, each one recovered (a handler's panic must not end the bus, as
//     in noex). A wildcard pattern is split once, when it subscribes
//     ([NewSub]), and a publication is matched without allocating
//     ([Match]).
package naive
