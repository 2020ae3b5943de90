package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func errInvitationNotFound(id invite.ID) error {
	return portalerr.New(portalerr.NotFound, "invitation %s not found", id)
}

var errInvitationLink = portalerr.New(portalerr.NotFound, "this invitation link is not valid; ask for a new invitation")

// InviteParams invite a person into a customer.
type InviteParams struct {
	Email string        `json:"email" validate:"required,max=254"`
	Role  customer.Role `json:"role" validate:"required,oneof=viewer maintainer admin"`
	// SiteIDs limits the membership to these sites of the customer; empty: all.
	SiteIDs []customer.SiteID `json:"site_ids" validate:"max=100"`
	// Message is a personal note that goes into the invitation e-mail.
	Message string `json:"message" validate:"max=2000"`
	// ExpiresIn is the link's lifetime: zero for invite.DefaultInvitationTTL
	// (7 days), else between invite.MinInvitationTTL and MaxInvitationTTL.
	ExpiresIn time.Duration `json:"expires_in"`
}

// Invite invites a person into a customer and sends the invitation. Staff
// and the customer's admins may call it; an admin limited to some sites may
// grant only those. If the customer has no active admin yet, the invitee
// will become admin whatever role is asked. AlreadyExists when the person is
// a member already or has a pending invitation to the customer (resend it);
// FailedPrecondition for a customer that is not active.
func (p *Portal) Invite(ctx context.Context, cid customer.ID, params InviteParams) (invite.Invitation, error) {
	email, emailErr := customer.NormalizeEmail(params.Email)
	params.Message = strings.TrimSpace(params.Message)
	ttl, ttlErr := invite.TTL(params.ExpiresIn)
	if err := mergeInvalid(emailErr, ttlErr, validStruct(params)); err != nil {
		return invite.Invitation{}, err
	}
	var inv invite.Invitation
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActInvitationManage, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		sites, err := checkSites(ctx, r, a, cid, params.SiteIDs)
		if err != nil {
			return err
		}
		inv, err = p.createInvitation(ctx, r, c, invite.Invitation{
			Email: email, Role: params.Role, SiteIDs: sites, Message: params.Message, InvitedBy: a.who.Actor(),
		}, ttl)
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "invitation.created", cid, string(inv.ID), nil, nil, inv)
	})
	return inv, err
}

// createInvitation checks that draft's invitee is new to customer c,
// stores the invitation and enqueues its e-mail, in the caller's
// transaction. draft carries Email, Role, SiteIDs, Message, InvitedBy and
// FirstAdmin; the rest is filled in. The token goes only into the e-mail.
func (p *Portal) createInvitation(ctx context.Context, r storage.Repos, c customer.Customer, draft invite.Invitation, ttl time.Duration) (invite.Invitation, error) {
	return p.createInvitationIn(ctx, r, c, draft, ttl, "")
}

// createInvitationIn is createInvitation with the invitation mail in
// locale when the invitee has no account (whose locale wins).
func (p *Portal) createInvitationIn(ctx context.Context, r storage.Repos, c customer.Customer, draft invite.Invitation, ttl time.Duration, locale string) (invite.Invitation, error) {
	if !c.Active() {
		return invite.Invitation{}, portalerr.New(portalerr.FailedPrecondition, "customer %s is %s; invite people once it is active", c.ID, c.Status)
	}
	now := p.timestamp()
	if u, err := r.Users().GetByEmail(ctx, draft.Email); err == nil {
		l, err := r.Memberships().List(ctx, storage.MembershipFilter{UserID: u.ID, CustomerID: c.ID}, storage.Page{Limit: 1})
		if err != nil {
			return invite.Invitation{}, fmt.Errorf("portal: looking for a membership: %w", err)
		}
		if len(l.Items) > 0 {
			return invite.Invitation{}, portalerr.New(portalerr.AlreadyExists, "%s is already a member of customer %s", draft.Email, c.ID)
		}
		locale = u.Locale
	} else if !errors.Is(err, storage.ErrNotFound) {
		return invite.Invitation{}, fmt.Errorf("portal: looking up the invitee: %w", err)
	}
	pending, err := r.Invitations().List(ctx, storage.InvitationFilter{CustomerID: c.ID, Email: draft.Email, State: invite.StatePending, Now: now}, storage.Page{Limit: 1})
	if err != nil {
		return invite.Invitation{}, fmt.Errorf("portal: looking for pending invitations: %w", err)
	}
	if len(pending.Items) > 0 {
		return invite.Invitation{}, portalerr.New(portalerr.AlreadyExists, "%s already has a pending invitation (%s); resend it instead", draft.Email, pending.Items[0].ID)
	}
	token, hash := invite.NewToken(invite.PrefixInvitation)
	inv := draft
	inv.ID = invite.ID(p.ids.NewID(PrefixInvitation))
	inv.CustomerID = c.ID
	inv.TokenHash = hash
	inv.ExpiresAt = now.Add(ttl)
	inv.SentCount = 1
	inv.Version = 1
	inv.CreatedAt, inv.UpdatedAt = now, now
	inv.Role = inv.OfferedRole()
	noteObject(r, string(inv.ID))
	if err := r.Invitations().Create(ctx, inv); err != nil {
		return invite.Invitation{}, fmt.Errorf("portal: creating invitation: %w", err)
	}
	if err := p.enqueue(ctx, r, invitationNotice(NotifyInvitation, inv, c, token, locale)); err != nil {
		return invite.Invitation{}, err
	}
	return inv, nil
}

