package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Domain rules in SQL. The invite package owns when an invitation or a
// link is usable; invitationIn and the login link conditions below are the
// only places this store restates those rules, and every statement that
// needs one builds on them.

// invitationIn is invite.Invitation.State translated to SQL: the condition
// under which an invitation row is in state st at now, and its arguments.
// Precedence as in State: accepted, else revoked, else expired (ExpiresAt
// at or before now), else pending. Pending is where
// Invitation.CheckUsable(now) returns nil, so MarkAccepted uses it as List
// does. An unknown state matches nothing.
func invitationIn(st invite.State, now time.Time) (string, []any) {
	const open = `accepted_at IS NULL AND revoked_at IS NULL`
	switch st {
	case invite.StateAccepted:
		return `accepted_at IS NOT NULL`, nil
	case invite.StateRevoked:
		return `accepted_at IS NULL AND revoked_at IS NOT NULL`, nil
	case invite.StateExpired:
		return open + ` AND expires_at <= ?`, []any{ts(now)}
	case invite.StatePending:
		return open + ` AND expires_at > ?`, []any{ts(now)}
	}
	return `1 = 0`, nil
}

// loginLinkUnused and loginLinkUsable are invite.LoginLink.Usable in SQL:
// unused is UsedAt zero; usable at the time of the one parameter is unused
// with that time before ExpiresAt.
const (
	loginLinkUnused = `used_at IS NULL`
	loginLinkUsable = loginLinkUnused + ` AND expires_at > ?`
)

type invitationRepo struct {
	crud[invite.Invitation, invite.ID]
}

func (t *txn) Invitations() storage.InvitationRepo {
	return invitationRepo{crud[invite.Invitation, invite.ID]{t, invitations}}
}

var invitations = newTable(table[invite.Invitation]{
	name: "invitations", noun: "invitation",
	columns: []string{"id", "customer_id", "email", "role", "site_ids", "message", "token_hash", "invited_by", "first_admin",
		"expires_at", "sent_count", "accepted_at", "accepted_by", "revoked_at", "version", "created_at", "updated_at"},
	values: func(i *invite.Invitation) []any {
		return []any{
			string(i.ID), string(i.CustomerID), i.Email, string(i.Role), siteSet(i.SiteIDs), i.Message, string(i.TokenHash),
			i.InvitedBy, i.FirstAdmin, ts(i.ExpiresAt), i.SentCount, nullTS(i.AcceptedAt), nullString(i.AcceptedBy),
			nullTS(i.RevokedAt), i.Version, ts(i.CreatedAt), ts(i.UpdatedAt),
		}
	},
	dest: func(i *invite.Invitation) []any {
		return []any{
			&i.ID, &i.CustomerID, &i.Email, &i.Role, (*siteSet)(&i.SiteIDs), &i.Message, &i.TokenHash,
			&i.InvitedBy, &i.FirstAdmin, tcol(&i.ExpiresAt), &i.SentCount, tcol(&i.AcceptedAt), scol(&i.AcceptedBy),
			tcol(&i.RevokedAt), &i.Version, tcol(&i.CreatedAt), tcol(&i.UpdatedAt),
		}
	},
	version: func(i *invite.Invitation) *int64 { return &i.Version },
	keep: func(old invite.Invitation, i *invite.Invitation) {
		i.ID, i.CustomerID, i.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		i.ExpiresAt, i.AcceptedAt, i.RevokedAt = storedTime(i.ExpiresAt), storedTime(i.AcceptedAt), storedTime(i.RevokedAt)
		i.UpdatedAt = storedTime(i.UpdatedAt)
		if len(i.SiteIDs) == 0 {
			i.SiteIDs = nil
		}
	},
	fkErr: storage.ErrNotFound,
})

// siteSet is an invitation's site IDs as stored: a JSON array, "[]" for
// none, which reads back as nil.
type siteSet []customer.SiteID

func (s siteSet) Value() (driver.Value, error) {
	if len(s) == 0 {
		return "[]", nil
	}
	return jsonText([]customer.SiteID(s))
}

