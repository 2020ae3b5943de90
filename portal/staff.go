package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Prefixes of the IDs of staff members and their sign-in links.
const (
	PrefixStaff     = "stf"
	PrefixStaffLink = "stl"
)

// StaffInvitationTTL is how long a staff member's invitation link works.
const StaffInvitationTTL = invite.DefaultInvitationTTL

func errStaffNotFound(id identity.StaffID) error {
	return portalerr.New(portalerr.NotFound, "staff member %s not found", id)
}

// staffWriteErr explains the one unique key a staff write can break.
func staffWriteErr(err error) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return &portalerr.Error{
			Code:    portalerr.AlreadyExists,
			Message: "another staff member has this e-mail address",
			Fields:  []portalerr.FieldViolation{{Field: "email", Message: "is taken by another staff member"}},
			Err:     err,
		}
	}
	return err
}

// StaffSignIn is an opened staff session. Token is its bearer token (the
// same kind as a customer user's session token): it is shown only here,
// once.
type StaffSignIn struct {
	Token   string
	Session identity.Session
	Staff   identity.StaffMember
}

// InviteStaffParams describe a new staff member.
type InviteStaffParams struct {
	Email string             `json:"email" validate:"required,max=254"`
	Name  string             `json:"name" validate:"required,max=200,singleline"`
	Role  identity.StaffRole `json:"role" validate:"required,oneof=owner admin agent"`
}

// InviteStaff creates a staff member, invited, and mails it a one-time
// sign-in link (mailer.KindStaffInvitation, /console/accept?token=…) valid
// for StaffInvitationTTL; its first use activates the member. Staff admins
// and owners may call it (ActStaffManage); only owners invite owners
// (PermissionDenied). Invalid for bad params; AlreadyExists, on email,
// when a staff member has the address.
func (p *Portal) InviteStaff(ctx context.Context, params InviteStaffParams) (identity.StaffMember, error) {
	params.Name = strings.TrimSpace(params.Name)
	if err := validStruct(params); err != nil {
		return identity.StaffMember{}, err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return identity.StaffMember{}, err
	}
	var out identity.StaffMember
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActStaffManage, "", "")
		if err != nil {
			return err
		}
		if err := identity.CheckStaffGrant(a.who.StaffRole, params.Role); err != nil {
			return err
		}
		out, err = p.createStaff(ctx, r, email, params.Name, params.Role, a.who.Actor())
		if err != nil {
			return err
		}
		token, l, err := p.issueStaffLink(ctx, r, out.ID, identity.StaffLinkInvitation)
		if err != nil {
			return err
		}
		return p.enqueue(ctx, r, Notification{Kind: NotifyStaffInvitation, To: out.Email, Token: token, ExpiresAt: l.ExpiresAt, StaffRole: out.Role})
	})
	return out, err
}

