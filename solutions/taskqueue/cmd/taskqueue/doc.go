// Command taskqueue runs the chapter's task-queue demo on the reference
// solution: it enqueues five tasks, lets the workers run for a second and
// prints what the monitor recorded. It takes the flags of every example of
// the course (deterministic mode with seed 1 by default):
//
//	go run ./solutions/taskqueue/cmd/taskqueue                 # seed 1
//	go run ./solutions/taskqueue/cmd/taskqueue -seed 7 -events # another seed, with the event log
//	go run ./solutions/taskqueue/cmd/taskqueue -real           # real mode
//	go run ./solutions/taskqueue/cmd/taskqueue -diagram        # with a lane diagram
//	go run ./solutions/taskqueue/cmd/taskqueue -html run.html  # a page to step through the run
//	go run ./solutions/taskqueue/cmd/taskqueue -step           # you choose the order of its steps
//	go run ./solutions/taskqueue/cmd/taskqueue -explore=100000 # every distinct schedule, once each
//
// With -otlp (in a build with the otlp tag, which links the OpenTelemetry
// SDK) the run is exported over OTLP/HTTP, configured by the standard
// OTEL_* variables, for example to a local Jaeger:
//
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 go run -tags otlp ./solutions/taskqueue/cmd/taskqueue -seed 7 -otlp
package main
