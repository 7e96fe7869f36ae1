package bugbench

import (
	"context"
	"slices"

	"github.com/noex-go/noex/noex"
)

// Two-phase commit with presumed abort, the variant of X/Open XA and most
// databases: a coordinator that has no record of a transaction answers
// "abort" to anyone who asks about it. A client transfers money across two
// shards: it debits an account at participant p1, credits one at p2, and
// asks the coordinator to commit. The coordinator asks p1 and p2 to
// prepare; each forces a prepare record to its log and votes yes; the
// coordinator forces its commit decision to its log, sends commit to both,
// and forgets the transaction at once instead of waiting for both
// acknowledgements. Meanwhile p2's recovery agent, which resolves in-doubt
// transactions (prepared, no outcome yet), lists them and asks the
// coordinator about each. If it asks after the coordinator forgot the
// transaction but before p2 got the commit, the answer is a presumed abort:
// the agent aborts the transaction at p2, which then ignores the commit it
// can no longer apply. The transaction committed at p1 and aborted at p2:
// the debit stays, the credit is gone. The fix is the protocol's rule: the
// coordinator keeps a commit decision until every participant has
// acknowledged it.

// txMsg is what the two-phase commit processes cast to each other.
type txMsg interface{ txMsg() }

// beginCommit asks the coordinator to commit the transaction.
type beginCommit struct{}

type prepareTx struct{}

type voteTx struct {
	From string
	Yes  bool
}

type decideTx struct{ Commit bool }

type ackTx struct{ From string }

func (beginCommit) txMsg() {}
func (prepareTx) txMsg()   {}
func (voteTx) txMsg()      {}
func (decideTx) txMsg()    {}
func (ackTx) txMsg()       {}

// txOutcome is what the coordinator answers about the transaction.
type txOutcome string

const (
	txPending   txOutcome = "pending"
	txCommitted txOutcome = "committed"
	txAborted   txOutcome = "aborted"
	txPrepared  txOutcome = "prepared"
	txIdle      txOutcome = "idle"
)

// txQuery asks a coordinator for the outcome of the transaction, or a
// participant for its state.
type txQuery struct{}

// txResolve tells a participant the outcome that its recovery agent
// learnt.
type txResolve struct{ Commit bool }

// txWrite is a write of the transaction at a participant.
type txWrite struct{ Op string }

// txCall is a call to a participant: a write, its state, or a resolution.
type txCall interface{ txCall() }

func (txWrite) txCall()   {}
func (txQuery) txCall()   {}
func (txResolve) txCall() {}

var txParticipants = []string{"p1", "p2"}

// coordinator runs the transaction's two-phase commit. Careful, it keeps
// its decision until every participant acknowledged it; else it forgets
// the transaction as soon as it has sent the decision.
type coordinator struct{ careful bool }

type coordinatorState struct {
	active   bool
	votes    int
	decided  bool
	decision bool
	acks     int
}

var coordName = noex.Name[txQuery, txMsg, txOutcome]("coordinator")

func (coordinator) Init(context.Context) (*coordinatorState, error) {
	return &coordinatorState{}, nil
}

func (coordinator) HandleCall(_ context.Context, _ txQuery, s *coordinatorState) (txOutcome, *coordinatorState, error) {
	switch {
	case s.decided && s.decision:
		return txCommitted, s, nil
	case s.active && !s.decided:
		return txPending, s, nil
	}
	return txAborted, s, nil // presumed abort: no record
}

func (c coordinator) HandleCast(ctx context.Context, m txMsg, s *coordinatorState) (*coordinatorState, error) {
	switch m := m.(type) {
	case beginCommit:
		s.active = true
		for _, p := range txParticipants {
			if err := noex.Cast(ctx, participantName(p), txMsg(prepareTx{})); err != nil {
				return s, err
			}
		}
	case voteTx:
		if !s.active || s.decided || !m.Yes {
			return s, nil
		}
		if s.votes++; s.votes < len(txParticipants) {
			return s, nil
		}
		// Force the decision to the log before anyone hears of it.
		if _, err := noex.Call(ctx, txLogName("coordinator"), "commit"); err != nil {
			return s, err
		}
		s.decided, s.decision = true, true
		for _, p := range txParticipants {
			if err := noex.Cast(ctx, participantName(p), txMsg(decideTx{Commit: true})); err != nil {
				return s, err
			}
		}
		if !c.careful {
			*s = coordinatorState{} // forget the transaction
		}
	case ackTx:
		if s.acks++; s.decided && s.acks == len(txParticipants) {
			*s = coordinatorState{} // every participant knows: forget it
		}
	}
	return s, nil
}

// participant runs the transaction's writes, prepares, commits and
// aborts it.
type participant struct{ id string }

type participantState struct {
	state  txOutcome
	writes []string
}

