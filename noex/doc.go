// Package noex runs Erlang/Elixir-style processes in Go: GenServers that
// talk by Call and Cast, find each other through a Registry, and end, crash
// and are monitored in well-defined ways, in a real mode and in a
// deterministic mode that replays one interleaving per seed.
package noex
