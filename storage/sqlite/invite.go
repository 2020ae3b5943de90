package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type invitationRepo struct{ r *repos }

// Create stores i. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the customer does not exist.
func (s invitationRepo) Create(ctx context.Context, i invite.Invitation) error {
	if err := s.r.writable("creating invitation"); err != nil {
		return err
	}
	return createInvitation(ctx, s.r.tx, i)
}

// Get returns the invitation with the given ID, or ErrNotFound.
func (s invitationRepo) Get(ctx context.Context, id invite.ID) (invite.Invitation, error) {
	return findInvitation(ctx, s.r.tx, "id", string(id))
}

// GetByTokenHash returns the invitation whose current token has this hash,
// or ErrNotFound.
func (s invitationRepo) GetByTokenHash(ctx context.Context, h invite.Hash) (invite.Invitation, error) {
	return findInvitation(ctx, s.r.tx, "token_hash", string(h))
}

// Update reads the invitation, lets fn change it and writes it back with
// the next version. ErrNotFound, ErrAlreadyExists (token hash), ErrConflict.
func (s invitationRepo) Update(ctx context.Context, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error) {
	if err := s.r.writable("updating invitation"); err != nil {
		return invite.Invitation{}, err
	}
	return updateInvitation(ctx, s.r.tx, id, fn)
}

// MarkAccepted accepts the invitation if it is pending at `at`, in one
// conditional UPDATE. ErrConflict when it is not pending, ErrNotFound when
// there is no such invitation.
func (s invitationRepo) MarkAccepted(ctx context.Context, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error) {
	if err := s.r.writable("accepting invitation"); err != nil {
		return invite.Invitation{}, err
	}
	return markInvitationAccepted(ctx, s.r.tx, id, by, at)
}

// List returns one page of invitations matching f, ordered by ID.
func (s invitationRepo) List(ctx context.Context, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	return findInvitations(ctx, s.r.tx, f, p)
}

const invitationColumns = `id, customer_id, email, role, site_ids, message, token_hash, invited_by, first_admin,
	expires_at, sent_count, accepted_at, accepted_by, revoked_at, version, created_at, updated_at`

func scanInvitation(s scanner) (invite.Invitation, error) {
	var (
		i                         invite.Invitation
		sites                     string
		acceptedBy                sql.NullString
		accepted, revoked         sql.NullString
		expires, created, updated string
	)
	err := s.Scan(&i.ID, &i.CustomerID, &i.Email, &i.Role, &sites, &i.Message, &i.TokenHash, &i.InvitedBy, &i.FirstAdmin,
		&expires, &i.SentCount, &accepted, &acceptedBy, &revoked, &i.Version, &created, &updated)
	if err != nil {
		return invite.Invitation{}, err
	}
	i.AcceptedBy = customer.UserID(acceptedBy.String)
	if sites != "[]" {
		if err := json.Unmarshal([]byte(sites), &i.SiteIDs); err != nil {
			return invite.Invitation{}, fmt.Errorf("sqlite: reading sites of invitation %s: %w", i.ID, err)
		}
	}
	if i.ExpiresAt, err = parseTime(expires); err != nil {
		return invite.Invitation{}, err
	}
	if i.AcceptedAt, err = parseNullTime(accepted); err != nil {
		return invite.Invitation{}, err
	}
	if i.RevokedAt, err = parseNullTime(revoked); err != nil {
		return invite.Invitation{}, err
	}
	if i.CreatedAt, err = parseTime(created); err != nil {
		return invite.Invitation{}, err
	}
	if i.UpdatedAt, err = parseTime(updated); err != nil {
		return invite.Invitation{}, err
	}
	return i, nil
}

// siteIDsJSON encodes the site set as stored: a JSON array, "[]" for none.
func siteIDsJSON(ids []customer.SiteID) (string, error) {
	if len(ids) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return "", fmt.Errorf("sqlite: encoding site IDs: %w", err)
	}
	return string(b), nil
}

