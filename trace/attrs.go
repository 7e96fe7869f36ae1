package trace

import (
	"errors"
	"reflect"
	"strconv"

	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Attribute keys: OpenTelemetry's semantic conventions (messaging, error,
// exception), then the noex ones. The package documentation lists which
// span carries which.
const (
	keySystem       = semconv.MessagingSystemKey
	keyOpType       = semconv.MessagingOperationTypeKey
	keyOpName       = semconv.MessagingOperationNameKey
	keyDestination  = semconv.MessagingDestinationNameKey
	keyAnonymous    = semconv.MessagingDestinationAnonymousKey
	keySubscription = semconv.MessagingDestinationSubscriptionNameKey
	keyMessageID    = semconv.MessagingMessageIDKey
	keyErrorType    = semconv.ErrorTypeKey

	excType    = semconv.ExceptionTypeKey
	excMessage = semconv.ExceptionMessageKey
	excStack   = semconv.ExceptionStacktraceKey
)

// The noex attribute keys.
const (
	keyProcessID   = "noex.process.id"
	keyProcessName = "noex.process.name"
	keyPeerName    = "noex.peer.name"
	keyMsgKind     = "noex.message.kind"
	keyMessage     = "noex.message"
	keyReply       = "noex.reply"
	keySeed        = "noex.seed"
	keyRunID       = "noex.run.id"
	keyTimerID     = "noex.timer.id"
	keyTimerName   = "noex.timer.purpose"
	keyTimerDelay  = "noex.timer.delay"
	keyBus         = "noex.bus.name"
	keySubID       = "noex.subscription.id"
	keyChildID     = "noex.child.id"
	keyReason      = "noex.exit.reason"
	keyName        = "noex.name"
	keyMonitorID   = "noex.monitor.id"
	keyFault       = "noex.fault"
	keyError       = "noex.error"
	keyUnfinished  = "noex.unfinished"
)

// Values of messaging.operation.type and messaging.operation.name.
const (
	opSend    = "send"
	opProcess = "process"

	nameCall       = "call"
	nameCast       = "cast"
	nameSend       = "send"
	nameHandleCall = "handle_call"
	nameHandleCast = "handle_cast"
	nameHandleInfo = "handle_info"
	namePublish    = "publish"
	nameDeliver    = "deliver"
	nameDrop       = "drop"

	systemNoex = "noex"
)

// sendName is the operation name of sending a message of kind k.
func sendName(k noex.MsgKind) string {
	switch k {
	case noex.KindCall:
		return nameCall
	case noex.KindCast:
		return nameCast
	}
	return nameSend
}

// handleName is the operation name of handling a message of kind k.
func handleName(k noex.MsgKind) string {
	switch k {
	case noex.KindCall:
		return nameHandleCall
	case noex.KindCast:
		return nameHandleCast
	}
	return nameHandleInfo
}

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

func pidAttr(p noex.PID) attribute.KeyValue {
	return attribute.Int64(keyProcessID, int64(p.ID()))
}

// anonymous reports whether label names an unnamed process: its label is
// its id ("p7"), which is no destination a span name should carry.
func anonymous(p noex.PID, label string) bool {
	return !p.IsZero() && label == p.String()
}

// spanName is "<operation> <destination>", or the operation alone for an
// anonymous destination (the messaging conventions' span name).
func spanName(op, dest string, anon bool) string {
	if anon || dest == "" {
		return op
	}
	return op + " " + dest
}

// sentinels are the errors error.type names by their sentinel, in the
// order they are tested: a call that timed out because its server crashed
// is a crash.
var sentinels = []struct {
	err  error
	name string
}{
	{noex.ErrCrashed, "noex.ErrCrashed"},
	{noex.ErrKilled, "noex.ErrKilled"},
	{noex.ErrTimeout, "noex.ErrTimeout"},
	{noex.ErrNotRunning, "noex.ErrNotRunning"},
	{noex.ErrShutdown, "noex.ErrShutdown"},
	{noex.ErrCallSelf, "noex.ErrCallSelf"},
	{noex.ErrInitTimeout, "noex.ErrInitTimeout"},
	{noex.ErrInit, "noex.ErrInit"},
	{noex.ErrNotRegistered, "noex.ErrNotRegistered"},
	{noex.ErrNameTaken, "noex.ErrNameTaken"},
	{noex.ErrInvalidName, "noex.ErrInvalidName"},
	{noex.ErrBadMessage, "noex.ErrBadMessage"},
	{noex.ErrForeignRef, "noex.ErrForeignRef"},
	{noex.ErrClosed, "noex.ErrClosed"},
	{noex.ErrNotOwner, "noex.ErrNotOwner"},
	{noex.ErrDeadlock, "noex.ErrDeadlock"},
	{noex.ErrEscape, "noex.ErrEscape"},
	{noex.ErrInvalidTopic, "noex.ErrInvalidTopic"},
}

// errorType is the error.type of err, low in cardinality: "panic" for a
// handler's panic (a [*noex.CrashError]), the name of the noex sentinel it
// wraps (a caller of a crashed server sees "noex.ErrCrashed"), what an
// ErrorType() string method of err says, else the Go type of err (after
// fmt.Errorf wrappers), such as "*errors.errorString" for errors.New.
func errorType(err error) string {
	if _, ok := err.(*noex.CrashError); ok {
		return "panic"
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	return semconv.ErrorType(err).Value.AsString()
}

// typeName is the exception.type of a panic value: its Go type, with the
// package path for a named type ("string", "runtime.boundsError",
// "github.com/x/y.MyErr", "*errors.errorString").
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return "nil"
	}
	if t.PkgPath() != "" && t.Name() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}