// createStaff stores a new invited staff member and records it.
func (p *Portal) createStaff(ctx context.Context, r storage.Repos, email, name string, role identity.StaffRole, actor string) (identity.StaffMember, error) {
	now := p.timestamp()
	m := identity.StaffMember{
		ID: identity.StaffID(p.ids.NewID(PrefixStaff)), Email: email, Name: name, Role: role,
		Status: identity.StaffInvited, InvitedBy: actor, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	noteObject(r, string(m.ID))
	if err := r.Staff().Create(ctx, m); err != nil {
		return identity.StaffMember{}, staffWriteErr(err)
	}
	return m, p.record(ctx, r, actor, "staff.invited", "", string(m.ID), m)
}

// issueStaffLink ends the member's unused links and makes a new one, whose
// token it returns.
func (p *Portal) issueStaffLink(ctx context.Context, r storage.Repos, id identity.StaffID, purpose identity.StaffLinkPurpose) (string, identity.StaffLink, error) {
	now := p.timestamp()
	if err := r.Staff().SupersedeLinks(ctx, id, now); err != nil {
		return "", identity.StaffLink{}, err
	}
	prefix, ttl := invite.PrefixStaffLoginLink, invite.LoginLinkTTL
	if purpose == identity.StaffLinkInvitation {
		prefix, ttl = invite.PrefixStaffInvitation, StaffInvitationTTL
	}
	token, hash := invite.NewToken(prefix)
	l := identity.StaffLink{
		ID: identity.StaffLinkID(p.ids.NewID(PrefixStaffLink)), StaffID: id, Purpose: purpose,
		TokenHash: string(hash), ExpiresAt: now.Add(ttl), CreatedAt: now,
	}
	if err := r.Staff().CreateLink(ctx, l); err != nil {
		return "", identity.StaffLink{}, fmt.Errorf("portal: creating staff sign-in link: %w", err)
	}
	return token, l, nil
}

// ResendStaffInvitation mails an invited staff member a new invitation
// link; the old one stops working. Staff admins and owners may call it;
// only owners for an owner (PermissionDenied). NotFound for an unknown
// member; FailedPrecondition for one that is no longer invited (it signs in
// with RequestStaffLoginLink instead).
func (p *Portal) ResendStaffInvitation(ctx context.Context, id identity.StaffID) (identity.StaffMember, error) {
	var out identity.StaffMember
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActStaffManage, "", "")
		if err != nil {
			return err
		}
		m, err := r.Staff().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errStaffNotFound(id))
		}
		if err := identity.CheckStaffManage(a.who.StaffRole, m); err != nil {
			return err
		}
		if m.Status != identity.StaffInvited {
			return portalerr.New(portalerr.FailedPrecondition, "staff member %s is %s, not invited; it asks for a sign-in link instead", id, m.Status)
		}
		token, l, err := p.issueStaffLink(ctx, r, m.ID, identity.StaffLinkInvitation)
		if err != nil {
			return err
		}
		if err := p.enqueue(ctx, r, Notification{Kind: NotifyStaffInvitation, To: m.Email, Token: token, ExpiresAt: l.ExpiresAt, StaffRole: m.Role}); err != nil {
			return err
		}
		out = m
		return p.record(ctx, r, a.who.Actor(), "staff.invitation_resent", "", string(id), m)
	})
	return out, err
}

// ListStaffParams filter and page the staff list.
type ListStaffParams struct {
	Role   identity.StaffRole   `json:"role" validate:"omitempty,oneof=owner admin agent"`
	Status identity.StaffStatus `json:"status" validate:"omitempty,oneof=invited active disabled"`
	Cursor string               `json:"cursor" validate:"max=200"`
	Limit  int                  `json:"limit" validate:"min=0,max=100"`
}

