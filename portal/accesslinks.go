package portal

import (
	"context"
	"errors"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func errAccessLinkNotFound(id invite.AccessLinkID) error {
	return portalerr.New(portalerr.NotFound, "access link %s not found", id)
}

// AccessLinkSecret is an access link with its token, shown only here, once.
type AccessLinkSecret struct {
	Link  invite.AccessLink
	Token string
}

// CreateAccessLinkParams describe a new access link.
type CreateAccessLinkParams struct {
	// ReadOnly caps the link's sessions at viewer rights.
	ReadOnly bool `json:"read_only"`
	// ExpiresIn is the lifetime, granted anew at each refresh: zero for
	// invite.DefaultAccessLinkTTL (six months), else between
	// invite.MinAccessLinkTTL and MaxAccessLinkTTL.
	ExpiresIn time.Duration `json:"expires_in"`
}

// CreateAccessLink creates a long-lived, reusable sign-in link for a
// membership (the field-service seed's "login via link"). Staff may call it.
// FeatureDisabled unless the customer allows access links
// (Features.AccessLinks); FailedPrecondition for a disabled membership or an
// inactive customer. It is recorded in the audit log.
func (p *Portal) CreateAccessLink(ctx context.Context, cid customer.ID, mid customer.MembershipID, params CreateAccessLinkParams) (AccessLinkSecret, error) {
	ttl, err := invite.AccessLinkTTL(params.ExpiresIn)
	if err != nil {
		return AccessLinkSecret{}, err
	}
	var out AccessLinkSecret
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActAccessLinkManage, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := checkAccessLinksAllowed(c); err != nil {
			return err
		}
		m, err := getMembership(ctx, r, cid, mid)
		if err != nil {
			return err
		}
		if err := m.CheckActive(); err != nil {
			return err
		}
		now := p.timestamp()
		token, hash := invite.NewToken(invite.PrefixAccessLink)
		l := invite.AccessLink{
			ID: invite.AccessLinkID(p.ids.NewID(PrefixAccessLink)), MembershipID: mid, CustomerID: cid, TokenHash: hash,
			ReadOnly: params.ReadOnly, TTL: ttl, ExpiresAt: now.Add(ttl), CreatedBy: a.who.Actor(), Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		noteObject(r, string(l.ID))
		if err := r.AccessLinks().Create(ctx, l); err != nil {
			return err
		}
		out = AccessLinkSecret{Link: l, Token: token}
		return p.record(ctx, r, a.who.Actor(), "access_link.created", cid, string(l.ID), l)
	})
	return out, err
}

func checkAccessLinksAllowed(c customer.Customer) error {
	if !c.Features.AccessLinks {
		return portalerr.New(portalerr.FeatureDisabled, "customer %s does not allow access links (feature access_links)", c.ID)
	}
	return c.CheckActive()
}

// RefreshAccessLink gives an access link a new token and a new lifetime and
// enables it if it was disabled; the old token and the sessions opened with
// it stop working. Staff may call it; it is recorded in the audit log.
func (p *Portal) RefreshAccessLink(ctx context.Context, cid customer.ID, id invite.AccessLinkID) (AccessLinkSecret, error) {
	var out AccessLinkSecret
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActAccessLinkManage, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := checkAccessLinksAllowed(c); err != nil {
			return err
		}
		token, hash := invite.NewToken(invite.PrefixAccessLink)
		l, err := p.changeAccessLink(ctx, r, a, cid, id, "access_link.refreshed", func(l *invite.AccessLink, now time.Time) bool {
			l.TokenHash = hash
			l.ExpiresAt = now.Add(l.TTL)
			l.DisabledAt = time.Time{}
			return true
		})
		out = AccessLinkSecret{Link: l, Token: token}
		return err
	})
	return out, err
}

