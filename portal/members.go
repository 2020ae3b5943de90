package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Member is a membership together with the user it belongs to.
type Member struct {
	customer.Membership
	User customer.User
}

func errMembershipNotFound(id customer.MembershipID) error {
	return portalerr.New(portalerr.NotFound, "membership %s not found", id)
}

// AddMemberParams put a person into a customer.
type AddMemberParams struct {
	// Email finds the user, or creates one when nobody has this address.
	Email string `json:"email" validate:"required,max=254"`
	// Name is used only when a new user is created.
	Name string `json:"name" validate:"required,max=200,singleline"`
	// Role is the membership's role. The customer's first member becomes
	// admin whatever is asked, so a customer with users always has one.
	Role customer.Role `json:"role" validate:"required,oneof=viewer maintainer admin"`
	// SiteIDs limits the membership to these sites of the customer; empty: all.
	SiteIDs []customer.SiteID `json:"site_ids" validate:"max=100"`
}

// AddMember puts a person into a customer: it creates the user when no user
// has the e-mail address, then the membership. Staff may call it (customer
// admins invite instead). AlreadyExists when the user is a member already;
// Invalid on site_ids for a site that is not the customer's;
// FailedPrecondition for an archived customer.
func (p *Portal) AddMember(ctx context.Context, cid customer.ID, params AddMemberParams) (Member, error) {
	email, emailErr := customer.NormalizeEmail(params.Email)
	params.Name = strings.TrimSpace(params.Name)
	if err := mergeInvalid(emailErr, validStruct(params)); err != nil {
		return Member{}, err
	}
	var out Member
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMembershipAdd, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		sites, err := checkSites(ctx, r, a, cid, params.SiteIDs)
		if err != nil {
			return err
		}
		now := p.timestamp()
		u, err := r.Users().GetByEmail(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			u = p.newUser(email, params.Name, now)
			err = r.Users().Create(ctx, u)
		}
		if err != nil {
			return fmt.Errorf("portal: finding or creating user: %w", err)
		}
		hasAdmin, err := hasWorkingAdmin(ctx, r, cid, "", "")
		if err != nil {
			return err
		}
		role := customer.NewMemberRole(params.Role, hasAdmin)
		m := customer.Membership{
			ID:         customer.MembershipID(p.ids.NewID(PrefixMembership)),
			UserID:     u.ID,
			CustomerID: cid,
			Role:       role,
			SiteIDs:    sites,
			Status:     customer.MembershipActive,
			Version:    1,
			CreatedAt:  now,
			UpdatedAt:  now,
		}
		noteObject(r, string(m.ID))
		if err := r.Memberships().Create(ctx, m); errors.Is(err, storage.ErrAlreadyExists) {
			return portalerr.New(portalerr.AlreadyExists, "%s is already a member of customer %s", email, cid)
		} else if err != nil {
			return err
		}
		out = Member{Membership: m, User: u}
		return p.recordChanges(ctx, r, a.who.Actor(), "membership.created", cid, string(m.ID), membershipChanges(customer.Membership{}, m), out)
	})
	return out, err
}

// GetMember returns a membership of a customer with its user. Staff and the
// customer's admins may call it; for an admin limited to some sites, a member
// reaching beyond them is NotFound.
func (p *Portal) GetMember(ctx context.Context, cid customer.ID, id customer.MembershipID) (Member, error) {
	var out Member
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMembershipRead, cid, "")
		if err != nil {
			return err
		}
		m, err := getMembership(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if !coversAll(a, m.SiteIDs) {
			return errMembershipNotFound(id)
		}
		out, err = withUser(ctx, r, m)
		return err
	})
	return out, err
}

// ListMembersParams filter and page a member list.
type ListMembersParams struct {
	Role   customer.Role             `json:"role" validate:"omitempty,oneof=viewer maintainer admin"`
	Status customer.MembershipStatus `json:"status" validate:"omitempty,oneof=active disabled"`
	Cursor string                    `json:"cursor" validate:"max=200"`
	Limit  int                       `json:"limit" validate:"min=0,max=100"`
}

