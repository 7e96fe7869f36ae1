// Package trace turns the event stream of a [noex.Runtime] into
// OpenTelemetry spans: [Attach] subscribes to the runtime's events and
// starts and ends one span per message sent and per message handled, so
// that a request that travels through several processes is one trace.
//
// The package depends on the OpenTelemetry API only. Spans go to the
// TracerProvider given with [WithTracerProvider] (by default the global
// one); package [github.com/noex-go/noex/trace/otlp] sets up an SDK
// provider that exports them over OTLP (to Jaeger, for example), to a
// writer or to a test exporter.
//
// # Conventions
//
// The spans follow OpenTelemetry's messaging semantic conventions (the
// version of package go.opentelemetry.io/otel/semconv/v1.43.0, whose
// schema URL the tracer carries, with the noex module's version, see
// [Version]), for calls as well as for casts: noex's calls are messages
// with a reply, not remote procedure calls, so the RPC conventions are not
// used. Every send is a PRODUCER span whose context is the message's
// creation context; every handling is a CONSUMER span, the child of the
// send and linked to it. A span is named "<operation> <destination>", or
// the operation alone when the destination is a process without a name
// (its id, such as "p7", is then messaging.destination.name, with
// messaging.destination.anonymous=true). A failed operation has status
// Error with the error's first line and error.type, one of: "panic" (a
// handler panicked), the name of the noex sentinel the error wraps
// ("noex.ErrCrashed" for a call to a server that crashed,
// "noex.ErrTimeout", "noex.ErrNotRunning", "noex.ErrKilled",
// "noex.ErrShutdown", … as listed in package noex), "noex.caller_ended",
// "noex.dropped", or else the Go type of the error (after fmt.Errorf
// wrappers), such as "*errors.errorString" for an errors.New returned by
// a handler. A panic adds an "exception" event whose exception.type is the
// type of the panic value ("string" for panic("...")).
//
// # Span model
//
// Every span belongs to the process it ran on and has
// messaging.system=noex. The spans are:
//
//   - A [noex.Call]: a producer span "call <target>" on the caller, from
//     the send until the handling that replied ends (or the failure:
//     timeout, crash, not running; or a reply given later with
//     [noex.DeferReply]), and a consumer span "handle_call <target>" for
//     its handling, the producer's child. A call made inside a handler is a
//     child of that handling, so a request through a chain of servers is
//     one trace.
//   - A [noex.Cast] or [noex.Send]: a producer span "cast <target>" or
//     "send <target>" that ends when the message is queued, and a consumer
//     span "handle_cast <target>" or "handle_info <target>" for its
//     handling, the producer's child.
//   - A message that is never handled (its server stopped, crashed or was
//     killed first): a consumer span "drop <target>" with status Error,
//     under the span that sent it, from the send to the drop. An info
//     message to a server without HandleInfo ends its handle_info span
//     with status Error.
//   - A publication on an EventBus ([noex.Publish]): under the bus's
//     handling of the publish message, a producer span "publish <topic>"
//     that lasts the fan-out, and under it one span "deliver <topic>" per
//     subscription: a consumer span for a handler (status Error if it
//     panicked), or a producer span for a mailbox subscription, whose
//     handle_info span at the subscriber is its child.
//   - A timer ([noex.SendAfter], [noex.Sleep]): the event "timer.set" on
//     the handling that set it, and for a sleep "timer.fired" on the same
//     span. The message a SendAfter timer sends starts a trace of its own,
//     linked to the handling that set the timer, with the "timer.fired"
//     event: nested under a handling that ended long before it would not
//     fit, and a periodic timer would grow one endless trace.
//   - A crash: the handling span gets status Error, error.type "panic" and
//     an "exception" event with exception.type (the panic value's type),
//     exception.message and exception.stacktrace (the stack of the panic).
//     The [noex.Down] that a monitor of the crashed process receives starts
//     a trace linked to the crashed handling, so a supervisor's reaction
//     points to the crash.
//   - A supervisor: a span "supervisor <name>", the root of its own trace,
//     from its first child event until it stops, with an instant span
//     "start <child>", "restart <child>" or "stop <child>" per child event
//     (linked to the handling that caused it), and status Error when it
//     exceeded its restart intensity.
//
// Other events of a handler (starting a process, registering a name,
// setting a monitor, subscribing, an injected fault, asking a process to
// stop or killing it: "process.stop_requested" and
// "process.kill_requested", with the target and noex.exit.reason) are span
// events on the handling in progress. Actions of [noex.Runtime.Run]'s body
// are not inside any handling: each call, cast or send it makes starts a
// trace, or, when the context given to Run holds a span (a run inside an
// HTTP request, say), is a child of that span (see
// [noex.Runtime.RunContext]).
//
// # Attributes
//
// Message spans carry messaging.operation.type ("send" for producer spans,
// "process" for consumer spans), messaging.operation.name ("call", "cast",
// "send", "handle_call", "handle_cast", "handle_info", "publish",
// "deliver", "drop"), messaging.destination.name (the target's registered
// name, else its id such as "p7" with messaging.destination.anonymous; for
// publish and deliver, the topic), messaging.message.id, and for
// deliveries messaging.destination.subscription.name (the pattern); the
// keys come from the semconv package. noex adds
// noex.process.id and noex.process.name (the process the span ran on),
// noex.peer.name (the other side), noex.message.kind (call, cast, info),
// noex.message and, on a call's producer span, noex.reply (the values as
// rendered by [noex.FormatMessage]; see [WithoutMessages]), noex.bus.name,
// noex.subscription.id, noex.child.id and noex.exit.reason.
// In deterministic mode every span has noex.seed and, unless the run id is
// 0, noex.run.id.
//
// # Deterministic mode
//
// For a deterministic runtime the spans are stamped with the virtual clock
// (start, end and events), and with a provider that uses [NewIDGenerator]
// their trace and span ids are derived from the seed, the run id and the
// Seq of the event that started them. As the same seed gives the same
// events, it gives the same spans: golden tests compare them. By default
// the run id is random, so that two runs of one seed exported to the same
// backend do not merge into one trace; pass [WithRunID](0) for ids that
// depend on the seed alone.
//
// Virtual time starts in the year 2000 and most actions take no time.
// [WithTimeOrigin] prepares a run for a trace backend: it moves the epoch
// to a given wall-clock time, spreads the events 1µs apart in event order
// (so that the actions of one virtual instant keep their order on a
// timeline, and every child span lies within its parent or, for a consumer,
// starts within its producer and outlasts it), and gives spans that take
// no time a duration of 1ns (Jaeger flags spans whose end is not after
// their start).
//
// # Sampling
//
// A message span starts with the attributes a sampler may decide on, as
// the messaging conventions recommend: messaging.system,
// messaging.operation.type and messaging.operation.name,
// messaging.destination.name (and messaging.destination.anonymous), and in
// deterministic mode noex.seed and noex.run.id. The others are added once
// the span records; a span the sampler drops never has them built.
//
// The sampler is asked once per trace, at its root. A span whose parent is
// not sampled is not started: it would not be sampled by the SDK's default
// sampler (ParentBased) nor by TraceIDRatioBased, which decides by the
// trace id its parent already has. A sampler that samples the children of
// unsampled spans does not see these.
//
// # Cost
//
// With no observer the runtime does not even build its events. Attach adds
// one: the runtime then builds one event per action and the translator
// keeps only what open spans need (maps by process, message and timer id,
// cleaned up as spans end). Spans that the sampler drops cost one call of
// the tracer at the root of their trace and nothing for the spans under it.
package trace