// invitationNotice is the e-mail of an invitation; locale is the
// invitee's, when the invitee has an account.
func invitationNotice(kind NotificationKind, inv invite.Invitation, c customer.Customer, token, locale string) Notification {
	return Notification{
		Kind: kind, To: inv.Email, Locale: locale, Token: token, ExpiresAt: inv.ExpiresAt,
		CustomerID: c.ID, CustomerName: c.Name, Role: inv.Role, Message: inv.Message,
	}
}

// userLocale returns the locale of the user with this address, or "" when
// there is none.
func userLocale(ctx context.Context, r storage.Repos, email string) (string, error) {
	u, err := r.Users().GetByEmail(ctx, email)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("portal: looking up the invitee: %w", err)
	}
	return u.Locale, nil
}

// ListInvitationsParams filter and page an invitation list.
type ListInvitationsParams struct {
	// State keeps invitations in this state: pending, accepted, revoked or expired.
	State  invite.State `json:"state" validate:"omitempty,oneof=pending accepted revoked expired"`
	Cursor string       `json:"cursor" validate:"max=200"`
	Limit  int          `json:"limit" validate:"min=0,max=100"`
}

// ListInvitations lists a customer's invitations, oldest first. Staff and
// the customer's admins may call it; an admin limited to some sites sees only
// the invitations within them, so a page may hold fewer than Limit items
// before the last.
func (p *Portal) ListInvitations(ctx context.Context, cid customer.ID, params ListInvitationsParams) (List[invite.Invitation], error) {
	return listIn(ctx, p, "invitations", ActInvitationRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[invite.Invitation], error) {
		l, err := r.Invitations().List(ctx, storage.InvitationFilter{CustomerID: cid, State: params.State, Now: p.timestamp()}, page)
		// A site-limited admin sees the invitations within its sites.
		l.Items = slices.DeleteFunc(l.Items, func(i invite.Invitation) bool { return !coversAll(a, i.SiteIDs) })
		return l, err
	})
}

// GetInvitation returns one of a customer's invitations. Staff and the
// customer's admins may call it; an admin limited to some sites gets
// NotFound for an invitation reaching beyond them, as ListInvitations
// leaves it out.
func (p *Portal) GetInvitation(ctx context.Context, cid customer.ID, id invite.ID) (invite.Invitation, error) {
	var inv invite.Invitation
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActInvitationRead, cid, "")
		if err != nil {
			return err
		}
		inv, err = r.Invitations().Get(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && (inv.CustomerID != cid || !coversAll(a, inv.SiteIDs)):
			return errInvitationNotFound(id)
		case err != nil:
			return fmt.Errorf("portal: loading invitation: %w", err)
		}
		return nil
	})
	return inv, err
}

// ResendInvitationParams set the new link's lifetime.
type ResendInvitationParams struct {
	// ExpiresIn works as in InviteParams.
	ExpiresIn time.Duration `json:"expires_in"`
}