func createInvitation(ctx context.Context, tx *sql.Tx, i invite.Invitation) error {
	sites, err := siteIDsJSON(i.SiteIDs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO invitations (`+invitationColumns+`) VALUES (`+placeholders(17)+`)`,
		string(i.ID), string(i.CustomerID), i.Email, string(i.Role), sites, i.Message, string(i.TokenHash), i.InvitedBy, i.FirstAdmin,
		formatTime(i.ExpiresAt), i.SentCount, nullTime(i.AcceptedAt), nullString(i.AcceptedBy), nullTime(i.RevokedAt),
		i.Version, formatTime(i.CreatedAt), formatTime(i.UpdatedAt))
	return dbError("creating invitation "+string(i.ID), err, storage.ErrNotFound)
}

// findInvitation finds the invitation whose column (id or token_hash, never
// caller input) equals value.
func findInvitation(ctx context.Context, tx *sql.Tx, column, value string) (invite.Invitation, error) {
	i, err := scanInvitation(tx.QueryRowContext(ctx,
		`SELECT `+invitationColumns+` FROM invitations WHERE `+column+` = ?`, value))
	if err != nil {
		return invite.Invitation{}, dbError("finding invitation by "+column, err, nil)
	}
	return i, nil
}

func updateInvitation(ctx context.Context, tx *sql.Tx, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error) {
	op := "updating invitation " + string(id)
	old, err := findInvitation(ctx, tx, "id", string(id))
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
	sites, err := siteIDsJSON(i.SiteIDs)
	if err != nil {
		return invite.Invitation{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE invitations SET
		email = ?, role = ?, site_ids = ?, message = ?, token_hash = ?, invited_by = ?, first_admin = ?,
		expires_at = ?, sent_count = ?, accepted_at = ?, accepted_by = ?, revoked_at = ?, version = ?, updated_at = ?
		WHERE id = ? AND version = ?`,
		i.Email, string(i.Role), sites, i.Message, string(i.TokenHash), i.InvitedBy, i.FirstAdmin,
		formatTime(i.ExpiresAt), i.SentCount, nullTime(i.AcceptedAt), nullString(i.AcceptedBy), nullTime(i.RevokedAt),
		i.Version, formatTime(i.UpdatedAt),
		string(id), old.Version)
	if err := checkUpdated(op, res, err, nil); err != nil {
		return invite.Invitation{}, err
	}
	return i, nil
}

