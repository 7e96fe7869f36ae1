package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"time"

	hactor "github.com/anthdm/hollywood/actor"
	pactor "github.com/asynkron/protoactor-go/actor"
	_ "github.com/noex-go/noex/bench/peers/internal/protoconflict" // first: see its doc
	"github.com/noex-go/noex/noex"
)

// env is what the sides run in: the noex runtime's Run body (every side
// runs on its goroutine), a hollywood engine and a protoactor system.
type env struct {
	ctx context.Context
	hw  *hactor.Engine
	pa  *pactor.ActorSystem
}

func main() {
	cfg := config{}
	flag.IntVar(&cfg.passes, "passes", 5, "passes per row; the table shows the median and the range over them")
	flag.IntVar(&cfg.rounds, "rounds", 30, "rounds per pass; each side runs one window per round")
	flag.DurationVar(&cfg.window, "window", 20*time.Millisecond, "how long each side runs per round")
	only := flag.String("rows", "", "measure only the rows whose name matches this regular expression")
	flag.Parse()
	if cfg.passes < 1 || cfg.rounds < 1 || cfg.window <= 0 {
		fmt.Fprintln(os.Stderr, "peers: -passes and -rounds must be at least 1, -window positive")
		os.Exit(2)
	}
	filter, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: -rows: %v\n", err)
		os.Exit(2)
	}
	if err := run(cfg, filter, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "peers: %v\n", err)
		os.Exit(1)
	}
}

// run measures the rows that filter matches and writes the tables to out,
// progress to progress.
func run(cfg config, filter *regexp.Regexp, out, progress io.Writer) error {
	quiet := slog.New(slog.DiscardHandler)
	slog.SetDefault(quiet) // hollywood logs through the default logger
	hw, err := hactor.NewEngine(hactor.NewEngineConfig())
	if err != nil {
		return err
	}
	pa := pactor.NewActorSystem(pactor.WithLoggerFactory(func(*pactor.ActorSystem) *slog.Logger { return quiet }))
	defer pa.Shutdown()
	rt := noex.NewRuntime()
	defer func() { _ = rt.Shutdown(context.Background()) }()
	var results []*result
	err = rt.Run(context.Background(), func(ctx context.Context) error {
		e := &env{ctx: ctx, hw: hw, pa: pa}
		for _, r := range rows() {
			if !filter.MatchString(r.name) {
				continue
			}
			res, err := measure(r, e, cfg, progress)
			if err != nil {
				return err
			}
			results = append(results, res)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return errors.New("no row matches -rows")
	}
	fmt.Fprintf(out, "%s, GOMAXPROCS=%d, %d passes × %d rounds of %v windows\n\n",
		runtime.Version(), runtime.GOMAXPROCS(0), cfg.passes, cfg.rounds, cfg.window)
	table(out, results)
	fmt.Fprintln(out)
	timesTable(out, results)
	return nil
}
