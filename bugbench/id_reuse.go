package bugbench

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/noex-go/noex/noex"
)

// A session server numbers sessions with the lowest free id, as a kernel
// numbers file descriptors. Opening a session checks the client's token
// with the auth server; closing one releases the locks the session holds
// at the lock server, as ZooKeeper drops a session's ephemeral nodes.
// Client A opens a session and writes to it by id. Meanwhile a reaper
// sweeps the sessions that have no write yet, oldest first, as reapers
// walk a least-recently-used list: an abandoned session, then A's new one,
// which has not written yet; and client C logs in (it fetches a token) and
// opens a session. If C opens its session after the sweep closed A's, C
// gets A's id, and A's write lands in C's session: the ABA problem, with a
// session id for the pointer. The runtime never reuses a process id for
// this reason; the fix does the same with session ids, so that A's write
// fails and A opens a session again.

var errNoSession = errors.New("no such session")

// sessionCall is the session server's call: open a session for an owner
// with its token (the reply is the new session), write to one by id, list
// the sessions with no write yet, close one, or list every session, closed
// ones included.
type sessionCall interface{ sessionCall() }

type openSession struct{ Owner, Token string }

type writeSession struct {
	ID   int
	From string
}

type listIdle struct{}

type closeSession struct{ ID int }

type sessionLogs struct{}

func (openSession) sessionCall()  {}
func (writeSession) sessionCall() {}
func (listIdle) sessionCall()     {}
func (closeSession) sessionCall() {}
func (sessionLogs) sessionCall()  {}

type session struct {
	ID     int
	Owner  string
	Writes []string
}

// sessionServer keeps the open sessions and, for the check, the closed
// ones. Unique, it never gives an id twice; else it gives the lowest free
// id.
type sessionServer struct{ unique bool }

type sessionState struct {
	open   []session
	closed []session
	next   int
}

var sessionsName = noex.Name[sessionCall, noex.None, []session]("sessions")

func (sessionServer) Init(context.Context) (*sessionState, error) { return &sessionState{next: 1}, nil }

func (s sessionServer) HandleCall(ctx context.Context, c sessionCall, st *sessionState) ([]session, *sessionState, error) {
	switch c := c.(type) {
	case openSession:
		if _, err := noex.Call(ctx, authName, authCall{Validate: c.Token}); err != nil {
			return nil, st, err
		}
		id := st.freeID()
		if s.unique {
			id, st.next = st.next, st.next+1
		}
		st.open = append(st.open, session{ID: id, Owner: c.Owner})
		return []session{{ID: id, Owner: c.Owner}}, st, nil
	case writeSession:
		i := slices.IndexFunc(st.open, func(x session) bool { return x.ID == c.ID })
		if i < 0 {
			return nil, st, fmt.Errorf("session %d: %w", c.ID, errNoSession)
		}
		st.open[i].Writes = append(st.open[i].Writes, c.From)
		return nil, st, nil
	case listIdle:
		var idle []session
		for _, x := range st.open {
			if len(x.Writes) == 0 {
				idle = append(idle, x)
			}
		}
		return idle, st, nil
	case closeSession:
		i := slices.IndexFunc(st.open, func(x session) bool { return x.ID == c.ID })
		if i < 0 {
			return nil, st, nil
		}
		if _, err := noex.Call(ctx, locksName, c.ID); err != nil {
			return nil, st, err
		}
		st.closed = append(st.closed, st.open[i])
		st.open = slices.Delete(st.open, i, i+1)
		return nil, st, nil
	}
	return append(slices.Clone(st.closed), st.open...), st, nil
}

// freeID is the lowest id that no open session has.
func (st *sessionState) freeID() int {
	for id := 1; ; id++ {
		if !slices.ContainsFunc(st.open, func(x session) bool { return x.ID == id }) {
			return id
		}
	}
}

func (sessionServer) HandleCast(_ context.Context, _ noex.None, st *sessionState) (*sessionState, error) {
	return st, nil
}

// openAndWrite opens a session for owner and writes to it; if the session
// is gone, it opens another one and writes again.
func openAndWrite(ctx context.Context, owner, token string) error {
	for attempt := 0; attempt < 2; attempt++ {
		s, err := noex.Call(ctx, sessionsName, sessionCall(openSession{Owner: owner, Token: token}))
		if err != nil {
			return err
		}
		_, err = noex.Call(ctx, sessionsName, sessionCall(writeSession{ID: s[0].ID, From: owner}))
		if !errors.Is(err, errNoSession) {
			return err
		}
	}
	return fmt.Errorf("%s: no session stays open", owner)
}

