package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// ContactRepo stores customers' contact persons (customer.Contact).
type ContactRepo interface {
	// Create stores c as given. ErrAlreadyExists when the ID is taken;
	// ErrNotFound when the customer does not exist.
	Create(ctx context.Context, c customer.Contact) error
	// Get returns the contact with the given ID, or ErrNotFound.
	Get(ctx context.Context, id customer.ContactID) (customer.Contact, error)
	// Update reads the contact, lets fn change it and writes it back with
	// its version one higher, if no other transaction wrote it meanwhile
	// (ErrConflict). ID, CustomerID and CreatedAt stay as stored.
	// ErrNotFound when there is no such contact; fn's error is returned
	// unchanged.
	Update(ctx context.Context, id customer.ContactID, fn func(*customer.Contact) error) (customer.Contact, error)
	// Delete deletes the contact, or answers ErrNotFound.
	Delete(ctx context.Context, id customer.ContactID) error
	// List returns one page of a customer's contacts, oldest first.
	List(ctx context.Context, cid customer.ID, p Page) (List[customer.Contact], error)
	// LinkUser sets the user of the contacts whose portal access sent the
	// invitation invitationID, and returns how many it changed.
	LinkUser(ctx context.Context, invitationID string, uid customer.UserID) (int, error)
}

// EmailChange is a change of a user's e-mail address that waits for the
// new address to confirm it.
type EmailChange struct {
	ID       string
	UserID   customer.UserID
	NewEmail string
	// TokenHash is the hash (invite.HashToken) of the confirmation link's token.
	TokenHash string
	// RequestedBy names who asked, as identity.Principal.Actor returns it.
	RequestedBy string
	ExpiresAt   time.Time
	CreatedAt   time.Time
}

// EmailChangeRepo stores pending e-mail changes.
type EmailChangeRepo interface {
	// Create stores ch, after deleting the user's pending changes: a newer
	// change ends older ones. ErrAlreadyExists when the ID or the token
	// hash is taken; ErrNotFound when the user does not exist.
	Create(ctx context.Context, ch EmailChange) error
	// Take deletes and returns the change whose token has this hash, if it
	// has not expired at now; else ErrNotFound. Of concurrent takes of one
	// change, one gets it.
	Take(ctx context.Context, tokenHash string, now time.Time) (EmailChange, error)
	// Pending returns the user's pending change at now, or ErrNotFound.
	Pending(ctx context.Context, uid customer.UserID, now time.Time) (EmailChange, error)
}
