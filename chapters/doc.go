// Package chapters is the course: every code example of each chapter as a
// program that runs with one command, for example
//
//	go run ./chapters/02-ipc/counter
//
// Each example runs in deterministic mode (seed 1) by default; the flags
// -seed N, -real, -events, -diagram, -html, -mermaid and -otlp are shared
// by all of them (see package internal/run); -otlp needs a build with the
// otlp tag (go run -tags otlp ...), which links the OpenTelemetry SDK. Each
// has a test that checks
// what the chapter says it prints or guarantees, under many seeds and in
// real mode.
//
// The chapters' text lives in docs/; every Go listing there is a region of
// a source file here, marked
//
//	// listing: NAME
//	...
//	// end listing
//
// and quoted in the markdown after a comment
//
//	<!-- listing: chapters/02-ipc/counter/main.go NAME -->
//
// The test of this package fails when a listing and its source drift apart;
// `go test ./chapters -update` rewrites the docs from the sources.
package chapters
