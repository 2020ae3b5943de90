package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/storage"
)

type sessionRepo struct{ r *repos }

// Create stores sn. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the user or the membership does not exist.
func (s sessionRepo) Create(ctx context.Context, sn identity.Session) error {
	if err := s.r.writable("creating session"); err != nil {
		return err
	}
	return createSession(ctx, s.r.tx, sn)
}

// GetStandingByTokenHash returns the session with this token hash and the
// standing of its membership, read in one query, or ErrNotFound.
func (s sessionRepo) GetStandingByTokenHash(ctx context.Context, hash string) (identity.Session, storage.Standing, error) {
	return findSessionStanding(ctx, s.r.tx, hash)
}

// GetByTokenHash returns the session with this token hash, or ErrNotFound.
func (s sessionRepo) GetByTokenHash(ctx context.Context, hash string) (identity.Session, error) {
	return findSession(ctx, s.r.tx, "token_hash", hash)
}

// Update reads the session, lets fn change it and writes it back. Sessions
// have no version: the write transaction holds SQLite's one write lock from
// its start, so nothing changes the row between the read and the write.
// ErrNotFound (also for a user or membership that does not exist),
// ErrAlreadyExists (token hash).
func (s sessionRepo) Update(ctx context.Context, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	if err := s.r.writable("updating session"); err != nil {
		return identity.Session{}, err
	}
	return updateSession(ctx, s.r.tx, id, fn)
}

// Delete removes the session, or returns ErrNotFound.
func (s sessionRepo) Delete(ctx context.Context, id identity.SessionID) error {
	op := "deleting session " + string(id)
	if err := s.r.writable(op); err != nil {
		return err
	}
	res, err := s.r.tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, string(id))
	n, err := rowsAffected(op, res, err, nil)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// DeleteMatching removes the sessions f selects and returns how many. A
// zero filter is refused: it would end every session.
func (s sessionRepo) DeleteMatching(ctx context.Context, f storage.SessionFilter) (int, error) {
	const op = "deleting sessions"
	if err := s.r.writable(op); err != nil {
		return 0, err
	}
	if f.IsZero() {
		return 0, errors.New("sqlite: deleting sessions: refusing a zero filter, which would delete every session")
	}
	where, args := sessionWhere(f)
	res, err := s.r.tx.ExecContext(ctx, `DELETE FROM sessions WHERE `+where, args...)
	return rowsAffected(op, res, err, nil)
}