// ListMembers returns one page of a customer's members in the order they
// were added. Staff and the customer's admins may call it; an admin limited
// to some sites sees only the members within them, so a page may hold fewer
// than Limit items before the last.
func (p *Portal) ListMembers(ctx context.Context, cid customer.ID, params ListMembersParams) (List[Member], error) {
	return listIn(ctx, p, "members", ActMembershipRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[Member], error) {
		l, err := r.Memberships().List(ctx, storage.MembershipFilter{CustomerID: cid, Role: params.Role, Status: params.Status}, page)
		if err != nil {
			return storage.List[Member]{}, err
		}
		out := storage.List[Member]{Items: make([]Member, 0, len(l.Items)), NextCursor: l.NextCursor}
		for _, m := range l.Items {
			if !coversAll(a, m.SiteIDs) {
				continue // a site-limited admin sees the members within its sites
			}
			mem, err := withUser(ctx, r, m)
			if err != nil {
				return storage.List[Member]{}, err
			}
			out.Items = append(out.Items, mem)
		}
		return out, nil
	})
}

// ChangeRoleParams give a membership a new role.
type ChangeRoleParams struct {
	Role customer.Role `json:"role" validate:"required,oneof=viewer maintainer admin"`
	// Version, when not zero, must be the membership's stored version
	// (Conflict otherwise): how an HTTP If-Match reaches the use case.
	Version int64 `json:"version" validate:"min=0"`
}

// ChangeRole changes a member's role. Staff and the customer's admins may
// call it. FailedPrecondition when it would demote the customer's last
// active admin.
func (p *Portal) ChangeRole(ctx context.Context, cid customer.ID, id customer.MembershipID, params ChangeRoleParams) (Member, error) {
	if err := validStruct(params); err != nil {
		return Member{}, err
	}
	return p.changeMembershipChecked(ctx, cid, id, params.Version, nil, func(m *customer.Membership) {
		m.Role = params.Role
	})
}

// ChangeSitesParams limit a membership to some sites.
type ChangeSitesParams struct {
	// SiteIDs are sites of the customer; empty gives access to all sites.
	SiteIDs []customer.SiteID `json:"site_ids" validate:"max=100"`
	// Version works as in ChangeRoleParams.
	Version int64 `json:"version" validate:"min=0"`
}

// ChangeSites changes the sites a member is limited to. Staff and the
// customer's admins may call it; an admin limited to some sites may grant
// only those. Invalid on site_ids for a site that is not the customer's.
func (p *Portal) ChangeSites(ctx context.Context, cid customer.ID, id customer.MembershipID, params ChangeSitesParams) (Member, error) {
	if err := validStruct(params); err != nil {
		return Member{}, err
	}
	var sites []customer.SiteID
	return p.changeMembershipChecked(ctx, cid, id, params.Version, func(r storage.Repos, a access) error {
		var err error
		sites, err = checkSites(ctx, r, a, cid, params.SiteIDs)
		return err
	}, func(m *customer.Membership) {
		m.SiteIDs = sites
	})
}

// DisableMember disables a membership: the user can no longer act in this
// customer from the next call on. Staff and the customer's admins may call
// it. FailedPrecondition when it is the customer's last active admin.
func (p *Portal) DisableMember(ctx context.Context, cid customer.ID, id customer.MembershipID) (Member, error) {
	return p.changeMembership(ctx, cid, id, func(m *customer.Membership) {
		m.Status = customer.MembershipDisabled
	})
}

// EnableMember enables a disabled membership again. Staff and the
// customer's admins may call it.
func (p *Portal) EnableMember(ctx context.Context, cid customer.ID, id customer.MembershipID) (Member, error) {
	return p.changeMembership(ctx, cid, id, func(m *customer.Membership) {
		m.Status = customer.MembershipActive
	})
}

