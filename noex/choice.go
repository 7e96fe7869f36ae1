package noex

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Chooser picks the next step of a deterministic run. Choose is called only
// when n ≥ 2 steps are enabled, with the steps ordered oldest first (by when
// each became enabled), and returns an index in [0, n). Choosing 0 every
// time gives the natural order: messages in the order they were sent, timers
// in the order they were set. A property-based tester drives a Chooser so
// that shrinking converges on that order. Choose is called from the
// goroutine that called [Runtime.Run].
type Chooser interface {
	Choose(n int) int
}

// NewSeededChooser returns the Chooser [WithSeed] uses: uniform choices from
// a PCG generator seeded with seed.
func NewSeededChooser(seed uint64) Chooser {
	return &seeded{r: rand.New(rand.NewPCG(seed, 0x6e6f6578))}
}

type seeded struct{ r *rand.Rand }

func (s *seeded) Choose(n int) int { return s.r.IntN(n) }

// Schedule returns the choices the last deterministic runs made, as a string
// that [WithSchedule] replays: comma-separated "decision:choice" pairs for
// every decision that did not take the oldest step ("" means the natural
// order throughout). Decisions are numbered from 0 across every Run of the
// runtime. Real mode returns "".
func (rt *Runtime) Schedule() string {
	if !rt.det {
		return ""
	}
	return strings.Join(rt.sched.rec, ",")
}

// Decisions returns how many scheduling decisions (points where two or more
// steps were enabled) deterministic runs have made so far.
func (rt *Runtime) Decisions() uint64 {
	if !rt.det {
		return 0
	}
	return rt.sched.nDecide
}

// Steps returns how many scheduler steps deterministic runs have taken so
// far: message deliveries, resumptions and timer firings. Real mode returns 0.
func (rt *Runtime) Steps() uint64 {
	if !rt.det {
		return 0
	}
	return rt.sched.stepN.Load()
}

func parseSchedule(s string) (map[uint64]int, error) {
	m := map[uint64]int{}
	s = strings.TrimSpace(s)
	if s == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		d, c, ok := strings.Cut(strings.TrimSpace(part), ":")
		di, err1 := strconv.ParseUint(d, 10, 64)
		ci, err2 := strconv.Atoi(c)
		if !ok || err1 != nil || err2 != nil || ci < 0 {
			return nil, fmt.Errorf("%w: bad entry %q in schedule %q (want decision:choice pairs, like \"3:1,7:2\")",
				ErrSchedule, part, s)
		}
		m[di] = ci
	}
	return m, nil
}