func (s *siteSet) Scan(src any) error {
	*s = nil
	if err := jcol((*[]customer.SiteID)(s)).Scan(src); err != nil {
		return err
	}
	if len(*s) == 0 {
		*s = nil
	}
	return nil
}

// GetByTokenHash returns the invitation whose current token has this hash,
// or ErrNotFound.
func (s invitationRepo) GetByTokenHash(ctx context.Context, h invite.Hash) (invite.Invitation, error) {
	return byTokenHash(ctx, s.t, invitations, h)
}

// MarkAccepted accepts the invitation if it is pending at `at`, in one
// conditional UPDATE. ErrConflict when it is not pending, ErrNotFound when
// there is no such invitation.
func (s invitationRepo) MarkAccepted(ctx context.Context, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error) {
	op := "accepting invitation " + string(id)
	if err := s.t.writable(op); err != nil {
		return invite.Invitation{}, err
	}
	// The state check and the write are one statement, so two acceptances
	// of one invitation cannot both succeed, whatever the isolation.
	pending, args := invitationIn(invite.StatePending, at)
	i, err := invitations.scan(s.t.queryRow(ctx,
		`UPDATE invitations SET accepted_at = ?, accepted_by = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND `+pending+` RETURNING `+invitations.cols,
		append([]any{ts(at), nullString(by), ts(at), string(id)}, args...)...))
	if err == nil {
		return i, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return invite.Invitation{}, s.t.dbError(op, err, nil)
	}
	var one int
	if err := s.t.queryRow(ctx, `SELECT 1 FROM invitations WHERE id = ?`, string(id)).Scan(&one); err != nil {
		return invite.Invitation{}, s.t.dbError(op, err, nil) // ErrNotFound for no row
	}
	return invite.Invitation{}, fmt.Errorf("%s: %s: not pending: %w", s.t.d.Name, op, storage.ErrConflict)
}

// List returns one page of invitations matching f, ordered by ID. Invalid
// when f has a State but no Now.
func (s invitationRepo) List(ctx context.Context, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	const op = "listing invitations"
	var w conds
	w.eq("customer_id", string(f.CustomerID))
	w.eq("email", f.Email)
	if f.State != "" {
		if f.Now.IsZero() {
			return storage.List[invite.Invitation]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, portalerr.Invalidf("now", "is required with a state"))
		}
		w.and(invitationIn(f.State, f.Now))
	}
	return invitations.list(ctx, s.t, op, p, w.String(), w.args, func(i invite.Invitation) string { return string(i.ID) })
}

type loginLinkRepo struct{ t *txn }

func (t *txn) LoginLinks() storage.LoginLinkRepo { return loginLinkRepo{t} }