// RemoveMember removes a membership; the user stays, with its other
// memberships. Staff and the customer's admins may call it.
// FailedPrecondition when it is the customer's last active admin.
func (p *Portal) RemoveMember(ctx context.Context, cid customer.ID, id customer.MembershipID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMembershipAdmin, cid, "")
		if err != nil {
			return err
		}
		m, err := getMembership(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := checkManages(a, m); err != nil {
			return err
		}
		if err := keepsAnAdmin(ctx, r, m, customer.Membership{}, "removed"); err != nil {
			return err
		}
		gone, err := withUser(ctx, r, m)
		if err != nil {
			return err
		}
		if err := r.Memberships().Delete(ctx, id); err != nil {
			return err
		}
		return p.recordChanges(ctx, r, a.who.Actor(), "membership.removed", cid, string(id), membershipChanges(m, customer.Membership{}), gone)
	})
}

func (p *Portal) changeMembership(ctx context.Context, cid customer.ID, id customer.MembershipID, change func(*customer.Membership)) (Member, error) {
	return p.changeMembershipChecked(ctx, cid, id, 0, nil, change)
}

// changeMembershipChecked authorizes the caller, checks the expected
// version (when not zero), runs check, applies change
// to the membership, refuses a change that would leave the customer without
// an active admin, and stores the result.
func (p *Portal) changeMembershipChecked(ctx context.Context, cid customer.ID, id customer.MembershipID, version int64,
	check func(storage.Repos, access) error, change func(*customer.Membership)) (Member, error) {
	var out Member
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMembershipAdmin, cid, "")
		if err != nil {
			return err
		}
		old, err := getMembership(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := checkManages(a, old); err != nil {
			return err
		}
		if version != 0 {
			if err := checkVersion("membership", old.Version, version); err != nil {
				return err
			}
		}
		if check != nil {
			if err := check(r, a); err != nil {
				return err
			}
		}
		next := old
		next.SiteIDs = slices.Clone(old.SiteIDs)
		change(&next)
		if err := keepsAnAdmin(ctx, r, old, next, "demoted or disabled"); err != nil {
			return err
		}
		m, err := r.Memberships().Update(ctx, id, func(m *customer.Membership) error {
			change(m)
			m.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		// A disabled membership's sessions end now, so enabling it again
		// later does not revive old bearer tokens.
		if !m.Active() {
			if _, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{MembershipID: m.ID}); err != nil {
				return fmt.Errorf("portal: ending sessions: %w", err)
			}
		}
		if out, err = withUser(ctx, r, m); err != nil {
			return err
		}
		return p.recordChanges(ctx, r, a.who.Actor(), "membership.changed", cid, string(m.ID), membershipChanges(old, m), out)
	})
	return out, err
}

// membershipChanges are the audit log's changes of a membership.
func membershipChanges(before, after customer.Membership) []audit.Change {
	fields := func(m customer.Membership) map[string]string {
		sites := make([]string, len(m.SiteIDs))
		for i, s := range m.SiteIDs {
			sites[i] = string(s)
		}
		return map[string]string{"role": string(m.Role), "status": string(m.Status), "sites": strings.Join(sites, " ")}
	}
	return audit.Diff([]string{"role", "status", "sites"}, fields(before), fields(after))
}

// keepsAnAdmin fails with FailedPrecondition when old is one of the
// customer's working admins and next no longer is, and no other working
// admin is left.
func keepsAnAdmin(ctx context.Context, r storage.Repos, old, next customer.Membership, verb string) error {
	if !old.ActiveAdmin() || next.ActiveAdmin() {
		return nil
	}
	ok, err := hasWorkingAdmin(ctx, r, old.CustomerID, old.ID, "")
	if err != nil || ok {
		return err
	}
	return portalerr.New(portalerr.FailedPrecondition,
		"membership %s is the last active admin of customer %s and cannot be %s; make another member admin first", old.ID, old.CustomerID, verb)
}