func (p ListStaffParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListStaff lists staff members, oldest first. Any staff role may call it
// (ActStaffRead), API keys included; customer users get PermissionDenied.
// Invalid for a bad filter or a cursor this list did not make.
func (p *Portal) ListStaff(ctx context.Context, params ListStaffParams) (List[identity.StaffMember], error) {
	if err := validStruct(params); err != nil {
		return List[identity.StaffMember]{}, err
	}
	lc, page, err := p.openList(ctx, "staff", "", params)
	if err != nil {
		return List[identity.StaffMember]{}, err
	}
	var out List[identity.StaffMember]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActStaffRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = listPage(r.Staff().List(ctx, storage.StaffFilter{Role: params.Role, Status: params.Status}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// GetStaff returns one staff member. Any staff role may call it
// (ActStaffRead); NotFound for an unknown one.
func (p *Portal) GetStaff(ctx context.Context, id identity.StaffID) (identity.StaffMember, error) {
	var out identity.StaffMember
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActStaffRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = r.Staff().Get(ctx, id)
		return notFoundAs(err, errStaffNotFound(id))
	})
	return out, err
}

// UpdateStaffParams change a staff member; nil fields stay as they are.
type UpdateStaffParams struct {
	Version int64               `json:"version" validate:"required,min=1"`
	Name    *string             `json:"name" validate:"omitnil,min=1,max=200,singleline"`
	Role    *identity.StaffRole `json:"role" validate:"omitnil,oneof=owner admin agent"`
	// ServiceDesk gives or takes the service-desk capability: working
	// the ticket queue.
	ServiceDesk *bool `json:"service_desk"`
}

// UpdateStaff changes a staff member's name, role or service-desk
// capability; a change takes effect at the member's next request. Staff admins and owners may call it
// (ActStaffManage). PermissionDenied when an admin changes an owner or
// makes someone owner; FailedPrecondition when it would demote the last
// active owner; Conflict when params.Version is not the stored version;
// NotFound for an unknown member.
func (p *Portal) UpdateStaff(ctx context.Context, id identity.StaffID, params UpdateStaffParams) (identity.StaffMember, error) {
	if params.Name != nil {
		n := strings.TrimSpace(*params.Name)
		params.Name = &n
	}
	if err := validStruct(params); err != nil {
		return identity.StaffMember{}, err
	}
	return p.changeStaff(ctx, id, "staff.updated", func(actor identity.StaffRole, m *identity.StaffMember) error {
		if err := checkVersion("staff member", m.Version, params.Version); err != nil {
			return err
		}
		if params.Role != nil {
			if err := identity.CheckStaffGrant(actor, *params.Role); err != nil {
				return err
			}
		}
		setIf(&m.Name, params.Name)
		setIf(&m.Role, params.Role)
		setIf(&m.ServiceDesk, params.ServiceDesk)
		m.UpdatedAt = p.timestamp()
		return nil
	})
}

// DisableStaff disables a staff member: it can no longer sign in, its
// sessions end and its unused sign-in links stop working. Staff admins and
// owners may call it (ActStaffManage). PermissionDenied when an admin
// disables an owner; FailedPrecondition for the last active owner and for
// a member disabled already; NotFound for an unknown member.
func (p *Portal) DisableStaff(ctx context.Context, id identity.StaffID) (identity.StaffMember, error) {
	return p.changeStaff(ctx, id, "staff.disabled", func(_ identity.StaffRole, m *identity.StaffMember) error {
		return m.Disable(p.timestamp())
	})
}

// EnableStaff makes a disabled staff member active again. Staff admins and
// owners may call it (ActStaffManage). PermissionDenied when an admin
// enables an owner; FailedPrecondition for a member that is not disabled;
// NotFound for an unknown member.
func (p *Portal) EnableStaff(ctx context.Context, id identity.StaffID) (identity.StaffMember, error) {
	return p.changeStaff(ctx, id, "staff.enabled", func(_ identity.StaffRole, m *identity.StaffMember) error {
		return m.Enable(p.timestamp())
	})
}

// changeStaff is the shape of every change of a staff member: authorize,
// let change alter the member, keep an active owner, write, end the
// sessions and links of a member that can no longer sign in, record.
func (p *Portal) changeStaff(ctx context.Context, id identity.StaffID, action string, change func(actor identity.StaffRole, m *identity.StaffMember) error) (identity.StaffMember, error) {
	var out identity.StaffMember
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActStaffManage, "", "")
		if err != nil {
			return err
		}
		owners, err := activeOwners(ctx, r)
		if err != nil {
			return err
		}
		out, err = r.Staff().Update(ctx, id, func(m *identity.StaffMember) error {
			before := *m
			if err := identity.CheckStaffManage(a.who.StaffRole, before); err != nil {
				return err
			}
			if err := change(a.who.StaffRole, m); err != nil {
				return err
			}
			return identity.CheckKeepsOwner(before, *m, owners)
		})
		if err != nil {
			return notFoundAs(staffWriteErr(err), errStaffNotFound(id))
		}
		if !out.CanSignIn() {
			if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{StaffID: id}); err != nil {
				return err
			}
			if err := r.Staff().SupersedeLinks(ctx, id, p.timestamp()); err != nil {
				return err
			}
		}
		return p.record(ctx, r, a.who.Actor(), action, "", string(id), out)
	})
	return out, err
}

// activeOwners counts the active owners, up to 2: enough for the last-owner
// rule. The write transaction is serializable, so the count holds until it
// commits.
func activeOwners(ctx context.Context, r storage.Repos) (int, error) {
	l, err := r.Staff().List(ctx, storage.StaffFilter{Role: identity.StaffOwner, Status: identity.StaffActive}, storage.Page{Limit: 2})
	if err != nil {
		return 0, fmt.Errorf("portal: counting active owners: %w", err)
	}
	return len(l.Items), nil
}

