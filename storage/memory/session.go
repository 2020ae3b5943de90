package memory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type sessionRepo struct{ t *tx }

func (r sessionRepo) Create(_ context.Context, sn identity.Session) error {
	if err := r.t.writable("creating session"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.sessions[sn.ID]; ok {
		return fmt.Errorf("memory: creating session %s: %w", sn.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.sessionTokens[sn.TokenHash]; ok {
		return fmt.Errorf("memory: creating session %s: token hash: %w", sn.ID, storage.ErrAlreadyExists)
	}
	if err := r.checkRefs(sn); err != nil {
		return fmt.Errorf("memory: creating session %s: %w", sn.ID, err)
	}
	r.put(cloneSession(sn))
	return nil
}

func (r sessionRepo) GetByTokenHash(_ context.Context, hash string) (identity.Session, error) {
	id, ok := r.t.s.sessionTokens[hash]
	if !ok {
		return identity.Session{}, fmt.Errorf("memory: getting session by token: %w", storage.ErrNotFound)
	}
	return cloneSession(r.t.s.sessions[id]), nil
}

func (r sessionRepo) GetStandingByTokenHash(ctx context.Context, hash string) (identity.Session, storage.Standing, error) {
	sn, err := r.GetByTokenHash(ctx, hash)
	if err != nil {
		return identity.Session{}, storage.Standing{}, err
	}
	st, err := membershipRepo(r).GetStanding(ctx, sn.MembershipID)
	return sn, st, err
}

func (r sessionRepo) Update(_ context.Context, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	if err := r.t.writable("updating session"); err != nil {
		return identity.Session{}, err
	}
	s := r.t.s
	old, ok := s.sessions[id]
	if !ok {
		return identity.Session{}, fmt.Errorf("memory: updating session %s: %w", id, storage.ErrNotFound)
	}
	next := cloneSession(old)
	if err := fn(&next); err != nil {
		return identity.Session{}, err
	}
	if next.ID != old.ID || !next.CreatedAt.Equal(old.CreatedAt) {
		return identity.Session{}, fmt.Errorf("memory: updating session %s: fn changed ID or CreatedAt", id)
	}
	if owner, ok := s.sessionTokens[next.TokenHash]; ok && owner != id {
		return identity.Session{}, fmt.Errorf("memory: updating session %s: token hash: %w", id, storage.ErrAlreadyExists)
	}
	if err := r.checkRefs(next); err != nil {
		return identity.Session{}, fmt.Errorf("memory: updating session %s: %w", id, err)
	}
	remove(r.t, s.sessionTokens, old.TokenHash)
	next = cloneSession(next)
	r.put(next)
	return cloneSession(next), nil
}

func (r sessionRepo) Delete(_ context.Context, id identity.SessionID) error {
	if err := r.t.writable("deleting session"); err != nil {
		return err
	}
	sn, ok := r.t.s.sessions[id]
	if !ok {
		return fmt.Errorf("memory: deleting session %s: %w", id, storage.ErrNotFound)
	}
	r.remove(sn)
	return nil
}

func (r sessionRepo) DeleteMatching(_ context.Context, f storage.SessionFilter) (int, error) {
	if err := r.t.writable("deleting sessions"); err != nil {
		return 0, err
	}
	if f.IsZero() {
		return 0, errors.New("memory: deleting sessions: refusing a zero filter, which would delete every session")
	}
	return r.deleteWhere(func(sn identity.Session) bool { return matchSession(f, sn) }), nil
}

func (r sessionRepo) DeleteExpired(_ context.Context, now, idleBefore time.Time) (int, error) {
	if err := r.t.writable("deleting expired sessions"); err != nil {
		return 0, err
	}
	return r.deleteWhere(func(sn identity.Session) bool {
		return !sn.ExpiresAt.After(now) || !sn.LastSeenAt.After(idleBefore)
	}), nil
}

func (r sessionRepo) List(_ context.Context, f storage.SessionFilter, p storage.Page) (storage.List[identity.Session], error) {
	keep := func(sn identity.Session) bool { return matchSession(f, sn) }
	l, err := list(r.t.s.sessions, p, keep, cloneSession)
	if err != nil {
		return l, fmt.Errorf("memory: listing sessions: %w", err)
	}
	return l, nil
}

// matchSession reports whether f selects sn: every set field must match.
func matchSession(f storage.SessionFilter, sn identity.Session) bool {
	return (f.UserID == "" || sn.UserID == f.UserID) &&
		(f.MembershipID == "" || sn.MembershipID == f.MembershipID) &&
		(f.CustomerID == "" || sn.CustomerID == f.CustomerID) &&
		(f.AccessLinkID == "" || sn.AccessLinkID == f.AccessLinkID) &&
		(f.ExceptID == "" || sn.ID != f.ExceptID)
}

// checkRefs returns ErrNotFound when the session's user or membership does
// not exist, as a foreign key would.
func (r sessionRepo) checkRefs(sn identity.Session) error {
	if _, ok := r.t.s.users[sn.UserID]; !ok {
		return fmt.Errorf("user %s: %w", sn.UserID, storage.ErrNotFound)
	}
	if _, ok := r.t.s.memberships[sn.MembershipID]; !ok {
		return fmt.Errorf("membership %s: %w", sn.MembershipID, storage.ErrNotFound)
	}
	return nil
}

// deleteWhere removes the sessions del accepts and returns how many.
func (r sessionRepo) deleteWhere(del func(identity.Session) bool) int {
	n := 0
	for _, sn := range r.t.s.sessions {
		if del(sn) {
			r.remove(sn)
			n++
		}
	}
	return n
}

// deleteOf removes the sessions of a membership, as ON DELETE CASCADE would.
func (r sessionRepo) deleteOf(m customer.MembershipID) {
	r.deleteWhere(func(sn identity.Session) bool { return sn.MembershipID == m })
}

// put stores sn, which the store then owns, and indexes its token hash.
func (r sessionRepo) put(sn identity.Session) {
	put(r.t, r.t.s.sessions, sn.ID, sn)
	put(r.t, r.t.s.sessionTokens, sn.TokenHash, sn.ID)
}

func (r sessionRepo) remove(sn identity.Session) {
	remove(r.t, r.t.s.sessions, sn.ID)
	remove(r.t, r.t.s.sessionTokens, sn.TokenHash)
}

// cloneSession returns a copy of sn with times in UTC.
func cloneSession(sn identity.Session) identity.Session {
	sn.LastSeenAt = sn.LastSeenAt.UTC()
	sn.ExpiresAt = sn.ExpiresAt.UTC()
	sn.CreatedAt = sn.CreatedAt.UTC()
	return sn
}
