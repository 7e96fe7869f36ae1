// Package diagram draws a run of a [noex.Runtime] as a sequence diagram,
// from the events the runtime emits (collect them with
// [noex.Runtime.Observe] or [noex.WithObserver]): [Lanes] for a terminal,
// one column per process, [Text] as a list of arrows, [Mermaid] for
// documentation.
//
// Each process is a lifeline, named by its registered name (or its id, such
// as "p7", if it never had one; a restarted server keeps its lifeline,
// since it keeps its name). The diagram shows calls and their replies,
// casts, info messages (those of timers and monitors included), bus
// publications and deliveries, subscriptions, starts and restarts, timers
// and sleeps, crashes, stops, failed calls, dropped messages and handler
// errors; it leaves out what only the event log needs (message receipt and
// end of handling, registrations, monitors being set). In deterministic
// mode it also marks where the virtual clock moves.
//
// In a lane diagram a message whose receipt does not follow its send at
// once takes two rows, so a message overtaken by another is visibly
// received after it; the list and Mermaid draw each message once, at its
// send.
//
// The package depends on the standard library and noex only. The
// renderers are deterministic: a deterministic run's events give the same
// diagram byte for byte, which golden tests compare.
package diagram
