package bugbench

import (
	"context"
	"errors"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// An active node holds a lease that makes it the only writer of a shared
// journal; a standby takes over when the lease is free, as an HDFS
// NameNode or an HBase master does. The active checks its lease, then
// appends. Between its check and its append, the lease is revoked (the
// active looked dead), and the standby takes over: it acquires the lease,
// reads the journal's tail to catch up, records itself as the active in
// the service directory so that clients find it, and appends the marker
// that opens its term. The old active's append, which left with a lease it
// no longer holds, lands after that marker: two writers, and a journal
// whose new term holds a record of the old one. A check followed by an
// action is not atomic across processes; the fix is a fencing token (the
// lease's number, which grows with each grant): the journal refuses an
// append whose token is lower than one it has already seen.

var errFenced = errors.New("append refused: a newer lease holder has written")

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

// record is an entry of the journal, appended by Node under lease Token.
type record struct {
	Node  string
	Token int
	Entry string
}

// journalCall appends a record, or (Tail) reads the records.
type journalCall struct {
	Append record
	Tail   bool
}

// journal is an append-only log. Fencing, it refuses appends whose token
// is lower than the highest it has accepted.
type journal struct{ fencing bool }

var journalName = noex.Name[journalCall, noex.None, []record]("journal")

func (journal) Init(context.Context) ([]record, error) {
	return []record{{Node: "node-a", Token: 1, Entry: "a:1"}}, nil
}

func (j journal) HandleCall(_ context.Context, c journalCall, log []record) ([]record, []record, error) {
	if c.Tail {
		return log, log, nil
	}
	if j.fencing && c.Append.Token < log[len(log)-1].Token {
		return nil, log, fmt.Errorf("%s with token %d: %w", c.Append.Node, c.Append.Token, errFenced)
	}
	log = append(log, c.Append)
	return log, log, nil
}

func (journal) HandleCast(_ context.Context, _ noex.None, log []record) ([]record, error) {
	return log, nil
}

// activeDirectory is the service directory: which node clients must use.
type activeDirectory struct{}

var activeName = noex.Name[string, noex.None, string]("active-directory")

func (activeDirectory) Init(context.Context) (string, error) { return "node-a", nil }

func (activeDirectory) HandleCall(_ context.Context, active string, _ string) (string, string, error) {
	return active, active, nil
}

func (activeDirectory) HandleCast(_ context.Context, _ noex.None, active string) (string, error) {
	return active, nil
}

// appendAsActive appends entry to the journal if node holds the lease.
func appendAsActive(ctx context.Context, node, entry string) error {
	g, err := noex.Call(ctx, leaseName, leaseCall{Op: "check", Node: node})
	if err != nil || !g.Held {
		return err
	}
	_, err = noex.Call(ctx, journalName, journalCall{Append: record{Node: node, Token: g.Token, Entry: entry}})
	if errors.Is(err, errFenced) {
		return nil // no longer the active: nothing written, as it should be
	}
	return err
}

// takeOver makes node the active if the lease is free: it acquires the
// lease, catches up with the journal, tells the directory, and opens its
// term with a marker.
func takeOver(ctx context.Context, node string) error {
	g, err := noex.Call(ctx, leaseName, leaseCall{Op: "acquire", Node: node})
	if err != nil || !g.Held {
		return err
	}
	if _, err := noex.Call(ctx, journalName, journalCall{Tail: true}); err != nil {
		return err
	}
	if _, err := noex.Call(ctx, activeName, node); err != nil {
		return err
	}
	_, err = noex.Call(ctx, journalName, journalCall{Append: record{Node: node, Token: g.Token, Entry: "term start"}})
	return err
}

func staleLeader() Kernel {
	return Kernel{
		Name:   "stale-leader",
		Title:  "a deposed active's append, checked under its old lease, lands after the new active's",
		Source: "classic lease without a fencing token (check-then-act across processes)",
		Depth:  3,
		Why: "the lease server handles node-a's check before the admin's revoke, and the revoke before node-b's acquire; " +
			"the journal handles node-b's term marker, the end of its takeover (acquire, catch-up read, directory update, marker), " +
			"before node-a's append",
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
			if _, err := noex.Start(ctx, journal{fencing: fencing}, noex.WithName(journalName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, activeDirectory{}, noex.WithName(activeName.String())); err != nil {
				return err
			}
			// node-a is the active to begin with.
			if _, err := noex.Call(ctx, leaseName, leaseCall{Op: "acquire", Node: "node-a"}); err != nil {
				return err
			}
			a, err := startActor(ctx, "node-a", act(func(ctx context.Context) error {
				return appendAsActive(ctx, "node-a", "a:2")
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
				return takeOver(ctx, "node-b")
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
			log, err := noex.Call(ctx, journalName, journalCall{Tail: true})
			if err != nil {
				return err
			}
			for i, r := range log[1:] {
				if r.Token < log[i].Token {
					return violation("the journal holds %s's %q (lease %d) after %s's %q (lease %d): two writers",
						r.Node, r.Entry, r.Token, log[i].Node, log[i].Entry, log[i].Token)
				}
			}
			return nil
		})
	}
}
