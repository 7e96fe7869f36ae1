package grader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Hints are a ladder, three rungs per requirement: what the requirement
// means and why (with the chapter's section, in docs/02-ipc.md), then which
// mechanism meets it, then the code. -grade.hint shows the next rung for
// the report's first mistake; the docs' hints section shows the same
// ladders, one rung per click.

// HintLevels is the number of rungs of each requirement's hint ladder.
const HintLevels = 3

var hints = map[string][HintLevels]string{
	reqRun: {
		"Each run starts the system, enqueues 12 tasks, waits until they are done and stops it. Once the work is " +
			"done the system must come to rest: no process may go on sending messages forever.",
		"A system that never comes to rest usually gives the same task out again and again, or has two processes " +
			"answering each other forever. The report names the busiest processes and the last message each " +
			"handled: follow that message back to the handler that sends it.",
		"The producer takes a task off its queue when it gives it to a worker, and puts it back only when that " +
			"worker ends without finishing it.",
	},
	reqRuntime: {
		"In deterministic mode the runtime runs one process at a time, on a virtual clock, from a seed. A handler " +
			"that sleeps, waits on a channel or a lock, starts a goroutine, reads the wall clock or draws from " +
			"math/rand does it behind the runtime's back (docs/deterministic-mode.md).",
		"The message names the file and the line, and what the runtime offers instead. A goroutine is not a " +
			"process: do the work in the handler, which may wait on the runtime's clock while the others run.",
		"`time.Sleep` becomes `noex.Sleep(ctx, d)`; `time.Now`, `noex.Now(ctx)`; `math/rand`, `noex.Rand(ctx)`; a " +
			"goroutine or a channel, a message to a process.",
	},
	reqEnqueue: {
		"A client enqueues a task by asking the producer and waiting for the answer, the task's id: one request, " +
			"one response (chapter: \"Call: Request-Response\"). Two messages, a cast and then a question, would " +
			"let other clients' tasks slip in between.",
		"System.Enqueue makes one call to the producer, whose message carries the payload; the producer's " +
			"HandleCall queues the task and answers with its id.",
		"In System.Enqueue: `return noex.Call(ctx, ProducerName, Enqueue{Payload: payload})`. In the producer's " +
			"HandleCall: make the task, queue it, dispatch, and return its id.",
	},
	reqIDs: {
		"Every task gets its own id, and one seed gives the same ids every time: deterministic mode replays a " +
			"run from its seed, so nothing may come from the wall clock or from global randomness (the chapter's " +
			"solution uses Date.now() and Math.random()).",
		"Keep a counter in the producer's state; if you want randomness too, take it from the runtime.",
		"`st.seq++; id := TaskID(fmt.Sprintf(\"task-%d-%04x\", st.seq, noex.Rand(ctx).IntN(1<<16)))`",
	},
	reqCasts: {
		"The producer hands a task to a worker and goes on at once, without waiting for the work (chapter: " +
			"\"Cast: Fire-and-Forget\"). A call would hold the producer for the whole task, and no task could be " +
			"enqueued meanwhile.",
		"The producer casts an Assign to an idle worker's process; the worker's HandleCast takes it.",
		"`noex.Cast(ctx, noex.RefOf[noex.None, Assign, noex.None](w.PID), Assign{Task: t})`, where w is the " +
			"Ready of an idle worker.",
	},
	reqWork: {
		"A worker does its task in its handler, in its own process, and the work takes time on the runtime's " +
			"clock. In deterministic mode that clock is virtual: waiting on it costs nothing and lets the other " +
			"processes run, while time.Sleep stops them all; and a goroutine is not a process at all " +
			"(docs/deterministic-mode.md).",
		"Simulate the work in HandleCast itself by waiting workTime(ctx) with the runtime's Sleep; then publish " +
			"the completion and say Ready, still in the handler.",
		"`if err := noex.Sleep(ctx, workTime(ctx)); err != nil { return st, err }`",
	},
	reqPublish: {
		"A worker tells whoever cares that a task is done by publishing on the event bus: it needs to know no one " +
			"(chapter: \"EventBus: Pub/Sub Communication\", and its order-processing pipeline).",
		"Publish a Completion{TaskID, Worker} on TopicCompleted on the bus, then cast Ready{Done: the task} to " +
			"the producer, with nothing that waits in between.",
		"`noex.Publish(ctx, BusName, TopicCompleted, Completion{TaskID: a.Task.ID, Worker: st.name})`",
	},
	reqSubscribe: {
		"The monitor must hear of every completion, so it subscribes before any can be published: in its Init, " +
			"which runs before Start returns (chapter: \"Subscribing in Init, and waiting\"). Its pattern must match " +
			"\"task.completed\" (chapter: \"Wildcard Subscriptions\": * is exactly one segment).",
		"Subscribe in the monitor's Init with CompletionPattern, and return the error if it fails.",
		"`if _, err := noex.SubscribeMailbox(ctx, BusName, CompletionPattern); err != nil { return nil, err }`",
	},
	reqRecords: {
		"The monitor answers GetCompletions with every completion it received, kept in its own state. A " +
			"Subscribe handler runs inside the bus's process and cannot change the monitor's state: the chapter's " +
			"Monitor only logs there, and its getCompletions is always empty.",
		"Subscribe with SubscribeMailbox: the bus then sends each completion to the monitor's mailbox as a " +
			"noex.Publication, and HandleInfo, in the monitor's own process, appends it to the state. HandleCall " +
			"answers with a copy.",
		"In HandleInfo: `if p, ok := msg.(noex.Publication); ok { if c, ok := p.Msg.(Completion); ok { " +
			"st.completions = append(st.completions, c) } }`. In HandleCall: `return slices.Clone(st.completions), st, nil`.",
	},
	reqOnce: {
		"Each task is given to one worker, once, and completed once: the producer takes a task off its queue " +
			"when it gives it out, and a worker gets one task at a time.",
		"Keep the queued tasks and the idle workers in the producer's state, in slices; dispatch pairs the " +
			"oldest task with the worker that has waited longest, taking both off their lists, until one is empty.",
		"`for len(st.queue) > 0 && len(st.idle) > 0 { w := st.idle[0]; st.idle = st.idle[1:]; t := st.queue[0]; " +
			"if err := noex.Cast(...); err != nil { continue }; st.queue = st.queue[1:] }`",
	},
	reqAll: {
		"All three workers take tasks: a worker says Ready when it starts and after each task, and the producer " +
			"gives a queued task to any idle worker.",
		"Each worker casts Ready{Worker, PID} to the producer from its Init; the producer keeps every ready " +
			"worker in its idle list, once, until it gives it a task.",
		"In the worker's Init: `noex.Cast(ctx, ProducerName, Ready{Worker: w.Name, PID: noex.Self(ctx)})`. In " +
			"the producer's HandleCast: append r to st.idle unless its PID is there already, then dispatch.",
	},
	reqCleanup: {
		"After Shutdown nothing is left: no name registered, no process running, no subscription on the bus " +
			"(chapter: \"Automatic Cleanup\"). A subscription belongs to the process that made it and goes with it.",
		"Shutdown is given: keep it. Subscribe from the monitor's own process (its Init), and start no process " +
			"that the system does not stop.",
		"System.Shutdown stops what Start started, in reverse order; the bus drops the monitor's subscription " +
			"when the monitor ends.",
	},
	reqReplay: {
		"One seed, one run: deterministic mode replays any run exactly from its seed. Anything that reads the " +
			"wall clock, global randomness or the order of a Go map breaks that.",
		"In handlers use noex.Now and noex.Rand; never range over a map where the order can show (in a message, " +
			"or in which worker gets which task).",
		"Keep the idle workers and the queued tasks in slices; use maps only to look things up by PID.",
	},
	reqMonitors: {
		"The producer must hear when a worker dies holding a task, so it watches each worker process before it " +
			"gives it a task: a monitor delivers a noex.Down to HandleInfo when the process ends.",
		"Monitor a worker's process when its first Ready arrives, and remember which processes you monitor, to " +
			"do it once.",
		"`if !st.watch[r.PID] { if _, err := noex.Monitor(ctx, r.PID); err != nil { return st, err }; " +
			"st.watch[r.PID] = true }`",
	},
	reqRequeue: {
		"When a worker ends in the middle of a task, that task goes back to the queue, first in line: the " +
			"producer knows which task each worker process holds.",
		"Remember, per worker PID, the task dispatch gave it, and forget it when its Ready comes; in HandleInfo, " +
			"on a noex.Down, put the dead process's task back at the head of the queue and dispatch.",
		"`if t, ok := st.busy[d.PID]; ok { delete(st.busy, d.PID); st.queue = slices.Insert(st.queue, 0, t) }`",
	},
	reqRestart: {
		"The supervisor restarts a crashed worker in a new process, which registers the worker's name again; " +
			"one-for-one, the other workers go on.",
		"Start is given: the workers run under a one-for-one supervisor, each registered under its name. Keep it.",
		"`noex.ServerChild(name, Worker{Name: name}, noex.WithName(name))` in Start, as given.",
	},
	reqRehired: {
		"A restarted worker is a new process, with a new PID, and the producer must give it tasks: a reference " +
			"to the crashed process is dead, and casts to it fail.",
		"Know a worker by the PID in its latest Ready, not by the first reference you saw for its name; forget " +
			"a process when its Down arrives.",
		"In HandleInfo, on a Down: `st.idle = slices.DeleteFunc(st.idle, func(x Ready) bool { return x.PID == " +
			"d.PID })`. In HandleCast, use r.PID as it comes.",
	},
	reqNoneLost: {
		"Every task is completed, even when a worker crashes in the middle of it: its task is given again, to " +
			"another worker or to the restarted one.",
		"Requeue on Down, and dispatch after every change: a new task, a Ready, a Down.",
		"Call `st.dispatch(ctx)` at the end of HandleCall, HandleCast and HandleInfo.",
	},
	reqNoneTwice: {
		"A task a worker finished is not given again: a Down comes after every message its process sent, so " +
			"the worker's Ready with Done arrives first.",
		"On a Ready, forget the task the worker held (it is done); requeue only what a dead worker still held.",
		"In the producer's HandleCast: `delete(st.busy, r.PID)`.",
	},
}

