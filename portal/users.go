package portal

import (
	"context"
	"fmt"

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
		if _, err := p.authorize(ctx, r, ActUserAdmin, "", ""); err != nil {
			return err
		}
		page := storage.Page{Limit: storage.MaxLimit}
		for {
			l, err := r.Memberships().List(ctx, storage.MembershipFilter{UserID: id, Role: customer.RoleAdmin, Status: customer.MembershipActive}, page)
			if err != nil {
				return err
			}
			for _, m := range l.Items {
				if err := keepsAdminBesides(ctx, r, m, id); err != nil {
					return err
				}
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		var err error
		if out, err = p.setUserStatus(ctx, r, id, customer.UserDisabled); err != nil {
			return err
		}
		_, err = r.Sessions().DeleteMatching(ctx, storage.SessionFilter{UserID: id})
		return err
	})
	return out, err
}

// keepsAdminBesides fails with FailedPrecondition unless m's customer has
// an active admin membership of an active user other than uid. Counting
// memberships alone is not enough here: an admin membership of a disabled
// user lets nobody in.
func keepsAdminBesides(ctx context.Context, r storage.Repos, m customer.Membership, uid customer.UserID) error {
	page := storage.Page{Limit: storage.MaxLimit}
	for {
		l, err := r.Memberships().List(ctx, storage.MembershipFilter{CustomerID: m.CustomerID, Role: customer.RoleAdmin, Status: customer.MembershipActive}, page)
		if err != nil {
			return fmt.Errorf("portal: listing admins: %w", err)
		}
		for _, other := range l.Items {
			if other.UserID == uid {
				continue
			}
			u, err := r.Users().Get(ctx, other.UserID)
			if err != nil {
				return fmt.Errorf("portal: loading admin user: %w", err)
			}
			if u.Status == customer.UserActive {
				return nil
			}
		}
		if l.NextCursor == "" {
			return portalerr.New(portalerr.FailedPrecondition,
				"user %s is the last active admin of customer %s and cannot be disabled; make another member admin first", uid, m.CustomerID)
		}
		page.Cursor = l.NextCursor
	}
}

// EnableUser lets a disabled person in again. Staff admins and owners may call it.
func (p *Portal) EnableUser(ctx context.Context, id customer.UserID) (customer.User, error) {
	var out customer.User
	err := p.write(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActUserAdmin, "", ""); err != nil {
			return err
		}
		var err error
		out, err = p.setUserStatus(ctx, r, id, customer.UserActive)
		return err
	})
	return out, err
}

func (p *Portal) setUserStatus(ctx context.Context, r storage.Repos, id customer.UserID, st customer.UserStatus) (customer.User, error) {
	u, err := r.Users().Update(ctx, id, func(u *customer.User) error {
		u.Status = st
		u.UpdatedAt = p.timestamp()
		return nil
	})
	return u, notFoundAs(err, errUserNotFound(id))
}
