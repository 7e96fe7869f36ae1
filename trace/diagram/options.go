package diagram

// Option configures [Lanes], [Text] and [Mermaid]. Options are sealed: only this
// package implements them. A nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	width int // message width
	cols  int // total width of a lane diagram
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// DefaultMessageWidth is how many characters of a message, reply or
// reason an arrow or note shows by default.
const DefaultMessageWidth = 40

// WithMessageWidth sets how many characters of a message, reply or reason
// an arrow or note shows (default [DefaultMessageWidth]); longer texts end
// with "…". A width of 0 or less shows no messages, only what each arrow
// does (call, reply, cast, ...).
func WithMessageWidth(n int) Option {
	return optionFunc(func(c *config) { c.width = max(n, 0) })
}

// WithWidth sets how many columns a lane diagram ([Lanes]) may take
// (default [DefaultWidth]); a terminal's width is a good value. Widths
// under 40 count as 40. [Text] and [Mermaid] ignore it.
func WithWidth(cols int) Option {
	return optionFunc(func(c *config) { c.cols = max(cols, 40) })
}

func newConfig(opts []Option) config {
	cfg := config{width: DefaultMessageWidth, cols: DefaultWidth}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	return cfg
}