// HintText returns the first level rungs of the hint ladder of the
// requirement named req, and how many rungs there are.
func HintText(req string, level int) string {
	id := ""
	for _, r := range requirements {
		if r.name == req {
			id = r.id
		}
	}
	ladder, ok := hints[id]
	if !ok {
		return ""
	}
	level = min(max(level, 1), HintLevels)
	var b strings.Builder
	fmt.Fprintf(&b, "Hint %d of %d for %q:\n", level, HintLevels, req)
	for i := range level {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, ladder[i])
	}
	return strings.TrimRight(b.String(), "\n")
}

// FirstMistake returns the requirement of the report's first root failure,
// in part order, or "".
func (r *Report) FirstMistake() string {
	for _, p := range r.Parts {
		if p.Seeds+p.RealRuns == 0 {
			continue
		}
		for _, res := range p.Ordered() {
			if !res.Passed() && res.Cause == "" {
				return res.Requirement
			}
		}
	}
	return ""
}

// hintLadder remembers, in a small JSON file, how far up each
// requirement's ladder -grade.hint has gone.
type hintLadder struct{ path string }

// defaultHintFile is where the ladder is kept unless NOEX_GRADE_HINTS
// names a file: in the user's cache directory.
func defaultHintFile(lookup func(string) (string, bool)) string {
	if p, ok := lookup("NOEX_GRADE_HINTS"); ok && p != "" {
		return p
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "noex", "taskqueue-hints.json")
}

