package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/identity"
)

// StaffRepo stores staff members, their password credentials and their
// one-time sign-in links.
type StaffRepo interface {
	// Create stores m as given. ErrAlreadyExists when the ID or the e-mail
	// (compared ignoring case) is taken.
	Create(ctx context.Context, m identity.StaffMember) error
	// Get returns the staff member with the given ID, or ErrNotFound.
	Get(ctx context.Context, id identity.StaffID) (identity.StaffMember, error)
	// GetByEmail returns the staff member with the given normalised e-mail
	// (compared ignoring case), or ErrNotFound.
	GetByEmail(ctx context.Context, email string) (identity.StaffMember, error)
	// Update works like CustomerRepo.Update (versioned). ErrAlreadyExists
	// when the new e-mail is taken.
	Update(ctx context.Context, id identity.StaffID, fn func(*identity.StaffMember) error) (identity.StaffMember, error)
	// List returns one page of staff members matching f, ordered by ID.
	List(ctx context.Context, f StaffFilter, p Page) (List[identity.StaffMember], error)

	// GetPassword returns the member's password record, or ErrNotFound
	// when it has none. Its UserID is empty.
	GetPassword(ctx context.Context, id identity.StaffID) (identity.Password, error)
	// PutPassword creates or replaces the member's password record (its
	// UserID is ignored). ErrNotFound when the member does not exist.
	PutPassword(ctx context.Context, id identity.StaffID, p identity.Password) error

	// CreateLink stores l as given. ErrAlreadyExists when the ID or token
	// hash is taken; ErrNotFound when the member does not exist.
	CreateLink(ctx context.Context, l identity.StaffLink) error
	// ConsumeLink marks the unused, unexpired (ExpiresAt after now) link
	// with this token hash as used, in one conditional write, and returns
	// it with UsedAt set to now. ErrNotFound when there is no such usable
	// link: unknown, used, superseded or expired are not told apart.
	ConsumeLink(ctx context.Context, hash string, now time.Time) (identity.StaffLink, error)
	// SupersedeLinks marks every unused link of the member as used at
	// `at`. A member without unused links, or an unknown one, is no error.
	SupersedeLinks(ctx context.Context, id identity.StaffID, at time.Time) error
	// DeleteExpiredLinks removes links whose ExpiresAt is before `before`
	// (strictly), used or not, and returns how many.
	DeleteExpiredLinks(ctx context.Context, before time.Time) (int, error)
}

// StaffFilter narrows a staff list. Zero fields do not filter.
type StaffFilter struct {
	Role   identity.StaffRole
	Status identity.StaffStatus
}
