package portal

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func errUserNotFound(id customer.UserID) error {
	return portalerr.New(portalerr.NotFound, "user %s not found", id)
}

// DisableUser refuses a person everywhere, whatever their memberships, and
// ends their sessions. Staff admins and owners may call it.
// FailedPrecondition when the user is the last active admin of a customer.
func (p *Portal) DisableUser(ctx context.Context, id customer.UserID) (customer.User, error) {
	var out customer.User
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActUserAdmin, "", "")
		if err != nil {
			return err
		}
		err = eachMembership(ctx, r, storage.MembershipFilter{UserID: id, Role: customer.RoleAdmin, Status: customer.MembershipActive},
			func(m customer.Membership) (bool, error) {
				ok, err := hasWorkingAdmin(ctx, r, m.CustomerID, "", id)
				if err == nil && !ok {
					err = portalerr.New(portalerr.FailedPrecondition,
						"user %s is the last active admin of customer %s and cannot be disabled; make another member admin first", id, m.CustomerID)
				}
				return false, err
			})
		if err != nil {
			return err
		}
		if out, err = p.setUserStatus(ctx, r, a, id, customer.UserDisabled); err != nil {
			return err
		}
		_, err = r.Sessions().DeleteMatching(ctx, storage.SessionFilter{UserID: id})
		return err
	})
	return out, err
}

// EnableUser lets a disabled person in again. Staff admins and owners may call it.
func (p *Portal) EnableUser(ctx context.Context, id customer.UserID) (customer.User, error) {
	var out customer.User
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActUserAdmin, "", "")
		if err != nil {
			return err
		}
		out, err = p.setUserStatus(ctx, r, a, id, customer.UserActive)
		return err
	})
	return out, err
}

// setUserStatus sets user id's status to st as the caller of a, and
// records the change, in the caller's transaction.
func (p *Portal) setUserStatus(ctx context.Context, r storage.Repos, a access, id customer.UserID, st customer.UserStatus) (customer.User, error) {
	var old customer.User
	u, err := r.Users().Update(ctx, id, func(u *customer.User) error {
		old = *u
		u.Status = st
		u.UpdatedAt = p.timestamp()
		return nil
	})
	if err != nil {
		return u, notFoundAs(err, errUserNotFound(id))
	}
	return u, p.recordDiff(ctx, r, a, "user.status_changed", "", string(id), old, u, u)
}

// UpdateMyAccountParams change the calling user's own account.
type UpdateMyAccountParams struct {
	Name string `json:"name" validate:"required,max=200,singleline"`
	// Locale is the user's language for pages and e-mails, a BCP 47 tag
	// such as "de"; "" leaves the choice to the browser and the provider's
	// default.
	Locale string `json:"locale" validate:"omitempty,max=35,bcp47_language_tag"`
}

// UpdateMyAccount changes the calling user's name and language. Customer
// users may call it, except through a read-only access link.
func (p *Portal) UpdateMyAccount(ctx context.Context, params UpdateMyAccountParams) (customer.User, error) {
	if err := validStruct(params); err != nil {
		return customer.User{}, err
	}
	var out customer.User
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSelf, "", "")
		if err != nil {
			return err
		}
		if a.who.ReadOnly {
			return portalerr.New(portalerr.PermissionDenied, "a read-only access link cannot change the account")
		}
		out, err = r.Users().Update(ctx, a.membership.UserID, func(u *customer.User) error {
			u.Name = params.Name
			u.Locale = params.Locale
			u.UpdatedAt = p.timestamp()
			return nil
		})
		return err
	})
	return out, err
}