// next returns the next rung for req and records it.
func (l hintLadder) next(req string) (int, error) {
	levels, err := l.load()
	if err != nil {
		return 1, err
	}
	n := min(levels[req]+1, HintLevels)
	levels[req] = n
	return n, l.save(levels)
}

// set records that req's ladder is at level.
func (l hintLadder) set(req string, level int) error {
	levels, err := l.load()
	if err != nil {
		return err
	}
	levels[req] = level
	return l.save(levels)
}

func (l hintLadder) load() (map[string]int, error) {
	levels := map[string]int{}
	b, err := os.ReadFile(l.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return levels, nil
	case err != nil:
		return levels, fmt.Errorf("grader: reading the hint ladder: %w", err)
	}
	if err := json.Unmarshal(b, &levels); err != nil {
		return map[string]int{}, nil // a damaged file starts the ladders again
	}
	return levels, nil
}

func (l hintLadder) save(levels map[string]int) error {
	b, err := json.MarshalIndent(levels, "", "  ")
	if err != nil {
		return fmt.Errorf("grader: encoding the hint ladder: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return fmt.Errorf("grader: saving the hint ladder: %w", err)
	}
	if err := os.WriteFile(l.path, b, 0o644); err != nil {
		return fmt.Errorf("grader: saving the hint ladder: %w", err)
	}
	return nil
}
