package bugbench

import (
	"context"

	"github.com/noex-go/noex/noex"
)

// Cache-aside: a reader that misses the cache reads the database and fills
// the cache with what it read; a writer writes the database and then
// invalidates the cache. If the reader misses (an evictor has just emptied
// the cache), reads the old value before the write, and its fill reaches
// the cache after the writer's invalidation, the cache keeps the old value
// for good (the "stale set" that memcache's leases prevent). The fix is a
// version: the database numbers its values, and the cache refuses a fill
// older than the last invalidation it saw.

type dbRead struct{}

// dbWrite sets the value; its reply is the new version.
type dbWrite struct{ Value int }

// versioned is a value with the database version it comes from.
type versioned struct {
	Value   int
	Version int
}

// dbCall is the database's call: read (the reply is the value and its
// version) or write.
type dbCall interface{ dbCall() }

func (dbRead) dbCall()  {}
func (dbWrite) dbCall() {}

type valueDB struct{}

var valueDBName = noex.Name[dbCall, noex.None, versioned]("db")

func (valueDB) Init(context.Context) (versioned, error) { return versioned{Value: 1, Version: 1}, nil }

func (valueDB) HandleCall(_ context.Context, c dbCall, v versioned) (versioned, versioned, error) {
	if w, ok := c.(dbWrite); ok {
		v = versioned{Value: w.Value, Version: v.Version + 1}
	}
	return v, v, nil
}

func (valueDB) HandleCast(_ context.Context, _ noex.None, v versioned) (versioned, error) {
	return v, nil
}

type cacheGet struct{}

// cacheCast fills the cache with a value read from the database, or
// empties it (Invalidate after a write, of version Version; or eviction).
type cacheCast struct {
	Fill       versioned
	Invalidate bool
	Evict      bool
	Version    int
}

// cached is the cache's content; Value 0 is empty. Floor is the version of
// the last invalidation, below which a versioned cache refuses fills.
type cached struct {
	Value int
	Floor int
}

type cache struct{ versioned bool }

var cacheName = noex.Name[cacheGet, cacheCast, int]("cache")

func (cache) Init(context.Context) (cached, error) { return cached{Value: 1, Floor: 1}, nil }

func (cache) HandleCall(_ context.Context, _ cacheGet, c cached) (int, cached, error) {
	return c.Value, c, nil
}

func (k cache) HandleCast(_ context.Context, m cacheCast, c cached) (cached, error) {
	switch {
	case m.Evict:
		c.Value = 0
	case m.Invalidate:
		c.Value, c.Floor = 0, max(c.Floor, m.Version)
	case !k.versioned || m.Fill.Version >= c.Floor:
		c.Value = m.Fill.Value
	}
	return c, nil
}

func staleCache() Kernel {
	return Kernel{
		Name:   "stale-cache",
		Title:  "a cache-aside reader fills the cache with a value the writer has just replaced",
		Source: "classic stale set in a look-aside cache (what memcache's leases prevent)",
		Depth:  3,
		Why: "the cache handles the evictor's evict before the reader's get (a miss); " +
			"the database handles the reader's read before the writer's write; " +
			"the cache handles the writer's invalidate before the reader's fill",
		Buggy: staleCacheProgram(false),
		Fixed: staleCacheProgram(true),
	}
}

func staleCacheProgram(versionedFills bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var actors []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, valueDB{}, noex.WithName(valueDBName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, cache{versioned: versionedFills}, noex.WithName(cacheName.String())); err != nil {
				return err
			}
			reader, err := startActor(ctx, "reader", act(func(ctx context.Context) error {
				v, err := noex.Call(ctx, cacheName, cacheGet{})
				if err != nil || v != 0 {
					return err
				}
				read, err := noex.Call(ctx, valueDBName, dbCall(dbRead{}))
				if err != nil {
					return err
				}
				return noex.Cast(ctx, cacheName, cacheCast{Fill: read})
			}))
			if err != nil {
				return err
			}
			writer, err := startActor(ctx, "writer", act(func(ctx context.Context) error {
				w, err := noex.Call(ctx, valueDBName, dbCall(dbWrite{Value: 2}))
				if err != nil {
					return err
				}
				return noex.Cast(ctx, cacheName, cacheCast{Invalidate: true, Version: w.Version})
			}))
			if err != nil {
				return err
			}
			evictor, err := startActor(ctx, "evictor", act(func(ctx context.Context) error {
				return noex.Cast(ctx, cacheName, cacheCast{Evict: true})
			}))
			if err != nil {
				return err
			}
			actors = []actorRef{reader, writer, evictor}
			return kickAll(ctx, actors...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, actors...); err != nil {
				return err
			}
			c, err := noex.Call(ctx, cacheName, cacheGet{})
			if err != nil {
				return err
			}
			d, err := noex.Call(ctx, valueDBName, dbCall(dbRead{}))
			if err != nil {
				return err
			}
			if c != 0 && c != d.Value {
				return violation("the cache serves %d but the database holds %d: a stale fill landed after the invalidation", c, d.Value)
			}
			return nil
		})
	}
}
