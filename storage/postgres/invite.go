package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type invitationRepo struct{ t *txn }

// Create stores i. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the customer does not exist.
func (s invitationRepo) Create(ctx context.Context, i invite.Invitation) error {
	if err := s.t.writable("creating invitation"); err != nil {
		return err
	}
	return createInvitation(ctx, s.t, i)
}

// Get returns the invitation with the given ID, or ErrNotFound.
func (s invitationRepo) Get(ctx context.Context, id invite.ID) (invite.Invitation, error) {
	return findInvitation(ctx, s.t, "id", string(id))
}

// GetByTokenHash returns the invitation whose current token has this hash,
// or ErrNotFound.
func (s invitationRepo) GetByTokenHash(ctx context.Context, h invite.Hash) (invite.Invitation, error) {
	return findInvitation(ctx, s.t, "token_hash", string(h))
}

// Update reads the invitation, lets fn change it and writes it back with
// the next version. ErrNotFound, ErrAlreadyExists (token hash), ErrConflict.
func (s invitationRepo) Update(ctx context.Context, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error) {
	if err := s.t.writable("updating invitation"); err != nil {
		return invite.Invitation{}, err
	}
	return updateInvitation(ctx, s.t, id, fn)
}

// MarkAccepted accepts the invitation if it is pending at `at`, in one
// conditional UPDATE. ErrConflict when it is not pending, ErrNotFound when
// there is no such invitation.
func (s invitationRepo) MarkAccepted(ctx context.Context, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error) {
	if err := s.t.writable("accepting invitation"); err != nil {
		return invite.Invitation{}, err
	}
	return markInvitationAccepted(ctx, s.t, id, by, at)
}

// List returns one page of invitations matching f, ordered by ID.
func (s invitationRepo) List(ctx context.Context, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	return findInvitations(ctx, s.t, f, p)
}

const invitationColumns = `id, customer_id, email, role, site_ids, message, token_hash, invited_by, first_admin,
	expires_at, sent_count, accepted_at, accepted_by, revoked_at, version, created_at, updated_at`

func scanInvitation(s scanner) (invite.Invitation, error) {
	var (
		i                 invite.Invitation
		sites             []string
		acceptedBy        *string
		accepted, revoked *time.Time
	)
	err := s.Scan(&i.ID, &i.CustomerID, &i.Email, &i.Role, &sites, &i.Message, &i.TokenHash, &i.InvitedBy, &i.FirstAdmin,
		&i.ExpiresAt, &i.SentCount, &accepted, &acceptedBy, &revoked, &i.Version, &i.CreatedAt, &i.UpdatedAt)
	if err != nil {
		return invite.Invitation{}, err
	}
	i.SiteIDs = typed[customer.SiteID](sites)
	i.AcceptedAt, i.RevokedAt = orZero(accepted), orZero(revoked)
	i.AcceptedBy = customer.UserID(orEmpty(acceptedBy))
	return i, nil
}

