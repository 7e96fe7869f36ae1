package step

import (
	"fmt"
	"io"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/trace/diagram"
)

// Option configures [Run]. Options are sealed: only this package implements
// them. A nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	in     io.Reader
	out    io.Writer
	seed   uint64
	echo   bool
	width  int
	goal   *Goal
	name   string
	replay func(schedule string) string
	rtOpts []noex.Option
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithInput makes the session read its answers from r, one a line, as a
// person types them at the prompt. Without it the input is empty: the
// session quits at the first decision.
func WithInput(r io.Reader) Option {
	return optionFunc(func(c *config) {
		if r != nil {
			c.in = r
		}
	})
}

// WithOutput makes the session write its prompts, the scenario's output and
// its summary to w. Without it they are discarded.
func WithOutput(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if w != nil {
			c.out = w
		}
	})
}

// WithSeed sets the seed of the session's runtimes ([noex.WithSeed]: it
// seeds [noex.Rand]) and of its random answers. The default is 1, the
// examples' default seed.
func WithSeed(seed uint64) Option { return optionFunc(func(c *config) { c.seed = seed }) }

// WithEcho makes the session write each answer it reads after the prompt,
// as a terminal shows what is typed (an empty answer as "(Enter)"). Use it
// when the input is not a terminal (a script, a pipe), so that the output
// reads as a session.
func WithEcho() Option { return optionFunc(func(c *config) { c.echo = true }) }

// WithWidth sets how many columns the session's lines may take: longer step
// descriptions are shortened in the middle, and the lane diagram of d is
// this wide. The default is [diagram.DefaultWidth]; widths under 40 count
// as 40.
func WithWidth(cols int) Option {
	return optionFunc(func(c *config) { c.width = max(cols, 40) })
}

// WithGoal gives the session a goal to check (see [Goal]). A goal without
// a Reached function is ignored.
func WithGoal(g Goal) Option {
	return optionFunc(func(c *config) {
		if g.Reached != nil {
			c.goal = &g
		}
	})
}

// WithName names what is stepped through ("notifications", "lost-update")
// in the session's first line.
func WithName(name string) Option { return optionFunc(func(c *config) { c.name = name }) }

// WithReplayCommand sets how the session shows the command that replays a
// schedule: cmd receives the schedule string ("" for the natural order
// throughout) and returns the command line, such as
// `go run ./chapters/02-ipc/notifications -seed 1 -schedule "3:1,7:2"`
// (the seed alone does not replay it: the schedule, "" included, must be
// given). By default the session shows the runtime options that replay it,
// noex.WithSeed(1), noex.WithSchedule("3:1,7:2").
func WithReplayCommand(cmd func(schedule string) string) Option {
	return optionFunc(func(c *config) {
		if cmd != nil {
			c.replay = cmd
		}
	})
}

// WithRuntimeOptions passes opts to [noex.NewRuntime] for every runtime of
// the session, after its seed and before its chooser. They must not choose
// steps themselves: [noex.WithSchedule] would take the decisions from the
// person, and [noex.WithChooser] and [noex.WithStrategy] are overridden.
func WithRuntimeOptions(opts ...noex.Option) Option {
	return optionFunc(func(c *config) { c.rtOpts = append(c.rtOpts, opts...) })
}

func newConfig(opts []Option) config {
	c := config{in: emptyReader{}, out: io.Discard, seed: 1, width: diagram.DefaultWidth}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.replay == nil {
		seed := c.seed
		c.replay = func(s string) string {
			return fmt.Sprintf("noex.WithSeed(%d), noex.WithSchedule(%q)", seed, s)
		}
	}
	return c
}

// emptyReader is the input of a session given none.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }
