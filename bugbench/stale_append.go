package bugbench

import (
	"context"
	"slices"

	"github.com/noex-go/noex/noex"
)

// Five Raft nodes replicate a log (five is the size etcd recommends for
// production: it survives two failures). Node n1 leads term 1. A client's
// write reaches n1 while n2, whose election timeout has just fired, runs
// for term 2 with PreVote, as etcd and CockroachDB do: it first asks the
// others whether they would vote for it, and only with a majority of yeses
// does it start the election proper, which increments its term. It asks the
// others for their votes, wins with a majority, appends the no-op entry
// that opens its term (as Raft leaders do) and replicates it; once two
// others have stored it, it is committed. Meanwhile n1, which appended the
// client's write before it heard of term 2, replicates that entry at the
// same index. The rule that a node ignores an AppendEntries of a term older
// than its own (§5.1 of the Raft paper) is missing: a node that handles
// n1's stale AppendEntries after n2's takes n1 for a leader and replaces
// the committed entry with n1's. The entry that a majority stored is no
// longer on a majority: a later election can lose it. The fix is the rule:
// refuse an AppendEntries of an older term.

// logEntry is an entry of the replicated log.
type logEntry struct {
	Term  int
	Value string
}

// raftMsg is what Raft nodes cast: to each other (votes and appends), from
// a client (a write) or from their own election timer.
type raftMsg interface{ raftMsg() }

type electionTimeout struct{}

// preVote asks whether the node would vote for From in term Term, without
// changing anyone's term.
type preVote struct {
	Term                int
	From                string
	LastIndex, LastTerm int
}

type preVoteReply struct {
	Term    int
	Granted bool
}

type clientWrite struct{ Value string }

type requestVote struct {
	Term                int
	From                string
	LastIndex, LastTerm int
}

type voteReply struct {
	Term    int
	From    string
	Granted bool
}

// appendEntries carries one entry, at index PrevIndex+1.
type appendEntries struct {
	Term      int
	From      string
	PrevIndex int
	PrevTerm  int
	Entry     logEntry
}

type appendReply struct {
	Term  int
	From  string
	Match int // the index of the entry stored, if OK
	OK    bool
}

func (electionTimeout) raftMsg() {}
func (preVote) raftMsg()         {}
func (preVoteReply) raftMsg()    {}
func (clientWrite) raftMsg()     {}
func (requestVote) raftMsg()     {}
func (voteReply) raftMsg()       {}
func (appendEntries) raftMsg()   {}
func (appendReply) raftMsg()     {}

// raftView is what a node's call answers: its term, its log, and the
// entry it committed last (Commit is its index, 0 if none).
type raftView struct {
	Node      string
	Term      int
	Log       []logEntry
	Commit    int
	Committed logEntry
}

type raftStatus struct{}

// raftNode is a Raft node of a five-node cluster. With checkTerm it
// refuses AppendEntries of a term older than its own.
type raftNode struct {
	id        string
	peers     []string
	checkTerm bool
}

type raftState struct {
	term      int
	votedFor  string
	leader    bool
	candidate bool
	preVoting bool
	votes     int
	log       []logEntry
	acks      map[int]int // leader: index → how many peers stored it
	commit    int
	committed logEntry
}

const raftMajority = 3

func raftNodeName(id string) noex.Name[raftStatus, raftMsg, raftView] {
	return noex.Name[raftStatus, raftMsg, raftView](id)
}

func (n raftNode) Init(context.Context) (*raftState, error) {
	// n1 leads term 1; the logs are empty.
	return &raftState{term: 1, leader: n.id == "n1", acks: map[int]int{}}, nil
}

func (n raftNode) HandleCall(_ context.Context, _ raftStatus, s *raftState) (raftView, *raftState, error) {
	return raftView{Node: n.id, Term: s.term, Log: slices.Clone(s.log), Commit: s.commit, Committed: s.committed}, s, nil
}

func (n raftNode) HandleCast(ctx context.Context, m raftMsg, s *raftState) (*raftState, error) {
	switch m := m.(type) {
	case electionTimeout:
		s.leader, s.preVoting, s.votes = false, true, 1
		last, lastTerm := s.last()
		return s, n.broadcast(ctx, preVote{Term: s.term + 1, From: n.id, LastIndex: last, LastTerm: lastTerm})
	case preVote:
		granted := m.Term > s.term && s.upToDate(m.LastIndex, m.LastTerm)
		return s, noex.Cast(ctx, raftNodeName(m.From), raftMsg(preVoteReply{Term: s.term, Granted: granted}))
	case preVoteReply:
		if !s.preVoting || !m.Granted {
			return s, nil
		}
		if s.votes++; s.votes < raftMajority {
			return s, nil
		}
		s.term, s.votedFor, s.preVoting, s.candidate, s.votes = s.term+1, n.id, false, true, 1
		last, lastTerm := s.last()
		return s, n.broadcast(ctx, requestVote{Term: s.term, From: n.id, LastIndex: last, LastTerm: lastTerm})
	case clientWrite:
		if !s.leader {
			return s, nil // the client retries elsewhere
		}
		return s, n.replicate(ctx, s, logEntry{Term: s.term, Value: m.Value})
	case requestVote:
		s.observe(m.Term)
		granted := m.Term == s.term && (s.votedFor == "" || s.votedFor == m.From) && s.upToDate(m.LastIndex, m.LastTerm)
		if granted {
			s.votedFor = m.From
		}
		return s, noex.Cast(ctx, raftNodeName(m.From), raftMsg(voteReply{Term: s.term, From: n.id, Granted: granted}))
	case voteReply:
		s.observe(m.Term)
		if !s.candidate || m.Term != s.term || !m.Granted {
			return s, nil
		}
		if s.votes++; s.votes < raftMajority {
			return s, nil
		}
		s.candidate, s.leader = false, true
		return s, n.replicate(ctx, s, logEntry{Term: s.term, Value: "no-op"})
	case appendEntries:
		if n.checkTerm && m.Term < s.term {
			return s, noex.Cast(ctx, raftNodeName(m.From), raftMsg(appendReply{Term: s.term, From: n.id}))
		}
		s.observe(m.Term)
		s.leader, s.candidate, s.preVoting = false, false, false // m.From leads this term
		ok := m.PrevIndex <= len(s.log) && (m.PrevIndex == 0 || s.log[m.PrevIndex-1].Term == m.PrevTerm)
		if i := m.PrevIndex; ok {
			// An entry that conflicts with the new one (same index, other
			// term) goes, with all that follow it; the new one is appended
			// unless the log has it already.
			if i < len(s.log) && s.log[i].Term != m.Entry.Term {
				s.log = s.log[:i]
			}
			if i == len(s.log) {
				s.log = append(s.log, m.Entry)
			}
		}
		return s, noex.Cast(ctx, raftNodeName(m.From), raftMsg(appendReply{Term: s.term, From: n.id, Match: m.PrevIndex + 1, OK: ok}))
	case appendReply:
		s.observe(m.Term)
		if !s.leader || m.Term != s.term || !m.OK {
			return s, nil
		}
		// An entry of the leader's term that a majority stored (the leader
		// and two peers) is committed.
		if s.acks[m.Match]++; s.acks[m.Match]+1 >= raftMajority && m.Match > s.commit && s.log[m.Match-1].Term == s.term {
			s.commit, s.committed = m.Match, s.log[m.Match-1]
		}
	}
	return s, nil
}

// observe moves to a newer term, as a follower.
func (s *raftState) observe(term int) {
	if term > s.term {
		s.term, s.votedFor, s.leader, s.candidate, s.preVoting = term, "", false, false, false
	}
}

// upToDate reports whether a log that ends with an entry of index last and
// term lastTerm is at least as up to date as the node's.
func (s *raftState) upToDate(last, lastTerm int) bool {
	mine, mineTerm := s.last()
	return lastTerm > mineTerm || lastTerm == mineTerm && last >= mine
}

// last is the index and term of the last entry of the log (0, 0 if empty).
func (s *raftState) last() (int, int) {
	if len(s.log) == 0 {
		return 0, 0
	}
	return len(s.log), s.log[len(s.log)-1].Term
}

// replicate appends e to the leader's log and sends it to every peer.
func (n raftNode) replicate(ctx context.Context, s *raftState, e logEntry) error {
	prev, prevTerm := s.last()
	s.log = append(s.log, e)
	return n.broadcast(ctx, appendEntries{Term: s.term, From: n.id, PrevIndex: prev, PrevTerm: prevTerm, Entry: e})
}

// broadcast casts m to every peer, in order.
func (n raftNode) broadcast(ctx context.Context, m raftMsg) error {
	for _, p := range n.peers {
		if err := noex.Cast(ctx, raftNodeName(p), m); err != nil {
			return err
		}
	}
	return nil
}

func staleAppend() Kernel {
	return Kernel{
		Name:   "stale-append",
		Title:  "a Raft node applies an append of a deposed leader over a committed entry",
		Source: "classic missing term check in Raft's AppendEntries (a stale leader's message)",
		Depth:  3,
		Why: "n1 handles the client's write before n2's vote request; " +
			"n2 handles its election timeout before n1's append; " +
			"a node that stored n2's first entry handles n1's append after it",
		Buggy: staleAppendProgram(false),
		Fixed: staleAppendProgram(true),
	}
}

func staleAppendProgram(checkTerm bool) Program {
	ids := []string{"n1", "n2", "n3", "n4", "n5"}
	return func(ctx context.Context, rt *noex.Runtime) error {
		var client actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			for _, id := range ids {
				peers := slices.DeleteFunc(slices.Clone(ids), func(p string) bool { return p == id })
				if _, err := noex.Start(ctx, raftNode{id: id, peers: peers, checkTerm: checkTerm}, noex.WithName(id)); err != nil {
					return err
				}
			}
			var err error
			client, err = startActor(ctx, "client", act(func(ctx context.Context) error {
				return noex.Cast(ctx, raftNodeName("n1"), raftMsg(clientWrite{Value: "x=1"}))
			}))
			if err != nil {
				return err
			}
			if err := kickAll(ctx, client); err != nil {
				return err
			}
			return noex.Cast(ctx, raftNodeName("n2"), raftMsg(electionTimeout{}))
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, client); err != nil {
				return err
			}
			var views []raftView
			for _, id := range ids {
				v, err := noex.Call(ctx, raftNodeName(id), raftStatus{})
				if err != nil {
					return err
				}
				views = append(views, v)
			}
			for _, c := range views {
				if c.Commit == 0 {
					continue
				}
				var holders []string
				for _, v := range views {
					if len(v.Log) >= c.Commit && v.Log[c.Commit-1] == c.Committed {
						holders = append(holders, v.Node)
					}
				}
				if len(holders) < raftMajority {
					return violation("entry %d %v, committed by %s, is on %v only: a deposed leader's append replaced it",
						c.Commit, c.Committed, c.Node, holders)
				}
			}
			return nil
		})
	}
}
