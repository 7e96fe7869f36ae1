// Command bugtable measures how fast each exploration strategy finds each
// bug of the benchmark (package bugbench) and writes the tables that
// docs/exploration.md publishes:
//
//	go run ./bugbench/cmd/bugtable -out docs/exploration-table.md
//
// For every kernel and strategy (random; pct with d = 1, 2, 3; pos;
// portfolio) it runs the buggy program on seeds 1 to -seeds and reports the
// share that find the bug, then runs -campaigns independent campaigns (seeds
// c·100003+1, c·100003+2, … for campaign c) to the first find and reports
// the median number of runs (">cap" when more than half the campaigns hit
// -cap); it runs the fixed program on the same seeds, which must never fail.
// PCT's estimate of a run's length adapts as noextest.Seeds adapts it: from
// the most decisions of the runs of earlier waves (the first seed alone,
// then waves of 16). Then it
// explores every kernel exhaustively (noex.Explore): the runs until the bug
// for the buggy program, and for the fixed one the runs with and without
// partial-order reduction, and whether the search completed.
//
// The work runs on every core; the output does not depend on their number.
// Progress goes to standard error.
package main
