package portal

import (
	"context"
	"errors"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/storage"
)

// RequestLoginLinkParams ask for a one-time sign-in link by e-mail.
type RequestLoginLinkParams struct {
	Email string `json:"email" validate:"required,max=254"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

// RequestLoginLink sends a one-time sign-in link, valid for
// invite.LoginLinkTTL, to the address if it belongs to an active user with
// an active membership of an active customer; a newer link ends older ones.
// It answers the same, nil, and takes at least Config.LoginLinkMinDuration,
// whether or not the address is known, so nobody can probe for accounts. It
// needs no principal. Invalid for a malformed address; RateLimited, with
// RetryAfter, past the per-e-mail or per-client limits.
func (p *Portal) RequestLoginLink(ctx context.Context, params RequestLoginLinkParams) error {
	start := time.Now()
	if err := validStruct(params); err != nil {
		return err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return err
	}
	if err := p.limit(ctx, "loginlink", email, params.ClientAddr); err != nil {
		return err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		u, err := r.Users().GetByEmail(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !u.Active() {
			return nil
		}
		m, err := firstActiveMembership(ctx, r, u.ID, "")
		if err != nil {
			return ignoreUnauthenticated(err)
		}
		c, err := r.Customers().Get(ctx, m.CustomerID)
		if err != nil {
			return err
		}
		now := p.timestamp()
		if err := r.LoginLinks().Supersede(ctx, u.ID, now); err != nil {
			return err
		}
		token, hash := invite.NewToken(invite.PrefixLoginLink)
		l := invite.LoginLink{
			ID: invite.LoginLinkID(p.ids.NewID(PrefixLoginLink)), UserID: u.ID, TokenHash: hash,
			ExpiresAt: now.Add(invite.LoginLinkTTL), CreatedAt: now,
		}
		if err := r.LoginLinks().Create(ctx, l); err != nil {
			return err
		}
		// The e-mail leaves through the outbox, after the answer: the
		// request takes no longer for a known address by waiting on mail.
		return p.enqueue(ctx, r, Notification{
			Kind: NotifyLoginLink, To: u.Email, Locale: u.Locale, Token: token, ExpiresAt: l.ExpiresAt,
			CustomerID: c.ID, CustomerName: c.Name,
		})
	})
	if err != nil {
		return err
	}
	if wait := p.linkPad - time.Since(start); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return nil
}

// SignInParams choose what a new session acts through.
type SignInParams struct {
	// CustomerID chooses the membership for a user in several customers;
	// empty picks the oldest active one (SwitchMembership changes it).
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
}

// SignInWithLoginLink opens a session with a one-time login link's token.
// The link works once and within its lifetime. It needs no principal.
// Unauthenticated for an unknown, used, superseded or expired link, and for
// a user who can no longer sign in.
func (p *Portal) SignInWithLoginLink(ctx context.Context, token string, params SignInParams) (SignIn, error) {
	if err := validStruct(params); err != nil {
		return SignIn{}, err
	}
	if !invite.HasPrefix(token, invite.PrefixLoginLink) {
		return SignIn{}, errBadToken
	}
	var out SignIn
	err := p.write(ctx, func(r storage.Repos) error {
		l, err := r.LoginLinks().Consume(ctx, invite.HashToken(token), p.timestamp())
		if errors.Is(err, storage.ErrNotFound) {
			return errBadToken
		}
		if err != nil {
			return err
		}
		u, err := r.Users().Get(ctx, l.UserID)
		if err != nil {
			return err
		}
		if !u.Active() {
			return errBadToken
		}
		m, err := firstActiveMembership(ctx, r, l.UserID, params.CustomerID)
		if err != nil {
			return err
		}
		out, err = p.openSession(ctx, r, m, identity.MethodLoginLink, nil)
		return err
	})
	return out, err
}
