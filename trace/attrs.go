package trace

import (
	"strconv"

	"github.com/noex-go/noex/noex"
	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys: OpenTelemetry's messaging semantic conventions, then the
// noex ones. The package documentation lists which span carries which.
const (
	keySystem       = "messaging.system"
	keyOpType       = "messaging.operation.type"
	keyOpName       = "messaging.operation.name"
	keyDestination  = "messaging.destination.name"
	keySubscription = "messaging.destination.subscription.name"
	keyMessageID    = "messaging.message.id"

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

	excType    = "exception.type"
	excMessage = "exception.message"
	excStack   = "exception.stacktrace"
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
