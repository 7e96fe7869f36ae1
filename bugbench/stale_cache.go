package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// A look-aside cache as Facebook's memcache runs it: a reader that misses
// the cache reads the database and fills the cache with what it read; a
// writer only writes the database, and a tailer that follows the database's
// commit log (mcsqueal) sends a delete of the key after each commit,
// through the router (mcrouter) that forwards it to the cache server
// holding the key. The writer never talks to the cache. The writer updates
// the key twice in a row, as a job's status goes from queued to running to
// done. If the reader misses (the first update's delete has just emptied
// the cache), reads the value between the two updates, and its fill reaches
// the cache after the second update's delete, the cache keeps the old value
// for good: the "stale set". The fix is memcache's lease: a miss hands the
// reader a lease, a delete cancels the key's lease, and the cache refuses a
// fill whose lease is no longer valid.

// dbCall is the database's call: read the value (Write 0), or write a new
// one; the reply is the value after the call.
type dbCall struct{ Write int }

// valueDB keeps one value and streams each commit to the tailer.
type valueDB struct{}

var valueDBName = noex.Name[dbCall, noex.None, int]("db")

func (valueDB) Init(context.Context) (int, error) { return 1, nil }

func (valueDB) HandleCall(ctx context.Context, c dbCall, v int) (int, int, error) {
	if c.Write == 0 {
		return v, v, nil
	}
	if err := noex.Cast(ctx, tailerName, commit{Value: c.Write}); err != nil {
		return v, v, err
	}
	return c.Write, c.Write, nil
}

func (valueDB) HandleCast(_ context.Context, _ noex.None, v int) (int, error) { return v, nil }

// commit is an entry of the database's commit log.
type commit struct{ Value int }

// tailer follows the commit log and sends a delete of the key of every
// commit to the router.
type tailer struct{}

var tailerName = noex.Name[noex.None, commit, noex.None]("tailer")

func (tailer) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (tailer) HandleCast(ctx context.Context, _ commit, s noex.None) (noex.None, error) {
	return s, noex.Cast(ctx, routerName, cacheCast{Delete: true})
}

func (tailer) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

// router forwards deletes to the cache server that holds the key.
type router struct{}

var routerName = noex.Name[noex.None, cacheCast, noex.None]("router")

func (router) Init(context.Context) (noex.None, error) { return noex.None{}, nil }

func (router) HandleCast(ctx context.Context, m cacheCast, s noex.None) (noex.None, error) {
	return s, noex.Cast(ctx, cacheName, m)
}

func (router) HandleCall(_ context.Context, _ noex.None, s noex.None) (noex.None, noex.None, error) {
	return s, s, nil
}

// cacheGet reads the cache; a miss comes with a lease.
type cacheGet struct{}

// lookup is the cache's answer: the value (0 on a miss) and, on a miss,
// the lease the filler must present.
type lookup struct {
	Value int
	Lease int
}

// cacheCast fills the cache with a value read from the database under a
// lease, or (Delete) empties it.
type cacheCast struct {
	Fill   int
	Lease  int
	Delete bool
}

// cached is the cache's content (Value 0 is empty) and the lease it
// handed out last (Lease, numbered from 1, valid while Leased).
type cached struct {
	Value  int
	Lease  int
	Leased bool
}

// cache is the look-aside cache. With leases, it refuses fills whose lease
// is not the current one.
type cache struct{ leases bool }

var cacheName = noex.Name[cacheGet, cacheCast, lookup]("cache")

func (cache) Init(context.Context) (cached, error) { return cached{Value: 1}, nil }

func (cache) HandleCall(_ context.Context, _ cacheGet, c cached) (lookup, cached, error) {
	if c.Value != 0 {
		return lookup{Value: c.Value}, c, nil
	}
	c.Lease, c.Leased = c.Lease+1, true
	return lookup{Lease: c.Lease}, c, nil
}

func (k cache) HandleCast(_ context.Context, m cacheCast, c cached) (cached, error) {
	switch {
	case m.Delete:
		c.Value, c.Leased = 0, false
	case !k.leases || c.Leased && m.Lease == c.Lease:
		c.Value, c.Leased = m.Fill, false
	}
	return c, nil
}

func staleCache() Kernel {
	return Kernel{
		Name:   "stale-cache",
		Title:  "a look-aside cache keeps a value that the database has replaced",
		Source: "classic stale set in a look-aside cache (what memcache's leases prevent)",
		Depth:  3,
		Why: "the cache handles the first update's delete (from the tailer, through the router) before the reader's get, a miss; " +
			"the database handles the reader's read before the writer's second update; " +
			"the cache handles the second update's delete before the reader's fill",
		Buggy: staleCacheProgram(false),
		Fixed: staleCacheProgram(true),
	}
}

func staleCacheProgram(leases bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var actors []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, cache{leases: leases}, noex.WithName(cacheName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, router{}, noex.WithName(routerName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, tailer{}, noex.WithName(tailerName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, valueDB{}, noex.WithName(valueDBName.String())); err != nil {
				return err
			}
			reader, err := startActor(ctx, "reader", act(func(ctx context.Context) error {
				l, err := noex.Call(ctx, cacheName, cacheGet{})
				if err != nil || l.Value != 0 {
					return err
				}
				v, err := noex.Call(ctx, valueDBName, dbCall{})
				if err != nil {
					return err
				}
				return noex.Cast(ctx, cacheName, cacheCast{Fill: v, Lease: l.Lease})
			}))
			if err != nil {
				return err
			}
			writer, err := startActor(ctx, "writer", act(func(ctx context.Context) error {
				for _, v := range []int{2, 3} {
					if _, err := noex.Call(ctx, valueDBName, dbCall{Write: v}); err != nil {
						return err
					}
				}
				return nil
			}))
			if err != nil {
				return err
			}
			actors = []actorRef{reader, writer}
			return kickAll(ctx, actors...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, actors...); err != nil {
				return err
			}
			l, err := noex.Call(ctx, cacheName, cacheGet{})
			if err != nil {
				return err
			}
			d, err := noex.Call(ctx, valueDBName, dbCall{})
			if err != nil {
				return err
			}
			if l.Value != 0 && l.Value != d {
				return violation("the cache serves %d but the database holds %d: a stale fill landed after the delete", l.Value, d)
			}
			return nil
		})
	}
}
