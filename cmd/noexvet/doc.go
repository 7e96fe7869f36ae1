// Command noexvet reports code on the deterministic path of noex programs
// that escapes the runtime: the wall clock, global randomness, goroutines,
// channels, sync waits, map order that reaches the outside, and I/O. The
// rules are those of package [github.com/noex-go/noex/noexvet].
//
// Run it on packages directly:
//
//	go run github.com/noex-go/noex/cmd/noexvet ./...
//
// or install it and run it through go vet:
//
//	go install github.com/noex-go/noex/cmd/noexvet
//	go vet -vettool=$(go env GOPATH)/bin/noexvet ./...
//
// Each finding is printed as file:line:col: message, and the exit status is
// non-zero when there are findings. -fix applies the suggested fixes,
// -diff prints them as a diff; -help lists the other flags, which are those
// of every analysis command built on golang.org/x/tools/go/analysis.
package main
