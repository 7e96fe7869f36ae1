// Package jaegertest runs a real Jaeger (v1.76.0, the v2 all-in-one binary)
// on loopback for end-to-end tracing tests and reads traces back through
// Jaeger's query API v1, the API the Jaeger UI uses.
//
// The binary is built once, outside the repository, with
//
//	bash .ci/jaeger.sh build
//
// Start finds it through the environment variable NOEX_JAEGER_BIN, or else in
// the cache directory that script uses. Without a binary, Start skips the
// test, or fails it when NOEX_REQUIRE_JAEGER=1 is set (as in CI).
//
// Each call of Start runs its own Jaeger with in-memory storage on freshly
// picked loopback ports, so tests do not share traces. The configuration is
// jaeger-ci.yaml (a copy of trace/internal/jaegerbin/jaeger-ci.yaml): OTLP
// receivers only, no batch processor, so a trace is queryable as soon as the
// OTLP export request has returned.
package jaegertest
