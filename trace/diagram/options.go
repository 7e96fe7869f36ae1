package diagram

// Option configures [Text] and [Mermaid]. Options are sealed: only this
// package implements them. A nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	width int
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

func newConfig(opts []Option) config {
	cfg := config{width: DefaultMessageWidth}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	return cfg
}
