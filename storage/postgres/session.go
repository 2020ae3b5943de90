package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/storage"
)

type sessionRepo struct{ t *txn }

// Create stores sn. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the user or the membership does not exist.
func (s sessionRepo) Create(ctx context.Context, sn identity.Session) error {
	op := "creating session " + string(sn.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		string(sn.ID), sn.TokenHash, string(sn.UserID), string(sn.MembershipID), string(sn.CustomerID), string(sn.Method),
		nullString(sn.AccessLinkID), sn.ReadOnly, sn.LastSeenAt, sn.ExpiresAt, sn.CreatedAt)
	return s.t.fail(op, err, storage.ErrNotFound)
}

// GetStandingByTokenHash returns the session with this token hash and the
// standing of its membership, read in one query, or ErrNotFound.
func (s sessionRepo) GetStandingByTokenHash(ctx context.Context, hash string) (identity.Session, storage.Standing, error) {
	return findSessionStanding(ctx, s.t, hash)
}

// GetByTokenHash returns the session with this token hash, or ErrNotFound.
func (s sessionRepo) GetByTokenHash(ctx context.Context, hash string) (identity.Session, error) {
	return findSession(ctx, s.t, "token_hash", hash)
}

// Update reads the session, lets fn change it and writes it back. Sessions
// have no version: a transaction that changed the row after this one read
// it makes this one fail to serialize, and InTx runs it again. ErrNotFound
// (also for a user or membership that does not exist), ErrAlreadyExists
// (token hash).
func (s sessionRepo) Update(ctx context.Context, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	if err := s.t.writable("updating session"); err != nil {
		return identity.Session{}, err
	}
	return updateSession(ctx, s.t, id, fn)
}

// Delete removes the session, or returns ErrNotFound.
func (s sessionRepo) Delete(ctx context.Context, id identity.SessionID) error {
	op := "deleting session " + string(id)
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := execCount(ctx, s.t, op, `DELETE FROM sessions WHERE id = $1`, nil, string(id))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// DeleteMatching removes the sessions f selects and returns how many. A
// zero filter is refused: it would end every session.
func (s sessionRepo) DeleteMatching(ctx context.Context, f storage.SessionFilter) (int, error) {
	const op = "deleting sessions"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	if f.IsZero() {
		return 0, errors.New("postgres: deleting sessions: refusing a zero filter, which would delete every session")
	}
	var a args
	where := sessionWhere(f, &a)
	return execCount(ctx, s.t, op, `DELETE FROM sessions WHERE `+where, nil, a...)
}

// DeleteExpired removes the sessions whose ExpiresAt is at or before now or
// whose LastSeenAt is at or before idleBefore, and returns how many.
func (s sessionRepo) DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int, error) {
	const op = "deleting expired sessions"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	return execCount(ctx, s.t, op, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, nil,
		now, idleBefore)
}

// List returns one page of sessions matching f, ordered by ID.
func (s sessionRepo) List(ctx context.Context, f storage.SessionFilter, p storage.Page) (storage.List[identity.Session], error) {
	const op = "listing sessions"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[identity.Session]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	where := sessionWhere(f, &a)
	q := `SELECT ` + sessionColumns + ` FROM sessions WHERE ` + where +
		` AND id > ` + a.add(after) + ` ORDER BY id LIMIT ` + a.add(limit+1)
	return queryList(ctx, s.t, op, q, a, limit, scanSession, func(sn identity.Session) string { return string(sn.ID) })
}

// sessionWhere returns the condition selecting f's sessions ("true" for
// all), adding its parameters to a.
func sessionWhere(f storage.SessionFilter, a *args) string {
	conds := []string{"true"}
	add := func(column, op, v string) {
		if v != "" {
			conds = append(conds, column+" "+op+" "+a.add(v))
		}
	}
	add("user_id", "=", string(f.UserID))
	add("membership_id", "=", string(f.MembershipID))
	add("customer_id", "=", string(f.CustomerID))
	add("access_link_id", "=", f.AccessLinkID)
	add("id", "<>", string(f.ExceptID))
	return strings.Join(conds, " AND ")
}

const sessionColumns = `id, token_hash, user_id, membership_id, customer_id, method, access_link_id, read_only,
	last_seen_at, expires_at, created_at`

// sessionRow holds one session as read from sessionColumns.
type sessionRow struct {
	sn         identity.Session
	accessLink *string
}

// dest returns the scan destinations in the order of sessionColumns.
func (r *sessionRow) dest() []any {
	sn := &r.sn
	return []any{&sn.ID, &sn.TokenHash, &sn.UserID, &sn.MembershipID, &sn.CustomerID, &sn.Method, &r.accessLink, &sn.ReadOnly,
		&sn.LastSeenAt, &sn.ExpiresAt, &sn.CreatedAt}
}

// value returns the session scanned into r.
func (r *sessionRow) value() identity.Session {
	sn := r.sn
	sn.AccessLinkID = orEmpty(r.accessLink)
	return sn
}

func scanSession(s scanner) (identity.Session, error) {
	var r sessionRow
	if err := s.Scan(r.dest()...); err != nil {
		return identity.Session{}, err
	}
	return r.value(), nil
}

// sessionStandingSelect reads a session and the standing of its
// membership in one row.
var sessionStandingSelect = `SELECT ` + sqlcols.Qualify("s", sessionColumns) + `, ` + standingColumns + `
	FROM sessions s JOIN memberships m ON m.id = s.membership_id` + standingJoins + `
	WHERE s.token_hash = $1`

func findSessionStanding(ctx context.Context, t *txn, hash string) (identity.Session, storage.Standing, error) {
	var (
		sr sessionRow
		st standingRow
	)
	if err := t.tx.QueryRow(ctx, sessionStandingSelect, hash).Scan(append(sr.dest(), st.dest()...)...); err != nil {
		return identity.Session{}, storage.Standing{}, t.fail("finding session by token_hash", err, nil)
	}
	return sr.value(), st.value(), nil
}

// findSession finds the session whose column (id or token_hash, never
// caller input) equals value.
func findSession(ctx context.Context, t *txn, column, value string) (identity.Session, error) {
	sn, err := scanSession(t.tx.QueryRow(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE `+column+` = $1`, value))
	if err != nil {
		return identity.Session{}, t.fail("finding session by "+column, err, nil)
	}
	return sn, nil
}

func updateSession(ctx context.Context, t *txn, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	op := "updating session " + string(id)
	old, err := findSession(ctx, t, "id", string(id))
	if err != nil {
		return identity.Session{}, err
	}
	sn := old
	if err := fn(&sn); err != nil {
		return identity.Session{}, err
	}
	sn.ID, sn.CreatedAt = old.ID, old.CreatedAt
	sn.LastSeenAt, sn.ExpiresAt = storedTime(sn.LastSeenAt), storedTime(sn.ExpiresAt)
	n, err := execCount(ctx, t, op, `UPDATE sessions SET
		token_hash = $1, user_id = $2, membership_id = $3, customer_id = $4, method = $5, access_link_id = $6,
		read_only = $7, last_seen_at = $8, expires_at = $9
		WHERE id = $10`, storage.ErrNotFound,
		sn.TokenHash, string(sn.UserID), string(sn.MembershipID), string(sn.CustomerID), string(sn.Method),
		nullString(sn.AccessLinkID), sn.ReadOnly, sn.LastSeenAt, sn.ExpiresAt,
		string(id))
	if err != nil {
		return identity.Session{}, err
	}
	if n == 0 {
		// Not reachable while the transaction serializes; kept so a lost
		// row is never reported as written.
		return identity.Session{}, fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return sn, nil
}