// DeleteExpired removes the sessions whose ExpiresAt is at or before now or
// whose LastSeenAt is at or before idleBefore, and returns how many.
func (s sessionRepo) DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int, error) {
	const op = "deleting expired sessions"
	if err := s.r.writable(op); err != nil {
		return 0, err
	}
	res, err := s.r.tx.ExecContext(ctx,
		`DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		formatTime(now), formatTime(idleBefore))
	return rowsAffected(op, res, err, nil)
}

// List returns one page of sessions matching f, ordered by ID.
func (s sessionRepo) List(ctx context.Context, f storage.SessionFilter, p storage.Page) (storage.List[identity.Session], error) {
	const op = "listing sessions"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[identity.Session]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	where, args := sessionWhere(f)
	args = append(args, after, limit+1)
	return queryList(ctx, s.r.tx, op,
		`SELECT `+sessionColumns+` FROM sessions WHERE `+where+` AND id > ? ORDER BY id LIMIT ?`,
		args, limit, scanSession, func(sn identity.Session) string { return string(sn.ID) })
}

// sessionWhere returns the condition selecting f's sessions ("1" for all).
func sessionWhere(f storage.SessionFilter) (string, []any) {
	conds := []string{"1"}
	var args []any
	add := func(cond, v string) {
		if v != "" {
			conds = append(conds, cond)
			args = append(args, v)
		}
	}
	add(`user_id = ?`, string(f.UserID))
	add(`membership_id = ?`, string(f.MembershipID))
	add(`customer_id = ?`, string(f.CustomerID))
	add(`access_link_id = ?`, f.AccessLinkID)
	add(`id <> ?`, string(f.ExceptID))
	return strings.Join(conds, " AND "), args
}

const sessionColumns = `id, token_hash, user_id, membership_id, customer_id, method, access_link_id, read_only,
	last_seen_at, expires_at, created_at`

// sessionRow holds one session as read from sessionColumns.
type sessionRow struct {
	sn                        identity.Session
	accessLink                sql.NullString
	lastSeen, expires, create string
}

// dest returns the scan destinations in the order of sessionColumns.
func (r *sessionRow) dest() []any {
	sn := &r.sn
	return []any{&sn.ID, &sn.TokenHash, &sn.UserID, &sn.MembershipID, &sn.CustomerID, &sn.Method, &r.accessLink, &sn.ReadOnly,
		&r.lastSeen, &r.expires, &r.create}
}

// value returns the session scanned into r.
func (r *sessionRow) value() (identity.Session, error) {
	sn := r.sn
	sn.AccessLinkID = r.accessLink.String
	var err error
	if sn.LastSeenAt, err = parseTime(r.lastSeen); err != nil {
		return identity.Session{}, err
	}
	if sn.ExpiresAt, err = parseTime(r.expires); err != nil {
		return identity.Session{}, err
	}
	if sn.CreatedAt, err = parseTime(r.create); err != nil {
		return identity.Session{}, err
	}
	return sn, nil
}

func scanSession(s scanner) (identity.Session, error) {
	var r sessionRow
	if err := s.Scan(r.dest()...); err != nil {
		return identity.Session{}, err
	}
	return r.value()
}

// sessionStandingSelect reads a session and the standing of its
// membership in one row.
var sessionStandingSelect = `SELECT ` + sqlcols.Qualify("s", sessionColumns) + `, ` + standingColumns + `
	FROM sessions s JOIN memberships m ON m.id = s.membership_id` + standingJoins + `
	WHERE s.token_hash = ?`

func findSessionStanding(ctx context.Context, tx *sql.Tx, hash string) (identity.Session, storage.Standing, error) {
	var (
		sr sessionRow
		st standingRow
	)
	err := tx.QueryRowContext(ctx, sessionStandingSelect, hash).Scan(append(sr.dest(), st.dest()...)...)
	if err != nil {
		return identity.Session{}, storage.Standing{}, dbError("finding session by token_hash", err, nil)
	}
	sn, err := sr.value()
	if err != nil {
		return identity.Session{}, storage.Standing{}, err
	}
	standing, err := st.value()
	return sn, standing, err
}

func createSession(ctx context.Context, tx *sql.Tx, sn identity.Session) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO sessions (`+sessionColumns+`) VALUES (`+placeholders(11)+`)`,
		string(sn.ID), sn.TokenHash, string(sn.UserID), string(sn.MembershipID), string(sn.CustomerID), string(sn.Method),
		nullString(sn.AccessLinkID), sn.ReadOnly, formatTime(sn.LastSeenAt), formatTime(sn.ExpiresAt), formatTime(sn.CreatedAt))
	return dbError("creating session "+string(sn.ID), err, storage.ErrNotFound)
}

// findSession finds the session whose column (id or token_hash, never
// caller input) equals value.
func findSession(ctx context.Context, tx *sql.Tx, column, value string) (identity.Session, error) {
	sn, err := scanSession(tx.QueryRowContext(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE `+column+` = ?`, value))
	if err != nil {
		return identity.Session{}, dbError("finding session by "+column, err, nil)
	}
	return sn, nil
}

func updateSession(ctx context.Context, tx *sql.Tx, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	op := "updating session " + string(id)
	old, err := findSession(ctx, tx, "id", string(id))
	if err != nil {
		return identity.Session{}, err
	}
	sn := old
	if err := fn(&sn); err != nil {
		return identity.Session{}, err
	}
	sn.ID, sn.CreatedAt = old.ID, old.CreatedAt
	sn.LastSeenAt, sn.ExpiresAt = storedTime(sn.LastSeenAt), storedTime(sn.ExpiresAt)
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET
		token_hash = ?, user_id = ?, membership_id = ?, customer_id = ?, method = ?, access_link_id = ?, read_only = ?,
		last_seen_at = ?, expires_at = ?
		WHERE id = ?`,
		sn.TokenHash, string(sn.UserID), string(sn.MembershipID), string(sn.CustomerID), string(sn.Method),
		nullString(sn.AccessLinkID), sn.ReadOnly, formatTime(sn.LastSeenAt), formatTime(sn.ExpiresAt),
		string(id))
	n, err := rowsAffected(op, res, err, storage.ErrNotFound)
	if err != nil {
		return identity.Session{}, err
	}
	if n == 0 {
		// Not reachable while the transaction holds the write lock; kept so
		// a lost row is never reported as written.
		return identity.Session{}, fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return sn, nil
}