func participantName(id string) noex.Name[txCall, txMsg, txOutcome] {
	return noex.Name[txCall, txMsg, txOutcome](id)
}

func (participant) Init(context.Context) (*participantState, error) {
	return &participantState{state: txIdle}, nil
}

func (p participant) HandleCall(_ context.Context, c txCall, s *participantState) (txOutcome, *participantState, error) {
	switch c := c.(type) {
	case txWrite:
		s.writes = append(s.writes, c.Op)
	case txResolve:
		if s.state == txPrepared {
			s.resolve(c.Commit)
		}
	}
	return s.state, s, nil
}

func (p participant) HandleCast(ctx context.Context, m txMsg, s *participantState) (*participantState, error) {
	switch m := m.(type) {
	case prepareTx:
		// Force the prepare record to the log, then vote.
		if _, err := noex.Call(ctx, txLogName(p.id), "prepared"); err != nil {
			return s, err
		}
		s.state = txPrepared
		return s, noex.Cast(ctx, coordName, txMsg(voteTx{From: p.id, Yes: true}))
	case decideTx:
		if s.state != txPrepared {
			return s, nil // already resolved: nothing left to apply
		}
		s.resolve(m.Commit)
		return s, noex.Cast(ctx, coordName, txMsg(ackTx{From: p.id}))
	}
	return s, nil
}

// resolve commits or aborts the prepared transaction.
func (s *participantState) resolve(commit bool) {
	s.state = txAborted
	if commit {
		s.state = txCommitted
	}
}

// txLog is a process's log on stable storage: a call forces a record.
type txLog struct{}

func txLogName(owner string) noex.Name[string, noex.None, int] {
	return noex.Name[string, noex.None, int](owner + "-log")
}

func (txLog) Init(context.Context) ([]string, error) { return nil, nil }

func (txLog) HandleCall(_ context.Context, rec string, recs []string) (int, []string, error) {
	recs = append(recs, rec)
	return len(recs), recs, nil
}

func (txLog) HandleCast(_ context.Context, _ noex.None, recs []string) ([]string, error) {
	return recs, nil
}

func forgottenCommit() Kernel {
	return Kernel{
		Name:   "forgotten-commit",
		Title:  "a two-phase commit coordinator forgets a commit that a participant then learns as a presumed abort",
		Source: "classic premature forgetting in presumed-abort two-phase commit",
		Depth:  3,
		Why: "p2 handles the prepare before its recovery agent's list of in-doubt transactions; " +
			"the coordinator handles the last vote (decides and forgets) before the agent's question; " +
			"p2 handles the agent's abort before the coordinator's commit",
		Buggy: forgottenCommitProgram(false),
		Fixed: forgottenCommitProgram(true),
	}
}

func forgottenCommitProgram(careful bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var actors []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			for _, owner := range append([]string{"coordinator"}, txParticipants...) {
				if _, err := noex.Start(ctx, txLog{}, noex.WithName(txLogName(owner).String())); err != nil {
					return err
				}
			}
			if _, err := noex.Start(ctx, coordinator{careful: careful}, noex.WithName(coordName.String())); err != nil {
				return err
			}
			for _, id := range txParticipants {
				if _, err := noex.Start(ctx, participant{id: id}, noex.WithName(id)); err != nil {
					return err
				}
			}
			client, err := startActor(ctx, "client", act(func(ctx context.Context) error {
				for i, op := range []string{"debit 10", "credit 10"} {
					if _, err := noex.Call(ctx, participantName(txParticipants[i]), txCall(txWrite{Op: op})); err != nil {
						return err
					}
				}
				return noex.Cast(ctx, coordName, txMsg(beginCommit{}))
			}))
			if err != nil {
				return err
			}
			recovery, err := startActor(ctx, "recovery", act(func(ctx context.Context) error {
				p2 := participantName("p2")
				s, err := noex.Call(ctx, p2, txCall(txQuery{}))
				if err != nil || s != txPrepared {
					return err // nothing in doubt
				}
				o, err := noex.Call(ctx, coordName, txQuery{})
				if err != nil || o == txPending {
					return err // still being decided: leave it to the coordinator
				}
				_, err = noex.Call(ctx, p2, txCall(txResolve{Commit: o == txCommitted}))
				return err
			}))
			if err != nil {
				return err
			}
			actors = []actorRef{client, recovery}
			return kickAll(ctx, actors...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, actors...); err != nil {
				return err
			}
			var states []txOutcome
			for _, id := range txParticipants {
				s, err := noex.Call(ctx, participantName(id), txCall(txQuery{}))
				if err != nil {
					return err
				}
				states = append(states, s)
			}
			if slices.Contains(states, txCommitted) && slices.Contains(states, txAborted) {
				return violation("the transaction committed at one participant and aborted at the other: %v", states)
			}
			return nil
		})
	}
}
