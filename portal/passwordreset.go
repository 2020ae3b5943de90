package portal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// PrefixPasswordReset is the prefix of the IDs of password reset links.
const PrefixPasswordReset = "pwr"

var errBadReset = portalerr.New(portalerr.Unauthenticated, "the password reset link is not valid or has expired; ask for a new one")

// RequestPasswordResetParams ask for a password reset link by e-mail.
type RequestPasswordResetParams struct {
	Email string `json:"email" validate:"required,max=254"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

// RequestPasswordReset mails a password reset link (/reset-password?token=…),
// valid for identity.PasswordResetTTL and usable once, to the address if it
// belongs to an active user with an active membership of an active
// customer; a newer link ends older ones. Like RequestLoginLink it answers
// the same, nil, and takes at least Config.LoginLinkMinDuration, whether or
// not the address is known, so nobody can probe for accounts. It needs no
// principal. Invalid for a malformed address; RateLimited, with RetryAfter,
// past the per-e-mail or per-client limits (counted apart from sign-ins and
// login links).
func (p *Portal) RequestPasswordReset(ctx context.Context, params RequestPasswordResetParams) error {
	start := time.Now()
	email, err := p.resetRequest(ctx, "passwordreset", params)
	if err != nil {
		return err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		u, err := r.Users().GetByEmail(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil || !u.Active() {
			return err
		}
		m, err := firstActiveMembership(ctx, r, u.ID, "")
		if err != nil {
			return ignoreUnauthenticated(err)
		}
		c, err := r.Customers().Get(ctx, m.CustomerID)
		if err != nil {
			return err
		}
		token, pr, err := p.issuePasswordReset(ctx, r, u.ID, "")
		if err != nil {
			return err
		}
		return p.enqueue(ctx, r, Notification{
			Kind: NotifyPasswordReset, To: u.Email, Locale: u.Locale, Token: token, ExpiresAt: pr.ExpiresAt,
			CustomerID: c.ID, CustomerName: c.Name,
		})
	})
	if err != nil {
		return err
	}
	p.padLinkRequest(ctx, start)
	return nil
}

// RequestStaffPasswordReset mails a staff member a password reset link
// (/console/reset-password?token=…), valid for identity.PasswordResetTTL
// and usable once, if the address belongs to an active staff member (an
// invited one accepts its invitation instead); a newer link ends older
// ones. It answers and waits like RequestPasswordReset, and needs no
// principal. Invalid for a malformed address; RateLimited, with
// RetryAfter, past the per-e-mail or per-client limits.
func (p *Portal) RequestStaffPasswordReset(ctx context.Context, params RequestPasswordResetParams) error {
	start := time.Now()
	email, err := p.resetRequest(ctx, "staffpasswordreset", params)
	if err != nil {
		return err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		m, err := r.Staff().GetByEmail(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil || m.Status != identity.StaffActive {
			return err
		}
		token, pr, err := p.issuePasswordReset(ctx, r, "", m.ID)
		if err != nil {
			return err
		}
		return p.enqueue(ctx, r, Notification{Kind: NotifyStaffPasswordReset, To: m.Email, Token: token, ExpiresAt: pr.ExpiresAt})
	})
	if err != nil {
		return err
	}
	p.padLinkRequest(ctx, start)
	return nil
}

// resetRequest checks a reset request and counts it against the rate
// limits of kind, and returns the normalised address.
func (p *Portal) resetRequest(ctx context.Context, kind string, params RequestPasswordResetParams) (string, error) {
	if err := validStruct(params); err != nil {
		return "", err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return "", err
	}
	return email, p.limit(ctx, kind, email, params.ClientAddr)
}

// issuePasswordReset ends the person's unused resets and makes a new one,
// whose token it returns.
func (p *Portal) issuePasswordReset(ctx context.Context, r storage.Repos, uid customer.UserID, sid identity.StaffID) (string, identity.PasswordReset, error) {
	now := p.timestamp()
	if err := r.PasswordResets().Supersede(ctx, uid, sid, now); err != nil {
		return "", identity.PasswordReset{}, err
	}
	token, hash := invite.NewToken(invite.PrefixPasswordReset)
	pr := identity.PasswordReset{
		ID: identity.PasswordResetID(p.ids.NewID(PrefixPasswordReset)), UserID: uid, StaffID: sid,
		TokenHash: string(hash), ExpiresAt: now.Add(identity.PasswordResetTTL), CreatedAt: now,
	}
	if err := r.PasswordResets().Create(ctx, pr); err != nil {
		return "", identity.PasswordReset{}, fmt.Errorf("portal: creating password reset: %w", err)
	}
	return token, pr, nil
}

// ResetPasswordParams set a new password with a reset link's token.
type ResetPasswordParams struct {
	Token       string `json:"token" validate:"required,max=200"`
	NewPassword string `json:"new_password" validate:"required"`
}

// PasswordReset says whose password ResetPassword set: a customer user's
// (UserID) or a staff member's (StaffID), and at which address, for the
// page that asks them to sign in with it.
type PasswordReset struct {
	UserID  customer.UserID
	StaffID identity.StaffID
	Email   string
}

// ResetPassword sets a new password with the token of a password reset
// link, of a customer user or of a staff member, and ends all of that
// person's sessions and its password lockout; the link works once and
// within identity.PasswordResetTTL. The person then signs in with the new
// password. It needs no principal. Invalid on new_password for a weak
// password (the link stays usable); Unauthenticated for an unknown, used,
// superseded or expired link, and for a user or staff member who can no
// longer sign in.
func (p *Portal) ResetPassword(ctx context.Context, params ResetPasswordParams) (PasswordReset, error) {
	if err := validStruct(params); err != nil {
		return PasswordReset{}, err
	}
	if err := identity.CheckPassword(params.NewPassword); err != nil {
		return PasswordReset{}, portalerr.Invalidf("new_password", "%s", portalerr.FieldsOf(err)[0].Message)
	}
	if !invite.HasPrefix(params.Token, invite.PrefixPasswordReset) {
		return PasswordReset{}, errBadReset
	}
	// Hash before the transaction: argon2id is slow on purpose.
	hash := identity.HashPassword(params.NewPassword, p.argon)
	var out PasswordReset
	err := p.write(ctx, func(r storage.Repos) error {
		now := p.timestamp()
		pr, err := r.PasswordResets().Consume(ctx, string(invite.HashToken(params.Token)), now)
		if errors.Is(err, storage.ErrNotFound) {
			return errBadReset
		}
		if err != nil {
			return err
		}
		pw := identity.Password{UserID: pr.UserID, Hash: hash, UpdatedAt: now}
		if pr.StaffID != "" {
			m, err := r.Staff().Get(ctx, pr.StaffID)
			if err != nil {
				return notFoundAs(err, errBadReset)
			}
			if m.Status != identity.StaffActive {
				return errBadReset
			}
			if err := r.Staff().PutPassword(ctx, m.ID, pw); err != nil {
				return err
			}
			if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{StaffID: m.ID}); err != nil {
				return err
			}
			out = PasswordReset{StaffID: m.ID, Email: m.Email}
			return p.record(ctx, r, m.Principal("", "").Actor(), "staff.password_reset", "", string(m.ID), m)
		}
		u, err := r.Users().Get(ctx, pr.UserID)
		if err != nil {
			return notFoundAs(err, errBadReset)
		}
		if !u.Active() {
			return errBadReset
		}
		if err := r.Passwords().Put(ctx, pw); err != nil {
			return err
		}
		if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{UserID: u.ID}); err != nil {
			return err
		}
		out = PasswordReset{UserID: u.ID, Email: u.Email}
		return p.record(ctx, r, identity.Principal{Kind: identity.KindUser, ID: string(u.ID)}.Actor(), "user.password_reset", "", string(u.ID), u)
	})
	return out, err
}