func createInvitation(ctx context.Context, t *txn, i invite.Invitation) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO invitations (`+invitationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		string(i.ID), string(i.CustomerID), i.Email, string(i.Role), texts(i.SiteIDs), i.Message, string(i.TokenHash),
		i.InvitedBy, i.FirstAdmin, i.ExpiresAt, i.SentCount, nullTime(i.AcceptedAt), nullString(i.AcceptedBy),
		nullTime(i.RevokedAt), i.Version, i.CreatedAt, i.UpdatedAt)
	return t.fail("creating invitation "+string(i.ID), err, storage.ErrNotFound)
}

// findInvitation finds the invitation whose column (id or token_hash, never
// caller input) equals value.
func findInvitation(ctx context.Context, t *txn, column, value string) (invite.Invitation, error) {
	i, err := scanInvitation(t.tx.QueryRow(ctx,
		`SELECT `+invitationColumns+` FROM invitations WHERE `+column+` = $1`, value))
	if err != nil {
		return invite.Invitation{}, t.fail("finding invitation by "+column, err, nil)
	}
	return i, nil
}

func updateInvitation(ctx context.Context, t *txn, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error) {
	op := "updating invitation " + string(id)
	old, err := findInvitation(ctx, t, "id", string(id))
	if err != nil {
		return invite.Invitation{}, err
	}
	i := old
	i.SiteIDs = append([]customer.SiteID(nil), old.SiteIDs...) // fn must not change old through the slice
	if err := fn(&i); err != nil {
		return invite.Invitation{}, err
	}
	i.ID, i.CustomerID, i.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
	i.Version = old.Version + 1
	i.ExpiresAt, i.AcceptedAt, i.RevokedAt = storedTime(i.ExpiresAt), storedTime(i.AcceptedAt), storedTime(i.RevokedAt)
	i.UpdatedAt = storedTime(i.UpdatedAt)
	if len(i.SiteIDs) == 0 {
		i.SiteIDs = nil
	}
	n, err := execCount(ctx, t, op, `UPDATE invitations SET
		email = $1, role = $2, site_ids = $3, message = $4, token_hash = $5, invited_by = $6, first_admin = $7,
		expires_at = $8, sent_count = $9, accepted_at = $10, accepted_by = $11, revoked_at = $12,
		version = $13, updated_at = $14
		WHERE id = $15 AND version = $16`, nil,
		i.Email, string(i.Role), texts(i.SiteIDs), i.Message, string(i.TokenHash), i.InvitedBy, i.FirstAdmin,
		i.ExpiresAt, i.SentCount, nullTime(i.AcceptedAt), nullString(i.AcceptedBy), nullTime(i.RevokedAt),
		i.Version, i.UpdatedAt,
		string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return invite.Invitation{}, err
	}
	return i, nil
}

func markInvitationAccepted(ctx context.Context, t *txn, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error) {
	op := "accepting invitation " + string(id)
	// The state check and the write are one statement, so two acceptances
	// of one invitation cannot both succeed, whatever the isolation.
	i, err := scanInvitation(t.tx.QueryRow(ctx,
		`UPDATE invitations SET accepted_at = $1, accepted_by = $2, version = version + 1, updated_at = $1
		WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1
		RETURNING `+invitationColumns,
		at, nullString(by), string(id)))
	if err == nil {
		return i, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return invite.Invitation{}, t.fail(op, err, nil)
	}
	var one int
	err = t.tx.QueryRow(ctx, `SELECT 1 FROM invitations WHERE id = $1`, string(id)).Scan(&one)
	if err != nil {
		return invite.Invitation{}, t.fail(op, err, nil) // ErrNotFound for no row
	}
	return invite.Invitation{}, fmt.Errorf("postgres: %s: not pending: %w", op, storage.ErrConflict)
}

func findInvitations(ctx context.Context, t *txn, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	const op = "listing invitations"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[invite.Invitation]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + invitationColumns + ` FROM invitations WHERE id > ` + a.add(after))
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.Email != "" {
		q.WriteString(` AND email = ` + a.add(f.Email))
	}
	if f.State != "" {
		if f.Now.IsZero() {
			return storage.List[invite.Invitation]{}, fmt.Errorf("postgres: %s: %w", op, portalerr.Invalidf("now", "is required with a state"))
		}
		// As invite.Invitation.State: accepted wins over revoked, which
		// wins over expired (ExpiresAt at or before Now).
		switch f.State {
		case invite.StateAccepted:
			q.WriteString(` AND accepted_at IS NOT NULL`)
		case invite.StateRevoked:
			q.WriteString(` AND accepted_at IS NULL AND revoked_at IS NOT NULL`)
		case invite.StateExpired:
			q.WriteString(` AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= ` + a.add(f.Now))
		case invite.StatePending:
			q.WriteString(` AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ` + a.add(f.Now))
		default:
			// No invitation is ever in an unknown state.
			q.WriteString(` AND false`)
		}
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	return queryList(ctx, t, op, q.String(), a, limit, scanInvitation,
		func(i invite.Invitation) string { return string(i.ID) })
}

type loginLinkRepo struct{ t *txn }

// Create stores l. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the user does not exist.
func (s loginLinkRepo) Create(ctx context.Context, l invite.LoginLink) error {
	op := "creating login link " + string(l.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx,
		`INSERT INTO login_links (`+loginLinkColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(l.ID), string(l.UserID), string(l.TokenHash), l.ExpiresAt, nullTime(l.UsedAt), l.CreatedAt)
	return s.t.fail(op, err, storage.ErrNotFound)
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
	l, err := scanLoginLink(s.t.tx.QueryRow(ctx,
		`UPDATE login_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
		RETURNING `+loginLinkColumns,
		now, string(h)))
	if err != nil {
		return invite.LoginLink{}, s.t.fail(op, err, nil)
	}
	return l, nil
}

// Supersede marks every unused link of the user as used at `at`.
func (s loginLinkRepo) Supersede(ctx context.Context, user customer.UserID, at time.Time) error {
	const op = "superseding login links"
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := execCount(ctx, s.t, op,
		`UPDATE login_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, nil, at, string(user))
	return err
}

// DeleteExpired removes the links that expired before `before` and returns
// how many.
func (s loginLinkRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired login links"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	return execCount(ctx, s.t, op, `DELETE FROM login_links WHERE expires_at < $1`, nil, before)
}

const loginLinkColumns = `id, user_id, token_hash, expires_at, used_at, created_at`

