// Package maporder holds the cases of the map-order rule: a range over a
// map is reported when its order reaches a send, a reply, output or an
// order that outlives the loop, and not when the order cannot matter or
// is sorted away.
package maporder

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/noex-go/noex/noex"
)

// Hub is a Behavior that keeps its subscribers in a map.
type Hub struct{ Out io.Writer }

type state struct {
	subs  map[string]noex.PID
	count map[string]int
	names []string
	order []string
}

type note struct{ Text string }

func (Hub) Init(ctx context.Context) (*state, error) {
	return &state{subs: map[string]noex.PID{}, count: map[string]int{}}, nil
}

// HandleCall answers with the names: the reply's order is the map's unless
// it is sorted.
func (Hub) HandleCall(ctx context.Context, sorted bool, st *state) ([]string, *state, error) { // want HandleCall:"appends to names in its order"
	if sorted {
		var names []string
		for name := range st.subs {
			names = append(names, name)
		}
		slices.Sort(names)
		return names, st, nil
	}
	var names []string
	for name := range st.subs { // want `^range over a map appends to names in an order that changes from run to run; sort names after the loop, or range over slices\.Sorted\(maps\.Keys\(st\.subs\)\)$`
		names = append(names, name)
	}
	return names, st, nil
}

// HandleCast sends to every subscriber: in map order unless the keys are
// sorted first.
func (Hub) HandleCast(ctx context.Context, n note, st *state) (*state, error) { // want HandleCast:"ranges over a map and sends \\(noex.Send\\)"
	for _, pid := range st.subs { // want `^range over a map sends \(noex\.Send\) in an order that changes from run to run; range over slices\.Sorted\(maps\.Keys\(st\.subs\)\)$`
		if err := noex.Send(ctx, pid, n); err != nil {
			return st, err
		}
	}
	for name := range maps.Keys(st.subs) { // want `^range over a map sends \(noex\.Cast\)`
		_ = noex.Cast(ctx, noex.Name[note, note, note](name), n)
	}
	for _, name := range slices.Sorted(maps.Keys(st.subs)) {
		_ = noex.Send(ctx, st.subs[name], n)
	}
	return st, nil
}

// HandleInfo writes output and keeps an order in the state.
func (h Hub) HandleInfo(ctx context.Context, msg any, st *state) (*state, error) { // want HandleInfo:"ranges over a map and writes output"
	for name, n := range st.count { // want `^range over a map writes output \(fmt\.Fprintf\) in an order`
		fmt.Fprintf(h.Out, "%s=%d\n", name, n)
	}
	for name := range st.count { // want `^range over a map writes output \(fmt\.Println\)`
		fmt.Println(name)
	}
	for name := range st.count { // want `^range over a map appends to st\.order in an order that changes from run to run; sort st\.order after the loop`
		st.order = append(st.order, name)
	}
	var line string
	for name := range st.count { // want `^range over a map builds line in an order that changes from run to run; range over slices\.Sorted\(maps\.Keys\(st\.count\)\)$`
		line += name
	}
	var b strings.Builder
	for name := range st.count { // want `^range over a map writes output \(b\.WriteString\)`
		b.WriteString(name)
	}
	_, err := io.WriteString(h.Out, line+b.String())
	return st, err
}

// Terminate uses map order only where it cannot show: nothing to report.
func (h Hub) Terminate(ctx context.Context, reason error, st *state) {
	total := 0
	for _, n := range st.count {
		total += n // a sum does not depend on the order
	}
	copied := map[string]int{}
	for k, v := range st.count {
		copied[k] = v // nor does a copy into another map
	}
	for k := range copied {
		delete(copied, k)
	}
	for name := range st.count {
		st.names = append(st.names, name)
	}
	sort.Strings(st.names) // sorted after the loop
	var byLen []string
	for name := range st.count {
		byLen = append(byLen, name)
	}
	sort.Slice(byLen, func(i, j int) bool { return len(byLen[i]) < len(byLen[j]) })
	for name := range st.count {
		var local []string // declared in the loop: its order dies with it
		local = append(local, name)
		var sb strings.Builder
		sb.WriteString(name)
		_ = local
	}
	fmt.Fprintln(h.Out, total, len(byLen))
}