var loginLinks = newTable(table[invite.LoginLink]{
	name: "login_links", noun: "login link",
	columns: []string{"id", "user_id", "token_hash", "expires_at", "used_at", "created_at"},
	values: func(l *invite.LoginLink) []any {
		return []any{string(l.ID), string(l.UserID), string(l.TokenHash), ts(l.ExpiresAt), nullTS(l.UsedAt), ts(l.CreatedAt)}
	},
	dest: func(l *invite.LoginLink) []any {
		return []any{&l.ID, &l.UserID, &l.TokenHash, tcol(&l.ExpiresAt), tcol(&l.UsedAt), tcol(&l.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// Create stores l. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the user does not exist.
func (s loginLinkRepo) Create(ctx context.Context, l invite.LoginLink) error {
	return loginLinks.insert(ctx, s.t, &l)
}

// Consume marks the usable link with this token hash as used at now and
// returns it, in one conditional UPDATE. ErrNotFound when there is none.
func (s loginLinkRepo) Consume(ctx context.Context, h invite.Hash, now time.Time) (invite.LoginLink, error) {
	const op = "consuming login link"
	if err := s.t.writable(op); err != nil {
		return invite.LoginLink{}, err
	}
	// Unknown, used and expired links all match no row: callers cannot
	// tell them apart, and two consumers of one token cannot both win.
	l, err := loginLinks.scan(s.t.queryRow(ctx,
		`UPDATE login_links SET used_at = ? WHERE token_hash = ? AND `+loginLinkUsable+` RETURNING `+loginLinks.cols,
		ts(now), string(h), ts(now)))
	if err != nil {
		return invite.LoginLink{}, s.t.dbError(op, err, nil)
	}
	return l, nil
}

// Supersede marks every unused link of the user as used at `at`.
func (s loginLinkRepo) Supersede(ctx context.Context, user customer.UserID, at time.Time) error {
	const op = "superseding login links"
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, nil,
		`UPDATE login_links SET used_at = ? WHERE user_id = ? AND `+loginLinkUnused, ts(at), string(user))
	return err
}

// DeleteExpired removes the links that expired before `before` and returns
// how many.
func (s loginLinkRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired login links"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM login_links WHERE expires_at < ?`, ts(before))
	return int(n), err
}

type accessLinkRepo struct {
	crud[invite.AccessLink, invite.AccessLinkID]
}

func (t *txn) AccessLinks() storage.AccessLinkRepo {
	return accessLinkRepo{crud[invite.AccessLink, invite.AccessLinkID]{t, accessLinks}}
}

var accessLinks = newTable(table[invite.AccessLink]{
	name: "access_links", noun: "access link",
	columns: []string{"id", "membership_id", "customer_id", "token_hash", "read_only", "ttl_ns", "expires_at", "disabled_at",
		"created_by", "version", "created_at", "updated_at"},
	values: func(l *invite.AccessLink) []any {
		return []any{
			string(l.ID), string(l.MembershipID), string(l.CustomerID), string(l.TokenHash), l.ReadOnly, int64(l.TTL),
			ts(l.ExpiresAt), nullTS(l.DisabledAt), l.CreatedBy, l.Version, ts(l.CreatedAt), ts(l.UpdatedAt),
		}
	},
	dest: func(l *invite.AccessLink) []any {
		return []any{
			&l.ID, &l.MembershipID, &l.CustomerID, &l.TokenHash, &l.ReadOnly, &l.TTL,
			tcol(&l.ExpiresAt), tcol(&l.DisabledAt), &l.CreatedBy, &l.Version, tcol(&l.CreatedAt), tcol(&l.UpdatedAt),
		}
	},
	version: func(l *invite.AccessLink) *int64 { return &l.Version },
	keep: func(old invite.AccessLink, l *invite.AccessLink) {
		l.ID, l.MembershipID, l.CustomerID, l.CreatedAt = old.ID, old.MembershipID, old.CustomerID, old.CreatedAt
		l.ExpiresAt, l.DisabledAt, l.UpdatedAt = storedTime(l.ExpiresAt), storedTime(l.DisabledAt), storedTime(l.UpdatedAt)
	},
	fkErr: storage.ErrNotFound,
})

// GetByTokenHash returns the link whose current token has this hash, or
// ErrNotFound.
func (s accessLinkRepo) GetByTokenHash(ctx context.Context, h invite.Hash) (invite.AccessLink, error) {
	return byTokenHash(ctx, s.t, accessLinks, h)
}

// List returns one page of access links matching f, ordered by ID.
func (s accessLinkRepo) List(ctx context.Context, f storage.AccessLinkFilter, p storage.Page) (storage.List[invite.AccessLink], error) {
	var w conds
	w.eq("customer_id", string(f.CustomerID))
	w.eq("membership_id", string(f.MembershipID))
	return accessLinks.list(ctx, s.t, "listing access links", p, w.String(), w.args,
		func(l invite.AccessLink) string { return string(l.ID) })
}

// byTokenHash returns the row of tb (a table with a unique token_hash)
// whose token has hash h, or ErrNotFound.
func byTokenHash[T any](ctx context.Context, t *txn, tb *table[T], h invite.Hash) (T, error) {
	return tb.getWhere(ctx, t, "finding "+tb.noun+" by token hash", `token_hash = ?`, string(h))
}