func scanLoginLink(s scanner) (invite.LoginLink, error) {
	var (
		l    invite.LoginLink
		used *time.Time
	)
	if err := s.Scan(&l.ID, &l.UserID, &l.TokenHash, &l.ExpiresAt, &used, &l.CreatedAt); err != nil {
		return invite.LoginLink{}, err
	}
	l.UsedAt = orZero(used)
	return l, nil
}

type accessLinkRepo struct{ t *txn }

// Create stores l. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the membership or the customer does not exist.
func (s accessLinkRepo) Create(ctx context.Context, l invite.AccessLink) error {
	op := "creating access link " + string(l.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx, `INSERT INTO access_links (`+accessLinkColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(l.ID), string(l.MembershipID), string(l.CustomerID), string(l.TokenHash), l.ReadOnly, int64(l.TTL),
		l.ExpiresAt, nullTime(l.DisabledAt), l.CreatedBy, l.Version, l.CreatedAt, l.UpdatedAt)
	return s.t.fail(op, err, storage.ErrNotFound)
}

// Get returns the access link with the given ID, or ErrNotFound.
func (s accessLinkRepo) Get(ctx context.Context, id invite.AccessLinkID) (invite.AccessLink, error) {
	return findAccessLink(ctx, s.t, "id", string(id))
}

// GetByTokenHash returns the link whose current token has this hash, or
// ErrNotFound.
func (s accessLinkRepo) GetByTokenHash(ctx context.Context, h invite.Hash) (invite.AccessLink, error) {
	return findAccessLink(ctx, s.t, "token_hash", string(h))
}

// Update reads the link, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (token hash), ErrConflict.
func (s accessLinkRepo) Update(ctx context.Context, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error) {
	if err := s.t.writable("updating access link"); err != nil {
		return invite.AccessLink{}, err
	}
	return updateAccessLink(ctx, s.t, id, fn)
}

// List returns one page of access links matching f, ordered by ID.
func (s accessLinkRepo) List(ctx context.Context, f storage.AccessLinkFilter, p storage.Page) (storage.List[invite.AccessLink], error) {
	const op = "listing access links"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[invite.AccessLink]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + accessLinkColumns + ` FROM access_links WHERE id > ` + a.add(after))
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.MembershipID != "" {
		q.WriteString(` AND membership_id = ` + a.add(string(f.MembershipID)))
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	return queryList(ctx, s.t, op, q.String(), a, limit, scanAccessLink,
		func(l invite.AccessLink) string { return string(l.ID) })
}

const accessLinkColumns = `id, membership_id, customer_id, token_hash, read_only, ttl_ns, expires_at, disabled_at,
	created_by, version, created_at, updated_at`

func scanAccessLink(s scanner) (invite.AccessLink, error) {
	var (
		l        invite.AccessLink
		ttl      int64
		disabled *time.Time
	)
	err := s.Scan(&l.ID, &l.MembershipID, &l.CustomerID, &l.TokenHash, &l.ReadOnly, &ttl, &l.ExpiresAt, &disabled,
		&l.CreatedBy, &l.Version, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return invite.AccessLink{}, err
	}
	l.TTL = time.Duration(ttl)
	l.DisabledAt = orZero(disabled)
	return l, nil
}

// findAccessLink finds the link whose column (id or token_hash, never
// caller input) equals value.
func findAccessLink(ctx context.Context, t *txn, column, value string) (invite.AccessLink, error) {
	l, err := scanAccessLink(t.tx.QueryRow(ctx,
		`SELECT `+accessLinkColumns+` FROM access_links WHERE `+column+` = $1`, value))
	if err != nil {
		return invite.AccessLink{}, t.fail("finding access link by "+column, err, nil)
	}
	return l, nil
}

func updateAccessLink(ctx context.Context, t *txn, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error) {
	op := "updating access link " + string(id)
	old, err := findAccessLink(ctx, t, "id", string(id))
	if err != nil {
		return invite.AccessLink{}, err
	}
	l := old
	if err := fn(&l); err != nil {
		return invite.AccessLink{}, err
	}
	l.ID, l.MembershipID, l.CustomerID, l.CreatedAt = old.ID, old.MembershipID, old.CustomerID, old.CreatedAt
	l.Version = old.Version + 1
	l.ExpiresAt, l.DisabledAt, l.UpdatedAt = storedTime(l.ExpiresAt), storedTime(l.DisabledAt), storedTime(l.UpdatedAt)
	n, err := execCount(ctx, t, op, `UPDATE access_links SET
		token_hash = $1, read_only = $2, ttl_ns = $3, expires_at = $4, disabled_at = $5, created_by = $6,
		version = $7, updated_at = $8
		WHERE id = $9 AND version = $10`, nil,
		string(l.TokenHash), l.ReadOnly, int64(l.TTL), l.ExpiresAt, nullTime(l.DisabledAt), l.CreatedBy,
		l.Version, l.UpdatedAt,
		string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return invite.AccessLink{}, err
	}
	return l, nil
}