// ResendInvitation sends a pending or expired invitation again with a new
// link: the old link stops working and the expiry starts anew; its e-mail
// is enqueued in the same transaction. Staff and the
// customer's admins may call it. InvitationUsed or InvitationRevoked for an
// invitation that can no longer be accepted.
func (p *Portal) ResendInvitation(ctx context.Context, cid customer.ID, id invite.ID, params ResendInvitationParams) (invite.Invitation, error) {
	ttl, err := invite.TTL(params.ExpiresIn)
	if err != nil {
		return invite.Invitation{}, err
	}
	var inv invite.Invitation
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActInvitationManage, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.CheckActive(); err != nil {
			return err
		}
		token, hash := invite.NewToken(invite.PrefixInvitation)
		var old invite.Invitation
		inv, err = p.updateInvitation(ctx, r, a, cid, id, func(i *invite.Invitation, now time.Time) error {
			old = *i
			if err := i.CheckResendable(now); err != nil {
				return err
			}
			i.TokenHash = hash
			i.ExpiresAt = now.Add(ttl)
			i.SentCount++
			return nil
		})
		if err != nil {
			return err
		}
		if err := p.recordDiff(ctx, r, a, "invitation.resent", cid, string(id), old, inv, inv); err != nil {
			return err
		}
		locale, err := userLocale(ctx, r, inv.Email)
		if err != nil {
			return err
		}
		return p.enqueue(ctx, r, invitationNotice(NotifyInvitationResent, inv, c, token, locale))
	})
	if err != nil {
		return invite.Invitation{}, err
	}
	return inv, nil
}

// RevokeInvitation withdraws an invitation: its link stops working.
// Revoking a revoked invitation changes nothing; InvitationUsed for an
// accepted one. Staff and the customer's admins may call it.
func (p *Portal) RevokeInvitation(ctx context.Context, cid customer.ID, id invite.ID) (invite.Invitation, error) {
	var inv invite.Invitation
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActInvitationManage, cid, "")
		if err != nil {
			return err
		}
		var old invite.Invitation
		inv, err = p.updateInvitation(ctx, r, a, cid, id, func(i *invite.Invitation, now time.Time) error {
			old = *i
			revoked, err := i.Revoke(now)
			*i = revoked
			return err
		})
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "invitation.revoked", cid, string(id), old, inv, inv)
	})
	return inv, err
}

// updateInvitation changes an invitation of customer cid; one of another
// customer is NotFound, one reaching beyond a site-limited caller's sites
// PermissionDenied.
func (p *Portal) updateInvitation(ctx context.Context, r storage.Repos, a access, cid customer.ID, id invite.ID, change func(*invite.Invitation, time.Time) error) (invite.Invitation, error) {
	now := p.timestamp()
	inv, err := r.Invitations().Update(ctx, id, func(i *invite.Invitation) error {
		if i.CustomerID != cid {
			return errInvitationNotFound(id)
		}
		if !coversAll(a, i.SiteIDs) {
			return portalerr.New(portalerr.PermissionDenied, "invitation %s reaches sites you are not responsible for", id)
		}
		if err := change(i, now); err != nil {
			return err
		}
		i.UpdatedAt = now
		return nil
	})
	return inv, notFoundAs(err, errInvitationNotFound(id))
}

// AcceptInvitationParams complete an invitation.
type AcceptInvitationParams struct {
	// Name is required when the invitee has no account yet.
	Name string `json:"name" validate:"max=200,singleline"`
	// Password optionally sets the account's password (see
	// identity.CheckPassword) when it has none; an account with a password
	// keeps its own, and this one is ignored.
	Password string `json:"password"`
}

// AcceptInvitation accepts the invitation whose link carries token: it
// creates the user if new, the membership, marks the invitation accepted
// and opens a session, all in one transaction. It needs no principal: the
// token is the credential. Errors: NotFound for an unknown token (or one
// replaced by a resend); InvitationExpired, InvitationRevoked or
// InvitationUsed for one that can no longer be accepted; AlreadyExists when
// the invitee became a member meanwhile; Invalid when a new user gives no
// name, or for a weak password; FailedPrecondition when the customer is not
// active or every site the invitation named is gone; PermissionDenied when
// the invitee's account is disabled.
func (p *Portal) AcceptInvitation(ctx context.Context, token string, params AcceptInvitationParams) (SignIn, error) {
	params, pwHash, err := p.acceptInput(token, params)
	if err != nil {
		return SignIn{}, err
	}
	var out SignIn
	err = p.write(ctx, func(r storage.Repos) error {
		now := p.timestamp()
		inv, c, err := acceptableInvitation(ctx, r, token, now)
		if err != nil {
			return err
		}
		u, isNew, err := p.invitee(ctx, r, inv.Email, params.Name, now)
		if err != nil {
			return err
		}
		if err := claimInvitation(ctx, r, inv.ID, u.ID, now); err != nil {
			return err
		}
		if err := p.saveInvitee(ctx, r, u, isNew, pwHash, now); err != nil {
			return err
		}
		m, err := p.addInvitee(ctx, r, inv, u.ID, now)
		if err != nil {
			return err
		}
		// A contact given portal access is linked to the user it became.
		if _, err := r.Contacts().LinkUser(ctx, string(inv.ID), u.ID); err != nil {
			return err
		}
		if out, err = p.openSession(ctx, r, m, identity.MethodInvitation, nil); err != nil {
			return err
		}
		return p.notifyInviter(ctx, r, inv, c, u)
	})
	if err != nil {
		return SignIn{}, err
	}
	return out, nil
}