// hasWorkingAdmin reports whether customer cid has a working admin: an
// active admin membership of an active user, leaving out the membership
// exceptM and the user exceptU. Counting memberships alone is not enough: an
// admin membership of a disabled user lets nobody in.
func hasWorkingAdmin(ctx context.Context, r storage.Repos, cid customer.ID, exceptM customer.MembershipID, exceptU customer.UserID) (bool, error) {
	found := false
	err := eachMembership(ctx, r, storage.MembershipFilter{CustomerID: cid, Role: customer.RoleAdmin, Status: customer.MembershipActive},
		func(m customer.Membership) (bool, error) {
			if m.ID == exceptM || m.UserID == exceptU {
				return false, nil
			}
			u, err := r.Users().Get(ctx, m.UserID)
			if err != nil {
				return false, fmt.Errorf("portal: loading admin user: %w", err)
			}
			found = u.Active()
			return found, nil
		})
	return found, err
}

// eachMembership calls fn for every membership matching f, page by page,
// until fn asks to stop or fails.
func eachMembership(ctx context.Context, r storage.Repos, f storage.MembershipFilter, fn func(customer.Membership) (stop bool, err error)) error {
	return eachItem(func(page storage.Page) (storage.List[customer.Membership], error) {
		l, err := r.Memberships().List(ctx, f, page)
		if err != nil {
			return l, fmt.Errorf("portal: listing memberships: %w", err)
		}
		return l, nil
	}, fn)
}

// checkManages refuses a customer admin limited to some sites the
// management of a membership that reaches beyond those sites.
func checkManages(a access, m customer.Membership) error {
	if !coversAll(a, m.SiteIDs) {
		return portalerr.New(portalerr.PermissionDenied, "membership %s reaches sites you are not responsible for", m.ID)
	}
	return nil
}

// coversAll reports whether the caller may hand out access to sites: staff
// and unrestricted users may grant anything, a site-limited user only a
// non-empty subset of its own sites.
func coversAll(a access, sites []customer.SiteID) bool {
	own := a.sites()
	if len(own) == 0 {
		return true
	}
	if len(sites) == 0 {
		return false
	}
	for _, s := range sites {
		if !slices.Contains(own, s) {
			return false
		}
	}
	return true
}

// checkSites checks that every site is one of customer cid's and that the
// caller may grant them, and returns them sorted without duplicates.
func checkSites(ctx context.Context, r storage.Repos, a access, cid customer.ID, ids []customer.SiteID) ([]customer.SiteID, error) {
	var bad []portalerr.FieldViolation
	for i, id := range ids {
		s, err := r.Sites().Get(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && s.CustomerID != cid:
			bad = append(bad, portalerr.FieldViolation{Field: fmt.Sprintf("site_ids[%d]", i), Message: fmt.Sprintf("%s is not a site of this customer", id)})
		case err != nil:
			return nil, fmt.Errorf("portal: loading site: %w", err)
		}
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return nil, err
	}
	out := customer.NormalizeSites(ids)
	if !coversAll(a, out) {
		return nil, portalerr.New(portalerr.PermissionDenied, "you may grant only the sites you are responsible for")
	}
	return out, nil
}

func getMembership(ctx context.Context, r storage.Repos, cid customer.ID, id customer.MembershipID) (customer.Membership, error) {
	m, err := r.Memberships().Get(ctx, id)
	if err != nil {
		return m, notFoundAs(err, errMembershipNotFound(id))
	}
	if m.CustomerID != cid {
		return customer.Membership{}, errMembershipNotFound(id)
	}
	return m, nil
}

func withUser(ctx context.Context, r storage.Repos, m customer.Membership) (Member, error) {
	u, err := r.Users().Get(ctx, m.UserID)
	if err != nil {
		return Member{}, fmt.Errorf("portal: loading user of membership %s: %w", m.ID, err)
	}
	return Member{Membership: m, User: u}, nil
}

func (p *Portal) newUser(email, name string, now time.Time) customer.User {
	return customer.User{
		ID:        customer.UserID(p.ids.NewID(PrefixUser)),
		Email:     email,
		Name:      name,
		Status:    customer.UserActive,
		Version:   1,
		CreatedAt: now,
		UpdatedAt: now,
	}
}