// RequestStaffLoginLinkParams ask for a staff member's one-time sign-in link.
type RequestStaffLoginLinkParams struct {
	Email string `json:"email" validate:"required,max=254"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

// RequestStaffLoginLink mails a one-time console sign-in link
// (mailer.KindStaffLoginLink, /console/login?token=…), valid for
// invite.LoginLinkTTL, to the address if it belongs to a staff member who
// is not disabled; a newer link ends older ones, an unused invitation link
// included. Like RequestLoginLink it answers the same, nil, and takes at
// least Config.LoginLinkMinDuration, whether or not the address is known.
// It needs no principal. Invalid for a malformed address; RateLimited,
// with RetryAfter, past the per-e-mail or per-client limits (counted apart
// from customer users' requests).
func (p *Portal) RequestStaffLoginLink(ctx context.Context, params RequestStaffLoginLinkParams) error {
	start := time.Now()
	if err := validStruct(params); err != nil {
		return err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return err
	}
	if err := p.limit(ctx, "staffloginlink", email, params.ClientAddr); err != nil {
		return err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		m, err := r.Staff().GetByEmail(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil || !m.CanSignIn() {
			return err
		}
		token, l, err := p.issueStaffLink(ctx, r, m.ID, identity.StaffLinkLogin)
		if err != nil {
			return err
		}
		return p.enqueue(ctx, r, Notification{Kind: NotifyStaffLoginLink, To: m.Email, Token: token, ExpiresAt: l.ExpiresAt})
	})
	if err != nil {
		return err
	}
	p.padLinkRequest(ctx, start)
	return nil
}

// padLinkRequest waits until Config.LoginLinkMinDuration has passed since
// start, or ctx ends.
func (p *Portal) padLinkRequest(ctx context.Context, start time.Time) {
	if wait := p.linkPad - time.Since(start); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// SignInStaffWithLoginLink opens a staff session with the token of a
// staff invitation link or of a staff login link. The link works once and
// within its lifetime; an invited member becomes active. It needs no
// principal. Unauthenticated for an unknown, used, superseded or expired
// link, and for a disabled member.
func (p *Portal) SignInStaffWithLoginLink(ctx context.Context, token string) (StaffSignIn, error) {
	if !invite.HasPrefix(token, invite.PrefixStaffLoginLink) && !invite.HasPrefix(token, invite.PrefixStaffInvitation) {
		return StaffSignIn{}, errBadToken
	}
	var out StaffSignIn
	err := p.write(ctx, func(r storage.Repos) error {
		now := p.timestamp()
		l, err := r.Staff().ConsumeLink(ctx, string(invite.HashToken(token)), now)
		if errors.Is(err, storage.ErrNotFound) {
			return errBadToken
		}
		if err != nil {
			return err
		}
		m, err := r.Staff().Get(ctx, l.StaffID)
		if err != nil {
			return fmt.Errorf("portal: loading staff member: %w", err)
		}
		if !m.CanSignIn() {
			return errBadToken
		}
		if m.Status == identity.StaffInvited {
			if m, err = r.Staff().Update(ctx, m.ID, func(m *identity.StaffMember) error {
				m.Activate(now)
				return nil
			}); err != nil {
				return err
			}
			if err := p.record(ctx, r, m.Principal("", "").Actor(), "staff.activated", "", string(m.ID), m); err != nil {
				return err
			}
		}
		out, err = p.openStaffSession(ctx, r, m, l.Method())
		return err
	})
	return out, err
}

// StaffPasswordSignInParams sign a staff member in with a password.
type StaffPasswordSignInParams struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=256"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

// SignInStaffWithPassword opens a staff session for the member with this
// e-mail address and password (set with SetPassword while signed in). It
// needs no principal. Like SignInWithPassword: Unauthenticated, with the
// same message and about the same work, whether the address is unknown,
// has no password, the password is wrong or the member is disabled; after
// Config.PasswordLockout failures the member is locked out for a while
// (RateLimited with RetryAfter), and attempts per e-mail and per client
// address are rate limited.
func (p *Portal) SignInStaffWithPassword(ctx context.Context, params StaffPasswordSignInParams) (StaffSignIn, error) {
	if err := validStruct(params); err != nil {
		return StaffSignIn{}, err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return StaffSignIn{}, err
	}
	if err := p.limit(ctx, "staffsignin", email, params.ClientAddr); err != nil {
		return StaffSignIn{}, err
	}
	now := p.timestamp()
	var (
		m   identity.StaffMember
		pw  identity.Password
		has bool
	)
	err = p.read(ctx, func(r storage.Repos) error {
		var err error
		if m, err = r.Staff().GetByEmail(ctx, email); err != nil {
			return ignoreNotFound(err)
		}
		pw, err = r.Staff().GetPassword(ctx, m.ID)
		has = err == nil
		return ignoreNotFound(err)
	})
	if err != nil {
		return StaffSignIn{}, err
	}
	var out StaffSignIn
	err = p.checkPassword(ctx, now, "staff:"+email, params.Password, pw, has, staffPasswords(m.ID), func(r storage.Repos) error {
		// Read the member in this transaction: it may have been disabled
		// since.
		fresh, err := r.Staff().Get(ctx, m.ID)
		if err != nil {
			return notFoundAs(err, errBadPassword)
		}
		if fresh.Status != identity.StaffActive {
			return errBadPassword
		}
		out, err = p.openStaffSession(ctx, r, fresh, identity.MethodPassword)
		return err
	})
	return out, err
}

// setStaffPassword is SetPassword for a staff member signed in with a
// session.
func (p *Portal) setStaffPassword(ctx context.Context, params SetPasswordParams) error {
	var (
		id      identity.StaffID
		current identity.Password
		hasOne  bool
	)
	who, _ := identity.FromContext(ctx)
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActStaffSelf, "", ""); err != nil {
			return err
		}
		m, err := r.Staff().Get(ctx, identity.StaffID(who.ID))
		if errors.Is(err, storage.ErrNotFound) {
			return portalerr.New(portalerr.PermissionDenied, "only a stored staff member has a password")
		}
		if err != nil {
			return err
		}
		id = m.ID
		current, err = r.Staff().GetPassword(ctx, id)
		hasOne = err == nil
		return ignoreNotFound(err)
	})
	if err != nil {
		return err
	}
	if hasOne && !identity.VerifyPassword(params.Current, current.Hash) {
		return portalerr.Invalidf("current_password", "is not your current password")
	}
	hash := identity.HashPassword(params.New, p.argon)
	return p.write(ctx, func(r storage.Repos) error {
		if err := r.Staff().PutPassword(ctx, id, identity.Password{Hash: hash, UpdatedAt: p.timestamp()}); err != nil {
			return notFoundAs(err, errStaffNotFound(id))
		}
		m, err := r.Staff().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errStaffNotFound(id))
		}
		if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{StaffID: id, ExceptID: who.SessionID}); err != nil {
			return err
		}
		return p.record(ctx, r, who.Actor(), "staff.password_set", "", string(id), m)
	})
}

// openStaffSession creates a session for staff member m, in the caller's
// transaction, and returns it with its token.
func (p *Portal) openStaffSession(ctx context.Context, r storage.Repos, m identity.StaffMember, method identity.Method) (StaffSignIn, error) {
	now := p.timestamp()
	token, hash := invite.NewToken(invite.PrefixSession)
	s := identity.Session{
		ID:         identity.SessionID(p.ids.NewID(PrefixSession)),
		TokenHash:  string(hash),
		StaffID:    m.ID,
		Method:     method,
		LastSeenAt: now,
		ExpiresAt:  now.Add(p.lifetime),
		CreatedAt:  now,
	}
	if err := r.Sessions().Create(ctx, s); err != nil {
		return StaffSignIn{}, fmt.Errorf("portal: creating staff session: %w", err)
	}
	return StaffSignIn{Token: token, Session: s, Staff: m}, nil
}
