package bugbench_test

import (
	"errors"
	"testing"

	"github.com/noex-go/noex/bugbench"
	"github.com/noex-go/noex/noex"
)

// BenchmarkKernels runs each buggy kernel on seeds 1 to b.N with uniform
// random choice and reports the share of runs that find the bug (%found)
// and the mean number of scheduler steps per run (steps/run). With a fixed
// count the figures are exact and repeatable:
//
//	go test ./bugbench -run '^$' -bench Kernels -benchtime 1000x
func BenchmarkKernels(b *testing.B) {
	for _, k := range bugbench.Kernels() {
		b.Run(k.Name, func(b *testing.B) {
			found, steps := 0, uint64(0)
			for i := range b.N {
				o := run(b, k.Buggy, false, noex.WithSeed(uint64(i+1)), noex.WithStrategy("random"))
				steps += o.steps
				switch {
				case errors.Is(o.err, bugbench.ErrViolation):
					found++
				case o.err != nil:
					b.Fatalf("seed %d: the run failed: %v", i+1, o.err)
				}
			}
			b.ReportMetric(100*float64(found)/float64(b.N), "%found")
			b.ReportMetric(float64(steps)/float64(b.N), "steps/run")
		})
	}
}
