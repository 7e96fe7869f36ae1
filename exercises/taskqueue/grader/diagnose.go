package grader

import (
	"fmt"
	"strings"
)

// verdict is what one run showed about one requirement.
type verdict struct {
	checked bool   // the requirement applies to the run
	obs     string // "" if the run meets it
	// cause is, for a failure, the index of the requirement whose failure
	// in the same run explains this one (a consequence), or -1 (a root:
	// a mistake of its own).
	cause  int
	replay bool // obs came from comparing two runs of one seed
	slow   bool // the run broke after a wait: it never came to rest, or a process blocked
}

// evaluate checks every requirement in reqs on the run and tells root
// failures from their consequences: a failure is a consequence when a
// requirement it needs failed in the same run, or when the run broke
// before it could be judged. globalFailed says whether the runtime
// requirement, checked once (see probe.go), failed: a root for every run.
func evaluate(x *facts, reqs []requirement, globalFailed bool) []verdict {
	out := make([]verdict, len(reqs))
	for i := range out {
		out[i].cause = -1
	}
	if f, broke := x.runFailed(); broke {
		root := indexOf(reqs, f.req)
		if root < 0 {
			root = indexOf(reqs, reqRun)
		}
		for i, req := range reqs {
			if req.global || req.crash || req.replay && x.r.replayOf == nil {
				continue
			}
			out[i].checked = true
			if i == root {
				out[i].obs, out[i].slow = f.obs, f.slow
				continue
			}
			out[i].obs, out[i].cause = notChecked+"the run failed", root
		}
		return out
	}
	_, crashed := x.injectedCrash()
	enq := indexOf(reqs, reqEnqueue)
	for i, req := range reqs {
		if req.global || req.replay && x.r.replayOf == nil || req.crash && !crashed {
			continue
		}
		out[i].checked = true
		if req.tasks && len(x.ids) == 0 {
			out[i].obs, out[i].cause = x.noTasks(), enq
			continue
		}
		obs := req.check(x)
		if rest, ok := strings.CutPrefix(obs, replayMark); ok {
			obs, out[i].replay = rest, true
		}
		out[i].obs = obs
	}
	markConsequences(reqs, out, globalFailed)
	return out
}

// markConsequences sets the cause of every failure whose needs failed in
// the same run, then follows causes back to their roots.
func markConsequences(reqs []requirement, out []verdict, globalFailed bool) {
	failed := func(id string) int {
		j := indexOf(reqs, id)
		if j < 0 || reqs[j].global && !globalFailed || !reqs[j].global && out[j].obs == "" {
			return -1
		}
		return j
	}
	for i, req := range reqs {
		if out[i].obs == "" || out[i].cause >= 0 {
			continue
		}
		for _, need := range req.needs {
			if j := failed(need); j >= 0 {
				out[i].cause = j
				break
			}
		}
	}
	for i := range out {
		for n := 0; out[i].cause >= 0 && out[out[i].cause].cause >= 0 && n < len(out); n++ {
			out[i].cause = out[out[i].cause].cause
		}
	}
}

// notChecked starts the observation of a requirement that a run could not
// judge.
const notChecked = "not checked: "

// noTasks explains why no task was enqueued.
func (x *facts) noTasks() string {
	for _, q := range x.r.enqueues {
		if q.err != nil {
			return fmt.Sprintf(notChecked+"no task could be enqueued (Enqueue(%q) returned an error: %v)", q.payload, q.err)
		}
	}
	return notChecked + "no task could be enqueued (Enqueue returned no id)"
}
