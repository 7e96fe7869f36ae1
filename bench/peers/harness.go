package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// subjects are the sides of every row, the baseline first.
var subjects = [...]string{"naive", "noex", "hollywood", "protoactor"}

const nSubjects = len(subjects)

// side is one subject's implementation of a row's operation.
type side struct {
	// run performs n operations and returns once they are handled; it
	// checks what it can (counts, replies) and fails on a wrong one.
	run func(n int) error
	// close releases what the side started.
	close func()
}

// maker sets up a side in env.
type maker func(env *env) (side, error)

// row is one line of the table.
type row struct {
	name   string
	unit   string // what the per-unit time counts, for rows whose operation is several units
	per    int    // units per operation (deliveries per publication); 0 for 1
	chunk  int    // operations per run call
	rounds int    // rounds per pass, if not the default
	sides  [nSubjects]maker
}

// config is what the flags set.
type config struct {
	passes, rounds int
	window         time.Duration
}

// result is a row's measurement: every side's time per operation, per pass.
type result struct {
	row   *row
	nsOp  [nSubjects][]float64
	avail [nSubjects]bool
}

// measure runs the row's passes.
func measure(r *row, env *env, cfg config, progress io.Writer) (*result, error) {
	res := &result{row: r}
	var sides [nSubjects]side
	defer func() {
		for _, s := range sides {
			if s.close != nil {
				s.close()
			}
		}
	}()
	for i, mk := range r.sides {
		if mk == nil {
			continue
		}
		s, err := mk(env)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", r.name, subjects[i], err)
		}
		sides[i], res.avail[i] = s, true
		if err := s.run(r.chunk); err != nil { // warm up
			return nil, fmt.Errorf("%s, %s: %w", r.name, subjects[i], err)
		}
	}
	rounds := cfg.rounds
	if r.rounds > 0 {
		rounds = min(rounds, r.rounds)
	}
	for pass := range cfg.passes {
		fmt.Fprintf(progress, "%s: pass %d/%d\n", r.name, pass+1, cfg.passes)
		var spent [nSubjects]time.Duration
		var ops [nSubjects]int
		for round := range rounds {
			for k := range nSubjects {
				i := (k + round) % nSubjects
				if !res.avail[i] {
					continue
				}
				start, n := time.Now(), 0
				for n == 0 || time.Since(start) < cfg.window {
					if err := sides[i].run(r.chunk); err != nil {
						return nil, fmt.Errorf("%s, %s: %w", r.name, subjects[i], err)
					}
					n += r.chunk
				}
				spent[i] += time.Since(start)
				ops[i] += n
			}
		}
		for i := range nSubjects {
			if res.avail[i] {
				res.nsOp[i] = append(res.nsOp[i], float64(spent[i].Nanoseconds())/float64(ops[i]))
			}
		}
	}
	return res, nil
}

// ratios returns side i's ratio to the baseline, pass by pass.
func (res *result) ratios(i int) []float64 {
	out := make([]float64, len(res.nsOp[i]))
	for p, v := range res.nsOp[i] {
		out[p] = v / res.nsOp[0][p]
	}
	return out
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// table writes the results as a Markdown table.
func table(w io.Writer, results []*result) {
	fmt.Fprintf(w, "| row | %s (time per operation) | %s |\n", subjects[0], strings.Join(subjects[1:], " | "))
	fmt.Fprintf(w, "|---|---|%s\n", strings.Repeat("---|", nSubjects-1))
	for _, res := range results {
		fmt.Fprintf(w, "| %s | %s |", res.row.name, duration(median(res.nsOp[0]), res.row))
		for i := 1; i < nSubjects; i++ {
			if !res.avail[i] {
				fmt.Fprint(w, " – |")
				continue
			}
			rs := res.ratios(i)
			fmt.Fprintf(w, " %.2f× (%.2f–%.2f) |", median(rs), slices.Min(rs), slices.Max(rs))
		}
		fmt.Fprintln(w)
	}
}

// duration renders a time per operation, and per unit for rows whose
// operation is several units.
func duration(ns float64, r *row) string {
	s := formatNS(ns)
	if r.per > 1 {
		s += fmt.Sprintf(", %s per %s", formatNS(ns/float64(r.per)), r.unit)
	}
	return s
}

func formatNS(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case ns >= 1e4:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns >= 100:
		return fmt.Sprintf("%.0f ns", ns)
	}
	return fmt.Sprintf("%.1f ns", ns)
}

// timesTable writes every side's median time per operation (per unit, for
// rows whose operation is several).
func timesTable(w io.Writer, results []*result) {
	fmt.Fprintf(w, "| row (median time) | %s |\n", strings.Join(subjects[:], " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---|", nSubjects))
	for _, res := range results {
		fmt.Fprintf(w, "| %s |", res.row.name)
		for i := range nSubjects {
			if !res.avail[i] {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %s |", duration(median(res.nsOp[i]), res.row))
		}
		fmt.Fprintln(w)
	}
}
