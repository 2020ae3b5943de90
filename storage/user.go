package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
)

// UserRepo stores users.
type UserRepo interface {
	// Create stores u as given. ErrAlreadyExists when the ID or e-mail is taken.
	Create(ctx context.Context, u customer.User) error
	// Get returns the user with the given ID, or ErrNotFound.
	Get(ctx context.Context, id customer.UserID) (customer.User, error)
	// GetByEmail returns the user with the given normalised e-mail, or ErrNotFound.
	GetByEmail(ctx context.Context, email string) (customer.User, error)
	// Update works like CustomerRepo.Update. ErrAlreadyExists when the new e-mail is taken.
	Update(ctx context.Context, id customer.UserID, fn func(*customer.User) error) (customer.User, error)
}