func markInvitationAccepted(ctx context.Context, tx *sql.Tx, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error) {
	op := "accepting invitation " + string(id)
	// The state check and the write are one statement, so two acceptances
	// of one invitation cannot both succeed, whatever the isolation.
	i, err := scanInvitation(tx.QueryRowContext(ctx,
		`UPDATE invitations SET accepted_at = ?, accepted_by = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
		RETURNING `+invitationColumns,
		formatTime(at), nullString(by), formatTime(at), string(id), formatTime(at)))
	if err == nil {
		return i, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return invite.Invitation{}, dbError(op, err, nil)
	}
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM invitations WHERE id = ?`, string(id)).Scan(&one)
	if err != nil {
		return invite.Invitation{}, dbError(op, err, nil) // ErrNotFound for no row
	}
	return invite.Invitation{}, fmt.Errorf("sqlite: %s: not pending: %w", op, storage.ErrConflict)
}

func findInvitations(ctx context.Context, tx *sql.Tx, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	const op = "listing invitations"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[invite.Invitation]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + invitationColumns + ` FROM invitations WHERE id > ?`)
	args := []any{after}
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.Email != "" {
		q.WriteString(` AND email = ?`)
		args = append(args, f.Email)
	}
	if f.State != "" {
		if f.Now.IsZero() {
			return storage.List[invite.Invitation]{}, fmt.Errorf("sqlite: %s: %w", op, portalerr.Invalidf("now", "is required with a state"))
		}
		// As invite.Invitation.State: accepted wins over revoked, which
		// wins over expired (ExpiresAt at or before Now).
		now := formatTime(f.Now)
		switch f.State {
		case invite.StateAccepted:
			q.WriteString(` AND accepted_at IS NOT NULL`)
		case invite.StateRevoked:
			q.WriteString(` AND accepted_at IS NULL AND revoked_at IS NOT NULL`)
		case invite.StateExpired:
			q.WriteString(` AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= ?`)
			args = append(args, now)
		case invite.StatePending:
			q.WriteString(` AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?`)
			args = append(args, now)
		default:
			// No invitation is ever in an unknown state.
			q.WriteString(` AND 0`)
		}
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, tx, op, q.String(), args, limit, scanInvitation,
		func(i invite.Invitation) string { return string(i.ID) })
}

type loginLinkRepo struct{ r *repos }

// Create stores l. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the user does not exist.
func (s loginLinkRepo) Create(ctx context.Context, l invite.LoginLink) error {
	if err := s.r.writable("creating login link"); err != nil {
		return err
	}
	return createLoginLink(ctx, s.r.tx, l)
}

// Consume marks the usable link with this token hash as used at now and
// returns it, in one conditional UPDATE. ErrNotFound when there is none.
func (s loginLinkRepo) Consume(ctx context.Context, h invite.Hash, now time.Time) (invite.LoginLink, error) {
	if err := s.r.writable("consuming login link"); err != nil {
		return invite.LoginLink{}, err
	}
	return consumeLoginLink(ctx, s.r.tx, h, now)
}

// Supersede marks every unused link of the user as used at `at`.
func (s loginLinkRepo) Supersede(ctx context.Context, user customer.UserID, at time.Time) error {
	const op = "superseding login links"
	if err := s.r.writable(op); err != nil {
		return err
	}
	_, err := s.r.tx.ExecContext(ctx,
		`UPDATE login_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL`,
		formatTime(at), string(user))
	return dbError(op, err, nil)
}

// DeleteExpired removes the links that expired before `before` and returns
// how many.
func (s loginLinkRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired login links"
	if err := s.r.writable(op); err != nil {
		return 0, err
	}
	res, err := s.r.tx.ExecContext(ctx, `DELETE FROM login_links WHERE expires_at < ?`, formatTime(before))
	return rowsAffected(op, res, err, nil)
}

const loginLinkColumns = `id, user_id, token_hash, expires_at, used_at, created_at`

func scanLoginLink(s scanner) (invite.LoginLink, error) {
	var (
		l                invite.LoginLink
		expires, created string
		used             sql.NullString
	)
	err := s.Scan(&l.ID, &l.UserID, &l.TokenHash, &expires, &used, &created)
	if err != nil {
		return invite.LoginLink{}, err
	}
	if l.ExpiresAt, err = parseTime(expires); err != nil {
		return invite.LoginLink{}, err
	}
	if l.UsedAt, err = parseNullTime(used); err != nil {
		return invite.LoginLink{}, err
	}
	if l.CreatedAt, err = parseTime(created); err != nil {
		return invite.LoginLink{}, err
	}
	return l, nil
}

func createLoginLink(ctx context.Context, tx *sql.Tx, l invite.LoginLink) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO login_links (`+loginLinkColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		string(l.ID), string(l.UserID), string(l.TokenHash), formatTime(l.ExpiresAt), nullTime(l.UsedAt), formatTime(l.CreatedAt))
	return dbError("creating login link "+string(l.ID), err, storage.ErrNotFound)
}

func consumeLoginLink(ctx context.Context, tx *sql.Tx, h invite.Hash, now time.Time) (invite.LoginLink, error) {
	// Unknown, used and expired links all match no row: callers cannot
	// tell them apart, and two consumers of one token cannot both win.
	l, err := scanLoginLink(tx.QueryRowContext(ctx,
		`UPDATE login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		RETURNING `+loginLinkColumns,
		formatTime(now), string(h), formatTime(now)))
	if err != nil {
		return invite.LoginLink{}, dbError("consuming login link", err, nil)
	}
	return l, nil
}

type accessLinkRepo struct{ r *repos }

// Create stores l. ErrAlreadyExists when the ID or token hash is taken;
// ErrNotFound when the membership or the customer does not exist.
func (s accessLinkRepo) Create(ctx context.Context, l invite.AccessLink) error {
	if err := s.r.writable("creating access link"); err != nil {
		return err
	}
	return createAccessLink(ctx, s.r.tx, l)
}

// Get returns the access link with the given ID, or ErrNotFound.
func (s accessLinkRepo) Get(ctx context.Context, id invite.AccessLinkID) (invite.AccessLink, error) {
	return findAccessLink(ctx, s.r.tx, "id", string(id))
}

// GetByTokenHash returns the link whose current token has this hash, or
// ErrNotFound.
func (s accessLinkRepo) GetByTokenHash(ctx context.Context, h invite.Hash) (invite.AccessLink, error) {
	return findAccessLink(ctx, s.r.tx, "token_hash", string(h))
}

