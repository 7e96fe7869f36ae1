package main

import (
	"os"
	"runtime/debug"

	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/noex-go/noex/noexvet"
)

func main() {
	// Run on packages, the command type-checks the whole program from
	// source, and at the default pace the garbage collector takes about a
	// quarter of that time. Unless GOGC says otherwise, trade memory (about
	// 1 GB for this module) for speed.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	singlechecker.Main(noexvet.Analyzer)
}