// acceptInput checks what AcceptInvitation is given, before any I/O: the
// parameters (returned with Name trimmed), the kind of token, and the
// password, whose hash it returns ("" when none is given).
func (p *Portal) acceptInput(token string, params AcceptInvitationParams) (AcceptInvitationParams, string, error) {
	params.Name = strings.TrimSpace(params.Name)
	if err := validStruct(params); err != nil {
		return params, "", err
	}
	if !invite.HasPrefix(token, invite.PrefixInvitation) {
		return params, "", errInvitationLink
	}
	if params.Password == "" {
		return params, "", nil
	}
	if err := identity.CheckPassword(params.Password); err != nil {
		return params, "", err
	}
	return params, identity.HashPassword(params.Password, p.argon), nil
}

// acceptableInvitation returns the invitation whose link carries token,
// and its customer, if it can be accepted at now: NotFound for an unknown
// token, the invitation's own error when it is no longer usable, and
// FailedPrecondition when its customer is not active.
func acceptableInvitation(ctx context.Context, r storage.Repos, token string, now time.Time) (invite.Invitation, customer.Customer, error) {
	inv, err := r.Invitations().GetByTokenHash(ctx, invite.HashToken(token))
	if errors.Is(err, storage.ErrNotFound) {
		return invite.Invitation{}, customer.Customer{}, errInvitationLink
	}
	if err != nil {
		return invite.Invitation{}, customer.Customer{}, err
	}
	if err := inv.CheckUsable(now); err != nil {
		return invite.Invitation{}, customer.Customer{}, err
	}
	c, err := r.Customers().Get(ctx, inv.CustomerID)
	if err != nil {
		return invite.Invitation{}, customer.Customer{}, err
	}
	if !c.Active() {
		return invite.Invitation{}, customer.Customer{}, portalerr.New(portalerr.FailedPrecondition, "the customer account is %s; the invitation cannot be accepted now", c.Status)
	}
	return inv, c, nil
}

// invitee returns the account with the invited address, or a new one, not
// stored yet, when there is none (isNew). Invalid when a new account gets
// no name; PermissionDenied for a disabled account.
func (p *Portal) invitee(ctx context.Context, r storage.Repos, email, name string, now time.Time) (u customer.User, isNew bool, err error) {
	u, err = r.Users().GetByEmail(ctx, email)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if name == "" {
			return customer.User{}, false, portalerr.Invalidf("name", "is required for a new account")
		}
		return p.newUser(email, name, now), true, nil
	case err != nil:
		return customer.User{}, false, err
	}
	if err := u.CheckActive(); err != nil {
		return customer.User{}, false, err
	}
	return u, false, nil
}

// claimInvitation marks invitation id accepted by user uid. It comes before
// any other write: the conditional write is what makes an invitation
// single-use when several accepts race, and the loser learns why the
// invitation is no longer usable (InvitationUsed, or Revoked meanwhile).
func claimInvitation(ctx context.Context, r storage.Repos, id invite.ID, uid customer.UserID, now time.Time) error {
	_, err := r.Invitations().MarkAccepted(ctx, id, uid, now)
	if !errors.Is(err, storage.ErrConflict) {
		return err
	}
	if cur, gerr := r.Invitations().Get(ctx, id); gerr == nil {
		if uerr := cur.CheckUsable(now); uerr != nil {
			return uerr
		}
	}
	return portalerr.New(portalerr.InvitationUsed, "this invitation has already been accepted")
}

// saveInvitee stores the invitee's account when it is new, and gives it the
// password hash pwHash when one was chosen and the account has none.
func (p *Portal) saveInvitee(ctx context.Context, r storage.Repos, u customer.User, isNew bool, pwHash string, now time.Time) error {
	if isNew {
		if err := r.Users().Create(ctx, u); err != nil {
			return fmt.Errorf("portal: creating user: %w", err)
		}
	}
	if pwHash == "" {
		return nil
	}
	return p.setPasswordIfNone(ctx, r, u.ID, pwHash, now)
}

