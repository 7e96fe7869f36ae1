package bugbench

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// Node A holds a lease that makes it the only writer of a storage server.
// Before each write it checks that it still holds the lease, then writes.
// Between its check and its write, an admin revokes the lease (A looked
// dead), node B acquires it and writes: A's write, which left with a lease
// it no longer holds, lands after B's and overwrites it. A check followed
// by an action is not atomic across processes; the fix is a fencing token
// (the lease's number, which grows with each grant): the storage refuses a
// write whose token is lower than one it has already seen.

var errFenced = errors.New("write refused: a newer lease holder has written")

// leaseCall asks for the lease, checks it, or revokes it (Node empty).
type leaseCall struct {
	Op   string // "acquire", "check" or "revoke"
	Node string
}

// grant is a lease answer: whether the node holds the lease, and its token.
type grant struct {
	Held  bool
	Token int
}

type leaseServer struct{}

type leaseState struct {
	holder string
	token  int
}

var leaseName = noex.Name[leaseCall, noex.None, grant]("lease")

func (leaseServer) Init(context.Context) (leaseState, error) { return leaseState{}, nil }

func (leaseServer) HandleCall(_ context.Context, c leaseCall, s leaseState) (grant, leaseState, error) {
	switch c.Op {
	case "acquire":
		if s.holder != "" {
			return grant{}, s, nil
		}
		s.holder, s.token = c.Node, s.token+1
	case "revoke":
		s.holder = ""
		return grant{}, s, nil
	}
	return grant{Held: s.holder == c.Node, Token: s.token}, s, nil
}

func (leaseServer) HandleCast(_ context.Context, _ noex.None, s leaseState) (leaseState, error) {
	return s, nil
}

// storageWrite writes Value as Node, holding the lease numbered Token.
type storageWrite struct {
	Node  string
	Token int
	Value string
}

// storage keeps the last write. Fencing, it refuses writes whose token is
// lower than the highest it has accepted.
type storage struct{ fencing bool }

var storageName = noex.Name[storageWrite, noex.None, storageWrite]("storage")

func (storage) Init(context.Context) (storageWrite, error) { return storageWrite{}, nil }

func (s storage) HandleCall(_ context.Context, w storageWrite, last storageWrite) (storageWrite, storageWrite, error) {
	if w.Value == "" { // a read
		return last, last, nil
	}
	if s.fencing && w.Token < last.Token {
		return last, last, fmt.Errorf("%s with token %d: %w", w.Node, w.Token, errFenced)
	}
	return w, w, nil
}

func (storage) HandleCast(_ context.Context, _ noex.None, last storageWrite) (storageWrite, error) {
	return last, nil
}

// writeAsLeader writes value to the storage if node holds the lease.
func writeAsLeader(ctx context.Context, node, value string) error {
	g, err := noex.Call(ctx, leaseName, leaseCall{Op: "check", Node: node})
	if err != nil || !g.Held {
		return err
	}
	_, err = noex.Call(ctx, storageName, storageWrite{Node: node, Token: g.Token, Value: value})
	if errors.Is(err, errFenced) {
		return nil // no longer the leader: nothing written, as it should be
	}
	return err
}

func staleLeader() Kernel {
	return Kernel{
		Name:   "stale-leader",
		Title:  "a deposed leader's write, checked under its old lease, overwrites the new leader's",
		Source: "classic lease without a fencing token (check-then-act across processes)",
		Depth:  3,
		Why: "the lease server handles node-a's check before the admin's revoke, and the revoke before node-b's acquire; " +
			"the storage handles node-b's write before node-a's",
		Buggy: staleLeaderProgram(false),
		Fixed: staleLeaderProgram(true),
	}
}

func staleLeaderProgram(fencing bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var actors []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, leaseServer{}, noex.WithName(leaseName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, storage{fencing: fencing}, noex.WithName(storageName.String())); err != nil {
				return err
			}
			// node-a is the leader to begin with.
			if _, err := noex.Call(ctx, leaseName, leaseCall{Op: "acquire", Node: "node-a"}); err != nil {
				return err
			}
			a, err := startActor(ctx, "node-a", act(func(ctx context.Context) error {
				return writeAsLeader(ctx, "node-a", "a")
			}))
			if err != nil {
				return err
			}
			admin, err := startActor(ctx, "admin", act(func(ctx context.Context) error {
				_, err := noex.Call(ctx, leaseName, leaseCall{Op: "revoke"})
				return err
			}))
			if err != nil {
				return err
			}
			b, err := startActor(ctx, "node-b", act(func(ctx context.Context) error {
				g, err := noex.Call(ctx, leaseName, leaseCall{Op: "acquire", Node: "node-b"})
				if err != nil || !g.Held {
					return err
				}
				_, err = noex.Call(ctx, storageName, storageWrite{Node: "node-b", Token: g.Token, Value: "b"})
				return err
			}))
			if err != nil {
				return err
			}
			actors = []actorRef{a, admin, b}
			return kickAll(ctx, actors...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, actors...); err != nil {
				return err
			}
			last, err := noex.Call(ctx, storageName, storageWrite{})
			if err != nil {
				return err
			}
			holder, err := noex.Call(ctx, leaseName, leaseCall{Op: "check", Node: "node-b"})
			if err != nil {
				return err
			}
			if holder.Held && last.Token < holder.Token {
				return violation("the storage holds %s's write (lease %d) although %s holds lease %d and wrote before it",
					last.Node, last.Token, "node-b", holder.Token)
			}
			return nil
		})
	}
}
