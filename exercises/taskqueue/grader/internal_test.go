package grader

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
)

func TestParseStack(t *testing.T) {
	tests := []struct {
		reason string
		stack  string
		want   stack
	}{
		{"time.Sleep in a handler", `goroutine 25 [sleep]:
time.Sleep(0x14091e9)
	/usr/local/go/src/runtime/time.go:363 +0x165
github.com/noex-go/noex/exercises/taskqueue.Worker.HandleCast({{0x5d3a41, 0x8}}, {0x642828, 0xc000120a40}, {{{0xc00012e070, 0x54f045}}}, 0xc000012345)
	/home/student/noex/exercises/taskqueue/worker.go:31 +0x72
github.com/noex-go/noex/noex.(*adapter[...]).cast(0x31a259020a00, {0x642828, 0x31a259020a40}, {0x5f1020, 0x31a259006380})
	/home/student/noex/noex/server.go:82 +0x7b
created by github.com/noex-go/noex/noex.startServer in goroutine 23
	/home/student/noex/noex/lifecycle.go:171 +0x8d7`, stack{state: "sleep", call: "time.Sleep", where: "worker.go:31"}},
		{"a channel receive", `goroutine 7 [chan receive]:
github.com/example/tq.(*Producer).HandleCall(0xc0000a6000)
	/src/tq/producer.go:40 +0x2a
github.com/noex-go/noex/noex.(*process).handle(0xc000100000, 0xc000102000)
	/src/noex/noex/process.go:328 +0x1c5`, stack{state: "chan receive", call: "chan receive", where: "producer.go:40"}},
		{"a mutex", `goroutine 9 [sync.Mutex.Lock]:
sync.runtime_SemacquireMutex(0xc000014098, 0x0, 0x1)
	/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).lockSlow(0xc000014090)
	/usr/local/go/src/sync/mutex.go:173 +0x15d
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:92
example.com/tq.Monitor.HandleInfo(0xc000014090)
	/src/tq/monitor.go:12 +0x2a`, stack{state: "sync.Mutex.Lock", call: "sync.Mutex.Lock", where: "monitor.go:12"}},
		{"waiting inside the runtime", `goroutine 234 [select]:
github.com/noex-go/noex/noex.(*scheduler).await(...)
	/work/noex/scheduler.go:136
github.com/noex-go/noex/noex.(*scheduler).receive(0x34a9423b2fc0, 0x34a942322200)
	/work/noex/scheduler.go:186 +0x2a9`, stack{state: "select", inRuntime: true}},
		{"a lock inside the runtime, called from the student's code", `goroutine 12 [sync.Mutex.Lock]:
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:92
github.com/noex-go/noex/noex.(*Runtime).deliver(0xc000100000)
	/work/noex/delivery.go:12 +0x2a
example.com/tq.Producer.HandleCall(0xc000014090)
	/src/tq/producer.go:40 +0x2a`, stack{state: "sync.Mutex.Lock", inRuntime: true}},
	}
	for _, tt := range tests {
		if got := parseStack(tt.stack); got != tt.want {
			t.Errorf("%s: parseStack = %+v, want %+v", tt.reason, got, tt.want)
		}
	}
}

// TestDescribeRunErr checks the words of a run that broke.
func TestDescribeRunErr(t *testing.T) {
	tests := []struct {
		reason string
		err    error
		req    string
		want   string
	}{
		{"a worker blocked in time.Sleep", &noex.EscapeError{Process: "worker-1", Waited: watchdog,
			Stack: "goroutine 1 [sleep]:\ntime.Sleep(0x1)\n\t/go/src/runtime/time.go:1 +0x1\nexample.com/tq.Worker.HandleCast()\n\t/src/worker.go:31 +0x1\n"},
			reqRuntime, "worker.go:31: time.Sleep blocks outside the runtime (worker-1 stopped there"},
		{"a cycle", &noex.DeadlockError{Cycle: []string{"producer waits for worker-0 (call)", "worker-0 waits for producer (call)"}},
			reqRun, "the run deadlocked: the processes wait for each other and none can go on: producer waits for worker-0 (call)"},
		{"nothing blocked, nothing runs", &noex.DeadlockError{}, reqRuntime, "a goroutine started in a handler?"},
		{"something else", errors.New("boom\nmore"), reqRun, "the run failed: boom"},
	}
	for _, tt := range tests {
		f := describeRunErr(tt.err)
		if f.req != tt.req || !strings.Contains(f.obs, tt.want) {
			t.Errorf("%s: describeRunErr = %+v; want requirement %q and %q", tt.reason, f, tt.req, tt.want)
		}
	}
}

// TestDocsHints checks that the hints section of the exercise's doc is the
// grader's hint ladders, and its requirements table the grader's
// requirements; -update rewrites them.
func TestDocsHints(t *testing.T) {
	CheckDocSection(t, "hints", hintsMarkdown())
	CheckDocSection(t, "requirements", requirementsMarkdown())
}

func TestHintFlag(t *testing.T) {
	var h hintValue
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&h, "grade.hint", "")
	if err := fs.Parse([]string{"-grade.hint"}); err != nil || h.level != HintNext {
		t.Errorf("-grade.hint: level %d, err %v; want the next step", h.level, err)
	}
	if err := fs.Parse([]string{"-grade.hint=2"}); err != nil || h.level != 2 {
		t.Errorf("-grade.hint=2: level %d, err %v; want 2", h.level, err)
	}
	if err := fs.Parse([]string{"-grade.hint=lots"}); err == nil {
		t.Error("-grade.hint=lots: no error")
	}
}

func TestBlocking(t *testing.T) {
	tests := []struct {
		st   stack
		want bool
	}{
		{stack{state: "sleep", call: "time.Sleep", where: "worker.go:31"}, true},
		{stack{state: "chan receive", call: "chan receive", where: "producer.go:40"}, true},
		{stack{state: "sync.Mutex.Lock", call: "sync.Mutex.Lock", where: "monitor.go:12"}, true},
		{stack{state: "semacquire", call: "semacquire", where: "monitor.go:30"}, false}, // a garbage collection starting
		{stack{state: "running", call: "", where: "monitor.go:30"}, false},
	}
	for _, tt := range tests {
		if got := tt.st.blocking(); got != tt.want {
			t.Errorf("%+v.blocking() = %v, want %v", tt.st, got, tt.want)
		}
	}
}

func TestCreatedBy(t *testing.T) {
	block := `goroutine 40 [sleep]:
time.Sleep(0x989680)
	/usr/local/go/src/runtime/time.go:363 +0x165
example.com/tq.Worker.HandleCast.func1()
	/src/tq/worker.go:44 +0x2a
created by example.com/tq.Worker.HandleCast in goroutine 25
	/src/tq/worker.go:43 +0x1b1`
	if where, fn, ok := createdBy(block, 25); !ok || where != "worker.go:43" || fn != "tq.Worker.HandleCast" {
		t.Errorf("createdBy = %q, %q, %v; want worker.go:43, tq.Worker.HandleCast, true", where, fn, ok)
	}
	if _, _, ok := createdBy(block, 26); ok {
		t.Error("createdBy matched another goroutine's child")
	}
	runtimeChild := "goroutine 41 [select]:\nnoex.x()\n\t/a.go:1\ncreated by github.com/noex-go/noex/noex.startServer in goroutine 25\n\t/work/noex/lifecycle.go:171 +0x8d7"
	if _, _, ok := createdBy(runtimeChild, 25); ok {
		t.Error("createdBy reported a process the runtime started")
	}
}