// Update reads the link, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (token hash), ErrConflict.
func (s accessLinkRepo) Update(ctx context.Context, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error) {
	if err := s.r.writable("updating access link"); err != nil {
		return invite.AccessLink{}, err
	}
	return updateAccessLink(ctx, s.r.tx, id, fn)
}

// List returns one page of access links matching f, ordered by ID.
func (s accessLinkRepo) List(ctx context.Context, f storage.AccessLinkFilter, p storage.Page) (storage.List[invite.AccessLink], error) {
	return findAccessLinks(ctx, s.r.tx, f, p)
}

const accessLinkColumns = `id, membership_id, customer_id, token_hash, read_only, ttl_ns, expires_at, disabled_at,
	created_by, version, created_at, updated_at`

func scanAccessLink(s scanner) (invite.AccessLink, error) {
	var (
		l                         invite.AccessLink
		expires, created, updated string
		disabled                  sql.NullString
	)
	err := s.Scan(&l.ID, &l.MembershipID, &l.CustomerID, &l.TokenHash, &l.ReadOnly, &l.TTL, &expires, &disabled,
		&l.CreatedBy, &l.Version, &created, &updated)
	if err != nil {
		return invite.AccessLink{}, err
	}
	if l.ExpiresAt, err = parseTime(expires); err != nil {
		return invite.AccessLink{}, err
	}
	if l.DisabledAt, err = parseNullTime(disabled); err != nil {
		return invite.AccessLink{}, err
	}
	if l.CreatedAt, err = parseTime(created); err != nil {
		return invite.AccessLink{}, err
	}
	if l.UpdatedAt, err = parseTime(updated); err != nil {
		return invite.AccessLink{}, err
	}
	return l, nil
}

func createAccessLink(ctx context.Context, tx *sql.Tx, l invite.AccessLink) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO access_links (`+accessLinkColumns+`) VALUES (`+placeholders(12)+`)`,
		string(l.ID), string(l.MembershipID), string(l.CustomerID), string(l.TokenHash), l.ReadOnly, int64(l.TTL),
		formatTime(l.ExpiresAt), nullTime(l.DisabledAt), l.CreatedBy, l.Version, formatTime(l.CreatedAt), formatTime(l.UpdatedAt))
	return dbError("creating access link "+string(l.ID), err, storage.ErrNotFound)
}

// findAccessLink finds the link whose column (id or token_hash, never
// caller input) equals value.
func findAccessLink(ctx context.Context, tx *sql.Tx, column, value string) (invite.AccessLink, error) {
	l, err := scanAccessLink(tx.QueryRowContext(ctx,
		`SELECT `+accessLinkColumns+` FROM access_links WHERE `+column+` = ?`, value))
	if err != nil {
		return invite.AccessLink{}, dbError("finding access link by "+column, err, nil)
	}
	return l, nil
}

func updateAccessLink(ctx context.Context, tx *sql.Tx, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error) {
	old, err := findAccessLink(ctx, tx, "id", string(id))
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
	res, err := tx.ExecContext(ctx, `UPDATE access_links SET
		token_hash = ?, read_only = ?, ttl_ns = ?, expires_at = ?, disabled_at = ?, created_by = ?, version = ?, updated_at = ?
		WHERE id = ? AND version = ?`,
		string(l.TokenHash), l.ReadOnly, int64(l.TTL), formatTime(l.ExpiresAt), nullTime(l.DisabledAt), l.CreatedBy,
		l.Version, formatTime(l.UpdatedAt),
		string(id), old.Version)
	if err := checkUpdated("updating access link "+string(id), res, err, nil); err != nil {
		return invite.AccessLink{}, err
	}
	return l, nil
}

func findAccessLinks(ctx context.Context, tx *sql.Tx, f storage.AccessLinkFilter, p storage.Page) (storage.List[invite.AccessLink], error) {
	const op = "listing access links"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[invite.AccessLink]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + accessLinkColumns + ` FROM access_links WHERE id > ?`)
	args := []any{after}
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.MembershipID != "" {
		q.WriteString(` AND membership_id = ?`)
		args = append(args, string(f.MembershipID))
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, tx, op, q.String(), args, limit, scanAccessLink,
		func(l invite.AccessLink) string { return string(l.ID) })
}
