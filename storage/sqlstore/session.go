package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/storage"
)

type sessionRepo struct{ t *txn }

func (t *txn) Sessions() storage.SessionRepo { return sessionRepo{t} }

var sessions = newTable(table[identity.Session]{
	name: "sessions", noun: "session",
	columns: []string{"id", "token_hash", "user_id", "membership_id", "customer_id", "staff_id", "method", "access_link_id", "read_only",
		"last_seen_at", "expires_at", "created_at"},
	values: func(sn *identity.Session) []any {
		// A staff session has no user, membership or customer; a user's
		// has no staff member: the empty ones are NULL.
		return []any{string(sn.ID), sn.TokenHash, nullString(sn.UserID), nullString(sn.MembershipID), nullString(sn.CustomerID),
			nullString(sn.StaffID), string(sn.Method), nullString(sn.AccessLinkID), sn.ReadOnly,
			ts(sn.LastSeenAt), ts(sn.ExpiresAt), ts(sn.CreatedAt)}
	},
	dest: func(sn *identity.Session) []any {
		return []any{&sn.ID, &sn.TokenHash, scol(&sn.UserID), scol(&sn.MembershipID), scol(&sn.CustomerID),
			scol(&sn.StaffID), &sn.Method, scol(&sn.AccessLinkID), &sn.ReadOnly,
			tcol(&sn.LastSeenAt), tcol(&sn.ExpiresAt), tcol(&sn.CreatedAt)}
	},
	keep: func(old identity.Session, sn *identity.Session) {
		sn.ID, sn.CreatedAt, sn.StaffID = old.ID, old.CreatedAt, old.StaffID
		sn.LastSeenAt, sn.ExpiresAt = storedTime(sn.LastSeenAt), storedTime(sn.ExpiresAt)
	},
	fkErr: storage.ErrNotFound,
})

// Create stores sn. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the user or the membership does not exist.
func (s sessionRepo) Create(ctx context.Context, sn identity.Session) error {
	return sessions.insert(ctx, s.t, &sn)
}

// sessionStandingSelect reads a session and the standing of its membership
// (the columns membershipRepo.GetStanding reads) in one row: every
// request's authentication is this one lookup.
var sessionStandingSelect = `SELECT ` + sqlcols.Qualify("s", sessions.cols) + `,
	` + sqlcols.Qualify("m", memberships.cols) + `, ` + siteSetSQL + `,
	` + sqlcols.Qualify("u", users.cols) + `, ` + sqlcols.Qualify("c", customers.cols) + `
	FROM sessions s JOIN memberships m ON m.id = s.membership_id
	JOIN users u ON u.id = m.user_id JOIN customers c ON c.id = m.customer_id
	WHERE s.token_hash = ?`

// GetStandingByTokenHash returns the session with this token hash and the
// standing of its membership, read in one query, or ErrNotFound.
func (s sessionRepo) GetStandingByTokenHash(ctx context.Context, hash string) (identity.Session, storage.Standing, error) {
	var (
		sn identity.Session
		st storage.Standing
	)
	dest := append(append(append(sessions.dest(&sn),
		memberships.dest(&st.Membership)...), users.dest(&st.User)...), customers.dest(&st.Customer)...)
	if err := s.t.queryRow(ctx, sessionStandingSelect, hash).Scan(dest...); err != nil {
		return identity.Session{}, storage.Standing{}, s.t.dbError("finding session by token hash", err, nil)
	}
	return sn, st, nil
}

// sessionStaffSelect reads a staff session and its staff member in one row.
var sessionStaffSelect = `SELECT ` + sqlcols.Qualify("s", sessions.cols) + `, ` + sqlcols.Qualify("m", staffMembers.cols) + `
	FROM sessions s JOIN staff_members m ON m.id = s.staff_id
	WHERE s.token_hash = ?`

// GetStaffByTokenHash returns the staff session with this token hash and
// its staff member, read in one query, or ErrNotFound.
func (s sessionRepo) GetStaffByTokenHash(ctx context.Context, hash string) (identity.Session, identity.StaffMember, error) {
	var (
		sn identity.Session
		m  identity.StaffMember
	)
	dest := append(sessions.dest(&sn), staffMembers.dest(&m)...)
	if err := s.t.queryRow(ctx, sessionStaffSelect, hash).Scan(dest...); err != nil {
		return identity.Session{}, identity.StaffMember{}, s.t.dbError("finding staff session by token hash", err, nil)
	}
	return sn, m, nil
}

// GetByTokenHash returns the session with this token hash, or ErrNotFound.
func (s sessionRepo) GetByTokenHash(ctx context.Context, hash string) (identity.Session, error) {
	return sessions.getWhere(ctx, s.t, "finding session by token hash", `token_hash = ?`, hash)
}

// Update reads the session, lets fn change it and writes it back. Sessions
// have no version: in SQLite the write transaction holds the one write lock
// from its start, so nothing changes the row between the read and the
// write; in PostgreSQL a transaction that changed the row after this one
// read it makes this one fail to serialize, and InTx runs it again.
// ErrNotFound (also for a user or membership that does not exist),
// ErrAlreadyExists (token hash).
func (s sessionRepo) Update(ctx context.Context, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	return sessions.update(ctx, s.t, string(id), fn)
}

// Delete removes the session, or returns ErrNotFound.
func (s sessionRepo) Delete(ctx context.Context, id identity.SessionID) error {
	return sessions.delete(ctx, s.t, string(id), nil)
}

// DeleteMatching removes the sessions f selects and returns how many. A
// zero filter is refused: it would end every session.
func (s sessionRepo) DeleteMatching(ctx context.Context, f storage.SessionFilter) (int, error) {
	const op = "deleting sessions"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	if f.IsZero() {
		return 0, fmt.Errorf("%s: %s: refusing a zero filter, which would delete every session", s.t.d.Name, op)
	}
	where, args := sessionWhere(f)
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM sessions WHERE `+where, args...)
	return int(n), err
}

// DeleteExpired removes the sessions whose ExpiresAt is at or before now or
// whose LastSeenAt is at or before idleBefore, and returns how many.
func (s sessionRepo) DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int, error) {
	const op = "deleting expired sessions"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		ts(now), ts(idleBefore))
	return int(n), err
}

// List returns one page of sessions matching f, ordered by ID.
func (s sessionRepo) List(ctx context.Context, f storage.SessionFilter, p storage.Page) (storage.List[identity.Session], error) {
	where, args := sessionWhere(f)
	return sessions.list(ctx, s.t, "listing sessions", p, where, args,
		func(sn identity.Session) string { return string(sn.ID) })
}

// sessionWhere returns the condition selecting f's sessions ("" for all).
func sessionWhere(f storage.SessionFilter) (string, []any) {
	var conds []string
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
	add(`staff_id = ?`, string(f.StaffID))
	add(`id <> ?`, string(f.ExceptID))
	if len(f.ExceptMethods) > 0 {
		conds = append(conds, `method NOT IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(f.ExceptMethods)), ", ")+`)`)
		for _, m := range f.ExceptMethods {
			args = append(args, string(m))
		}
	}
	return strings.Join(conds, " AND "), args
}