// addInvitee makes user uid a member of the invitation's customer, with the
// role the invitation gives it (see invite.Invitation.MemberRole) and the
// invitation's sites that still exist. AlreadyExists when uid became a
// member meanwhile; FailedPrecondition when every site named is gone.
func (p *Portal) addInvitee(ctx context.Context, r storage.Repos, inv invite.Invitation, uid customer.UserID, now time.Time) (customer.Membership, error) {
	hasAdmin, err := hasWorkingAdmin(ctx, r, inv.CustomerID, "", "")
	if err != nil {
		return customer.Membership{}, err
	}
	sites, err := remainingSites(ctx, r, inv.CustomerID, inv.SiteIDs)
	if err != nil {
		return customer.Membership{}, err
	}
	m := customer.Membership{
		ID:         customer.MembershipID(p.ids.NewID(PrefixMembership)),
		UserID:     uid,
		CustomerID: inv.CustomerID,
		Role:       inv.MemberRole(hasAdmin),
		SiteIDs:    sites,
		Status:     customer.MembershipActive,
		Version:    1,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if err := r.Memberships().Create(ctx, m); errors.Is(err, storage.ErrAlreadyExists) {
		return customer.Membership{}, portalerr.New(portalerr.AlreadyExists, "%s is already a member of this customer", inv.Email)
	} else if err != nil {
		return customer.Membership{}, err
	}
	member, err := withUser(ctx, r, m)
	if err != nil {
		return customer.Membership{}, err
	}
	// The invitee accepts: the membership is its doing.
	return m, p.recordChanges(ctx, r, identity.Principal{Kind: identity.KindUser, ID: string(uid)}.Actor(), "membership.created",
		m.CustomerID, string(m.ID), membershipChanges(customer.Membership{}, m), member)
}

// notifyInviter enqueues the inviter's notice that the invitation was
// accepted, when there is anybody to tell (see inviterNotice).
func (p *Portal) notifyInviter(ctx context.Context, r storage.Repos, inv invite.Invitation, c customer.Customer, invitee customer.User) error {
	n, ok, err := inviterNotice(ctx, r, inv, c, invitee)
	if err != nil || !ok {
		return err
	}
	return p.enqueue(ctx, r, n)
}

// inviterNotice tells an inviting customer user that the invitation was
// accepted, if the inviter is still active and an active member of the
// customer: who left it hears nothing more of its people. ok is false
// when there is nobody to tell.
func inviterNotice(ctx context.Context, r storage.Repos, inv invite.Invitation, c customer.Customer, invitee customer.User) (n Notification, ok bool, err error) {
	id, ok := strings.CutPrefix(inv.InvitedBy, string(identity.KindUser)+":")
	if !ok {
		return Notification{}, false, nil
	}
	inviter, err := r.Users().Get(ctx, customer.UserID(id))
	if errors.Is(err, storage.ErrNotFound) {
		return Notification{}, false, nil
	}
	if err != nil {
		return Notification{}, false, fmt.Errorf("portal: loading the inviter: %w", err)
	}
	if !inviter.Active() {
		return Notification{}, false, nil
	}
	if _, ok, err := activeMembership(ctx, r, inviter.ID, c.ID); err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("portal: loading the inviter's membership: %w", err)
		}
		return Notification{}, false, err
	}
	return Notification{
		Kind: NotifyInvitationAccepted, To: inviter.Email, Locale: inviter.Locale,
		CustomerID: c.ID, CustomerName: c.Name, Role: inv.Role, Invitee: invitee.Name + " <" + invitee.Email + ">",
	}, true, nil
}

// activeMembership returns the user's membership of the customer if it
// is active; ok is false when there is none or it is disabled.
func activeMembership(ctx context.Context, r storage.Repos, uid customer.UserID, cid customer.ID) (m customer.Membership, ok bool, err error) {
	l, err := r.Memberships().List(ctx, storage.MembershipFilter{UserID: uid, CustomerID: cid, Status: customer.MembershipActive}, storage.Page{Limit: 1})
	if err != nil || len(l.Items) == 0 {
		return customer.Membership{}, false, err
	}
	return l.Items[0], true, nil
}

// remainingSites returns the invitation's sites that still exist. When an
// invitation named sites and none is left, it fails rather than grant
// access to every site.
func remainingSites(ctx context.Context, r storage.Repos, cid customer.ID, ids []customer.SiteID) ([]customer.SiteID, error) {
	var out []customer.SiteID
	for _, id := range ids {
		s, err := r.Sites().Get(ctx, id)
		switch {
		case err == nil && s.CustomerID == cid:
			out = append(out, id)
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return nil, err
		}
	}
	if len(ids) > 0 && len(out) == 0 {
		return nil, portalerr.New(portalerr.FailedPrecondition, "the sites this invitation was for no longer exist; ask for a new invitation")
	}
	return out, nil
}