// authCall asks the auth server for a token for Login, or to validate one.
type authCall struct{ Login, Validate string }

// authServer hands out tokens and validates them.
type authServer struct{}

var authName = noex.Name[authCall, noex.None, string]("auth")

func (authServer) Init(context.Context) (int, error) { return 0, nil }

func (authServer) HandleCall(_ context.Context, c authCall, n int) (string, int, error) {
	if c.Login == "" {
		if c.Validate == "" {
			return "", n, errors.New("invalid token")
		}
		return c.Validate, n, nil
	}
	return fmt.Sprintf("token-%d for %s", n+1, c.Login), n + 1, nil
}

func (authServer) HandleCast(_ context.Context, _ noex.None, n int) (int, error) { return n, nil }

// lockServer holds the sessions' locks; a call releases those of a
// session, and replies how many locks it released in all.
type lockServer struct{}

var locksName = noex.Name[int, noex.None, int]("locks")

func (lockServer) Init(context.Context) (int, error) { return 0, nil }

func (lockServer) HandleCall(_ context.Context, _ int, released int) (int, int, error) {
	return released + 1, released + 1, nil
}

func (lockServer) HandleCast(_ context.Context, _ noex.None, released int) (int, error) {
	return released, nil
}

func idReuse() Kernel {
	return Kernel{
		Name:   "id-reuse",
		Title:  "a client writes by session id after its session was closed and the id given to another",
		Source: "classic ABA problem (a reused identifier)",
		Depth:  3,
		Why: "the session server handles client-a's open before the reaper's list of idle sessions, " +
			"the reaper's close of client-a's session (after the abandoned one's) before client-c's open, " +
			"and client-c's open before client-a's write",
		Buggy: idReuseProgram(false),
		Fixed: idReuseProgram(true),
	}
}

func idReuseProgram(unique bool) Program {
	return func(ctx context.Context, rt *noex.Runtime) error {
		var actors []actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			if _, err := noex.Start(ctx, sessionServer{unique: unique}, noex.WithName(sessionsName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, authServer{}, noex.WithName(authName.String())); err != nil {
				return err
			}
			if _, err := noex.Start(ctx, lockServer{}, noex.WithName(locksName.String())); err != nil {
				return err
			}
			// Before the scenario: an abandoned session (2) that never
			// wrote, and session 1, whose user wrote and logged out: id 1
			// is free, and the next session takes it.
			for _, owner := range []string{"user-1", "user-2"} {
				if _, err := noex.Call(ctx, sessionsName, sessionCall(openSession{Owner: owner, Token: "token-0 for " + owner})); err != nil {
					return err
				}
			}
			if _, err := noex.Call(ctx, sessionsName, sessionCall(writeSession{ID: 1, From: "user-1"})); err != nil {
				return err
			}
			if _, err := noex.Call(ctx, sessionsName, sessionCall(closeSession{ID: 1})); err != nil {
				return err
			}
			// client-a logged in earlier.
			token, err := noex.Call(ctx, authName, authCall{Login: "client-a"})
			if err != nil {
				return err
			}
			a, err := startActor(ctx, "client-a", act(func(ctx context.Context) error {
				return openAndWrite(ctx, "client-a", token)
			}))
			if err != nil {
				return err
			}
			reaper, err := startActor(ctx, "reaper", act(func(ctx context.Context) error {
				idle, err := noex.Call(ctx, sessionsName, sessionCall(listIdle{}))
				for _, x := range idle {
					if err == nil {
						_, err = noex.Call(ctx, sessionsName, sessionCall(closeSession{ID: x.ID}))
					}
				}
				return err
			}))
			if err != nil {
				return err
			}
			c, err := startActor(ctx, "client-c", act(func(ctx context.Context) error {
				token, err := noex.Call(ctx, authName, authCall{Login: "client-c"})
				if err != nil {
					return err
				}
				_, err = noex.Call(ctx, sessionsName, sessionCall(openSession{Owner: "client-c", Token: token}))
				return err
			}))
			if err != nil {
				return err
			}
			actors = []actorRef{a, reaper, c}
			return kickAll(ctx, actors...)
		}, func(ctx context.Context) error {
			if err := scriptsOK(ctx, actors...); err != nil {
				return err
			}
			all, err := noex.Call(ctx, sessionsName, sessionCall(sessionLogs{}))
			if err != nil {
				return err
			}
			for _, s := range all {
				for _, from := range s.Writes {
					if from != s.Owner {
						return violation("%s's write landed in session %d of %s", from, s.ID, s.Owner)
					}
				}
			}
			return nil
		})
	}
}