// DisableAccessLink disables an access link: it and the sessions opened with
// it stop working until it is refreshed. Staff may call it; it is recorded
// in the audit log.
func (p *Portal) DisableAccessLink(ctx context.Context, cid customer.ID, id invite.AccessLinkID) (invite.AccessLink, error) {
	var out invite.AccessLink
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActAccessLinkManage, cid, "")
		if err != nil {
			return err
		}
		out, err = p.changeAccessLink(ctx, r, a, cid, id, "access_link.disabled", func(l *invite.AccessLink, now time.Time) bool {
			if !l.DisabledAt.IsZero() {
				return false
			}
			l.DisabledAt = now
			return true
		})
		return err
	})
	return out, err
}

// changeAccessLink applies change to an access link of customer cid and,
// when change reports a change, ends the sessions opened with it and records
// the action.
func (p *Portal) changeAccessLink(ctx context.Context, r storage.Repos, a access, cid customer.ID, id invite.AccessLinkID,
	action string, change func(*invite.AccessLink, time.Time) (changed bool)) (invite.AccessLink, error) {
	now := p.timestamp()
	changed := false
	l, err := r.AccessLinks().Update(ctx, id, func(l *invite.AccessLink) error {
		if l.CustomerID != cid {
			return errAccessLinkNotFound(id)
		}
		if changed = change(l, now); changed {
			l.UpdatedAt = now
		}
		return nil
	})
	if err != nil || !changed {
		return l, notFoundAs(err, errAccessLinkNotFound(id))
	}
	if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{AccessLinkID: string(id)}); err != nil {
		return l, err
	}
	return l, p.record(ctx, r, a.who.Actor(), action, cid, string(id), l)
}

// ListAccessLinksParams filter and page an access link list.
type ListAccessLinksParams struct {
	MembershipID customer.MembershipID `json:"membership_id" validate:"max=100"`
	Cursor       string                `json:"cursor" validate:"max=200"`
	Limit        int                   `json:"limit" validate:"min=0,max=100"`
}

// ListAccessLinks lists a customer's access links, never their tokens.
// Staff may call it.
func (p *Portal) ListAccessLinks(ctx context.Context, cid customer.ID, params ListAccessLinksParams) (List[invite.AccessLink], error) {
	return listIn(ctx, p, "access_links", ActAccessLinkRead, cid, params, func(r storage.Repos, _ access, page storage.Page) (storage.List[invite.AccessLink], error) {
		return r.AccessLinks().List(ctx, storage.AccessLinkFilter{CustomerID: cid, MembershipID: params.MembershipID}, page)
	})
}

// SignInWithAccessLink opens a session with an access link's token. The
// session ends with the link at the latest, and a read-only link's session
// acts as a viewer. It needs no principal. Unauthenticated for an unknown,
// replaced, disabled or expired link, a customer that no longer allows
// access links, and a membership, user or customer no longer active.
func (p *Portal) SignInWithAccessLink(ctx context.Context, token string) (SignIn, error) {
	if !invite.HasPrefix(token, invite.PrefixAccessLink) {
		return SignIn{}, errBadToken
	}
	var out SignIn
	err := p.write(ctx, func(r storage.Repos) error {
		l, err := r.AccessLinks().GetByTokenHash(ctx, invite.HashToken(token))
		if errors.Is(err, storage.ErrNotFound) {
			return errBadToken
		}
		if err != nil {
			return err
		}
		if !l.Usable(p.timestamp()) {
			return errBadToken
		}
		c, err := r.Customers().Get(ctx, l.CustomerID)
		if err != nil {
			return err
		}
		if checkAccessLinksAllowed(c) != nil {
			return errBadToken
		}
		m, err := r.Memberships().Get(ctx, l.MembershipID)
		if err != nil {
			return err
		}
		if _, err := checkSignInAllowed(ctx, r, m.UserID, m.ID); portalerr.CodeOf(err) == portalerr.Unauthenticated {
			return errBadToken
		} else if err != nil {
			return err
		}
		out, err = p.openSession(ctx, r, m, identity.MethodAccessLink, &l)
		return err
	})
	return out, err
}
