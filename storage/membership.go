package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
)

// MembershipRepo stores memberships and their site sets.
type MembershipRepo interface {
	// Create stores m as given. ErrAlreadyExists when the ID is taken or the
	// user is already a member of the customer. ErrNotFound when the user,
	// the customer or one of the sites does not exist.
	Create(ctx context.Context, m customer.Membership) error
	// Get returns the membership with the given ID, or ErrNotFound.
	Get(ctx context.Context, id customer.MembershipID) (customer.Membership, error)
	// GetStanding returns the membership with the given ID together with
	// its user and its customer, in one lookup, or ErrNotFound.
	GetStanding(ctx context.Context, id customer.MembershipID) (Standing, error)
	// Update works like CustomerRepo.Update. fn must not change UserID or
	// CustomerID. ErrNotFound when a new site does not exist.
	Update(ctx context.Context, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error)
	// Delete removes the membership, or returns ErrNotFound. Its sessions
	// and access links go with it (ON DELETE CASCADE), ending them.
	Delete(ctx context.Context, id customer.MembershipID) error
	// List returns one page of memberships matching f, ordered by ID.
	List(ctx context.Context, f MembershipFilter, p Page) (List[customer.Membership], error)
	// CountActiveAdmins returns how many active admin memberships the customer has.
	CountActiveAdmins(ctx context.Context, id customer.ID) (int, error)
}

// Standing is a membership with the user and the customer it joins, as
// stored now: what deciding a customer user's access reads on every call,
// which is why backends find it in one lookup.
type Standing struct {
	Membership customer.Membership
	User       customer.User
	Customer   customer.Customer
}

// MembershipFilter narrows a membership list. Zero fields do not filter.
type MembershipFilter struct {
	CustomerID customer.ID
	UserID     customer.UserID
	// SiteID keeps memberships whose site set names this site.
	SiteID customer.SiteID
	Role   customer.Role
	Status customer.MembershipStatus
}
