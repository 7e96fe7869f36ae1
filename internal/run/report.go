package run

import (
	"errors"
	"fmt"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/noex-go/noex/trace/report"
)

// errReport marks the failure to write the -html report.
var errReport = errors.New("run: -html")

// writeReport writes the run report of res to cfg.HTML; runErr is the
// run's error, if it failed.
func writeReport(cfg Config, res Result, runErr error) error {
	r := report.Run{
		Title:         title(cfg),
		Events:        res.Events,
		Decisions:     res.Decisions,
		Deterministic: !cfg.Real,
		Seed:          cfg.Seed,
		Schedule:      res.Schedule,
		Replay:        replayCommand(cfg),
	}
	if runErr != nil {
		r.Failure = runErr.Error()
		if e, ok := report.FirstFailure(res.Events); ok {
			r.FailedAt = e.Seq
		}
	}
	if err := report.WriteFile(cfg.HTML, r); err != nil {
		return outputError{fmt.Errorf("%w: %w", errReport, err)}
	}
	return nil
}

// command is how the example is run: cfg.Command, else "go run ./<main
// package>" from the build information, else the program's name.
func command(cfg Config) string {
	if cfg.Command != "" {
		return cfg.Command
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path != "" && strings.HasPrefix(bi.Path, bi.Main.Path+"/") {
		return "go run ./" + strings.TrimPrefix(bi.Path, bi.Main.Path+"/")
	}
	if len(os.Args) > 0 {
		return path.Base(os.Args[0])
	}
	return "example"
}

func title(cfg Config) string {
	c := command(cfg)
	return strings.TrimPrefix(c, "go run ./")
}

// replayCommand is the command that replays a deterministic run (the seed
// replays it exactly), or reruns a real one.
func replayCommand(cfg Config) string {
	if cfg.Real {
		return command(cfg) + " -real   (real mode: another run, not a replay)"
	}
	return command(cfg) + " -seed " + strconv.FormatUint(cfg.Seed, 10)
}
