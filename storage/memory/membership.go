package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type membershipRepo struct{ t *tx }

func (r membershipRepo) Create(_ context.Context, m customer.Membership) error {
	if err := r.t.writable("creating membership"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.memberships[m.ID]; ok {
		return fmt.Errorf("memory: creating membership %s: %w", m.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.members[memberKeyOf(m)]; ok {
		return fmt.Errorf("memory: creating membership %s: user %s is a member of customer %s: %w", m.ID, m.UserID, m.CustomerID, storage.ErrAlreadyExists)
	}
	if _, ok := s.users[m.UserID]; !ok {
		return fmt.Errorf("memory: creating membership %s: user %s: %w", m.ID, m.UserID, storage.ErrNotFound)
	}
	if _, ok := s.customers[m.CustomerID]; !ok {
		return fmt.Errorf("memory: creating membership %s: customer %s: %w", m.ID, m.CustomerID, storage.ErrNotFound)
	}
	if err := r.checkSites(m.SiteIDs); err != nil {
		return fmt.Errorf("memory: creating membership %s: %w", m.ID, err)
	}
	m = cloneMembership(m)
	put(r.t, s.memberships, m.ID, m)
	put(r.t, s.members, memberKeyOf(m), m.ID)
	r.useSites(m.SiteIDs, +1)
	return nil
}

func (r membershipRepo) Get(_ context.Context, id customer.MembershipID) (customer.Membership, error) {
	m, ok := r.t.s.memberships[id]
	if !ok {
		return customer.Membership{}, fmt.Errorf("memory: getting membership %s: %w", id, storage.ErrNotFound)
	}
	return cloneMembership(m), nil
}

func (r membershipRepo) GetStanding(ctx context.Context, id customer.MembershipID) (storage.Standing, error) {
	m, err := r.Get(ctx, id)
	if err != nil {
		return storage.Standing{}, err
	}
	// The user and the customer exist while the membership does.
	return storage.Standing{
		Membership: m,
		User:       cloneUser(r.t.s.users[m.UserID]),
		Customer:   cloneCustomer(r.t.s.customers[m.CustomerID]),
	}, nil
}

func (r membershipRepo) Update(_ context.Context, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	if err := r.t.writable("updating membership"); err != nil {
		return customer.Membership{}, err
	}
	s := r.t.s
	old, ok := s.memberships[id]
	if !ok {
		return customer.Membership{}, fmt.Errorf("memory: updating membership %s: %w", id, storage.ErrNotFound)
	}
	next := cloneMembership(old)
	if err := fn(&next); err != nil {
		return customer.Membership{}, err
	}
	if next.ID != old.ID || next.UserID != old.UserID || next.CustomerID != old.CustomerID || !next.CreatedAt.Equal(old.CreatedAt) {
		return customer.Membership{}, fmt.Errorf("memory: updating membership %s: fn changed ID, UserID, CustomerID or CreatedAt", id)
	}
	if err := r.checkSites(next.SiteIDs); err != nil {
		return customer.Membership{}, fmt.Errorf("memory: updating membership %s: %w", id, err)
	}
	next.Version = old.Version + 1
	next = cloneMembership(next)
	r.useSites(old.SiteIDs, -1)
	r.useSites(next.SiteIDs, +1)
	put(r.t, s.memberships, id, next)
	return cloneMembership(next), nil
}

func (r membershipRepo) Delete(_ context.Context, id customer.MembershipID) error {
	if err := r.t.writable("deleting membership"); err != nil {
		return err
	}
	s := r.t.s
	m, ok := s.memberships[id]
	if !ok {
		return fmt.Errorf("memory: deleting membership %s: %w", id, storage.ErrNotFound)
	}
	remove(r.t, s.memberships, id)
	remove(r.t, s.members, memberKeyOf(m))
	r.useSites(m.SiteIDs, -1)
	sessionRepo(r).deleteOf(id)
	accessLinkRepo(r).deleteOf(id)
	return nil
}

func (r membershipRepo) List(_ context.Context, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	keep := func(m customer.Membership) bool {
		return (f.CustomerID == "" || m.CustomerID == f.CustomerID) &&
			(f.UserID == "" || m.UserID == f.UserID) &&
			(f.SiteID == "" || slices.Contains(m.SiteIDs, f.SiteID)) &&
			(f.Role == "" || m.Role == f.Role) &&
			(f.Status == "" || m.Status == f.Status)
	}
	l, err := list(r.t.s.memberships, p, keep, cloneMembership)
	if err != nil {
		return l, fmt.Errorf("memory: listing memberships: %w", err)
	}
	return l, nil
}

func (r membershipRepo) CountActiveAdmins(_ context.Context, id customer.ID) (int, error) {
	n := 0
	for _, m := range r.t.s.memberships {
		if m.CustomerID == id && m.ActiveAdmin() {
			n++
		}
	}
	return n, nil
}

// checkSites returns ErrNotFound when one of ids names no site, as a
// foreign key would.
func (r membershipRepo) checkSites(ids []customer.SiteID) error {
	for _, id := range ids {
		if _, ok := r.t.s.sites[id]; !ok {
			return fmt.Errorf("site %s: %w", id, storage.ErrNotFound)
		}
	}
	return nil
}

// useSites adds delta to the use count of each site, which keeps a site
// named by a membership from being deleted.
func (r membershipRepo) useSites(ids []customer.SiteID, delta int) {
	uses := r.t.s.siteUses
	for _, id := range ids {
		if n := uses[id] + delta; n > 0 {
			put(r.t, uses, id, n)
		} else {
			remove(r.t, uses, id)
		}
	}
}

func memberKeyOf(m customer.Membership) memberKey {
	return memberKey{user: m.UserID, customer: m.CustomerID}
}

// cloneMembership returns a copy of m with its own SiteIDs (nil when there
// are none) and times in UTC.
func cloneMembership(m customer.Membership) customer.Membership {
	if len(m.SiteIDs) == 0 {
		m.SiteIDs = nil
	} else {
		m.SiteIDs = slices.Clone(m.SiteIDs)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.UpdatedAt = m.UpdatedAt.UTC()
	return m
}
