package grader

import (
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// notImplemented says where a run met the sentinel the TODO bodies return,
// or "", and to which part that TODO belongs: handling a noex.Down is part
// 2, the rest part 1. It names the function the sentinel came from: a
// handler or an Init first, since a client method (System.Enqueue) may
// only pass on what a handler answered.
func notImplemented(r *run, sentinel error) (where string, part int) {
	if sentinel == nil {
		return "", 0
	}
	is := func(err error) bool { return err != nil && errors.Is(err, sentinel) }
	where, part = todoInLog(r.events, is)
	if part == 1 {
		return where, part
	}
	if is(r.startErr) {
		return fmt.Sprintf("Start returned %q", r.startErr.Error()), 1
	}
	for _, q := range r.enqueues {
		if is(q.err) {
			return fmt.Sprintf("System.Enqueue returned %q", q.err.Error()), 1
		}
	}
	switch {
	case is(r.compsErr):
		return fmt.Sprintf("System.Completions returned %q", r.compsErr.Error()), 1
	case is(r.shutErr):
		return fmt.Sprintf("System.Shutdown returned %q", r.shutErr.Error()), 1
	}
	return where, part
}

// todoInLog finds the sentinel in the event log: a handler or an Init that
// returned it. A part-1 TODO is returned as soon as it is found; a part-2
// one only if no part-1 one follows.
func todoInLog(events []noex.Event, is func(error) bool) (where string, part int) {
	var byRef map[uint64]noex.Event // messages received, by receiver's ref, for Down handlers
	fallback := ""
	for _, e := range events {
		switch {
		case e.Kind == noex.InitFailed && is(e.Err):
			return fmt.Sprintf("%s's Init returned %q", procName(e.Label), e.Err.Error()), 1
		case e.Kind == noex.MessageHandled && is(e.Err):
			if byRef == nil {
				byRef = receipts(events)
			}
			if m, ok := byRef[e.Ref].Msg.(noex.Down); ok {
				if part == 0 {
					where, part = fmt.Sprintf("%s's HandleInfo for a noex.Down (of %s) returned %q", procName(e.Label),
						m.PID.Label(), e.Err.Error()), 2
				}
				continue
			}
			return fmt.Sprintf("%s's %s returned %q", procName(e.Label), handlerName(e.MsgKind), e.Err.Error()), 1
		case fallback == "" && e.Kind != noex.ReplySent && (is(e.Err) || is(e.Reason)):
			fallback = fmt.Sprintf("event %s", e)
		}
	}
	if part == 0 && fallback != "" {
		return fallback, 1
	}
	return where, part
}

// procName names a process in a sentence: "worker-1", "the producer".
func procName(label string) string {
	if isWorker(label) {
		return label
	}
	return "the " + label
}

// receipts indexes the MessageReceived events by message ref.
func receipts(events []noex.Event) map[uint64]noex.Event {
	m := map[uint64]noex.Event{}
	for _, e := range events {
		if e.Kind == noex.MessageReceived {
			m[e.Ref] = e
		}
	}
	return m
}
