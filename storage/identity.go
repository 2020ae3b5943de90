package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
)

// SessionRepo stores sessions.
type SessionRepo interface {
	// Create stores s as given. ErrAlreadyExists when the ID or token hash is
	// taken; ErrNotFound when the user, membership or staff member does not
	// exist. Deleting the membership deletes its sessions. AccessLinkID and
	// CustomerID are stored as given, not checked. A staff session
	// (StaffID set) has no user, membership or customer; a customer user's
	// has no StaffID.
	Create(ctx context.Context, s identity.Session) error
	// GetByTokenHash returns the session with this token hash, or ErrNotFound.
	GetByTokenHash(ctx context.Context, hash string) (identity.Session, error)
	// GetStandingByTokenHash returns the session with this token hash and
	// the standing of its membership (see MembershipRepo.GetStanding), in
	// one lookup, or ErrNotFound.
	GetStandingByTokenHash(ctx context.Context, hash string) (identity.Session, Standing, error)
	// GetStaffByTokenHash returns the staff session with this token hash
	// and its staff member, in one lookup, or ErrNotFound (also for a
	// customer user's session).
	GetStaffByTokenHash(ctx context.Context, hash string) (identity.Session, identity.StaffMember, error)
	// Update works like CustomerRepo.Update (sessions carry no version:
	// backends serialise writes to one row). fn may move the session to
	// another membership: ErrNotFound when the new user or membership does
	// not exist. ErrAlreadyExists when the new TokenHash is taken.
	Update(ctx context.Context, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error)
	// Delete removes the session, or returns ErrNotFound.
	Delete(ctx context.Context, id identity.SessionID) error
	// DeleteMatching removes every session matching f and returns how many.
	// A zero filter (f.IsZero, ExceptID alone included) is refused with an
	// error, and nothing is deleted, rather than deleting everything.
	DeleteMatching(ctx context.Context, f SessionFilter) (int, error)
	// DeleteExpired removes sessions whose ExpiresAt is at or before now or
	// whose LastSeenAt is at or before idleBefore, and returns how many.
	DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int, error)
	// List returns one page of sessions matching f, ordered by ID.
	List(ctx context.Context, f SessionFilter, p Page) (List[identity.Session], error)
}

// SessionFilter selects sessions. Zero fields do not filter; set fields must
// all match.
type SessionFilter struct {
	UserID       customer.UserID
	MembershipID customer.MembershipID
	CustomerID   customer.ID
	AccessLinkID string
	StaffID      identity.StaffID
	// ExceptID keeps this session out of the selection.
	ExceptID identity.SessionID
	// ExceptMethods keeps sessions opened by these methods out of the
	// selection.
	ExceptMethods []identity.Method
}

// IsZero reports whether f selects everything (the exceptions aside).
func (f SessionFilter) IsZero() bool {
	return f.UserID == "" && f.MembershipID == "" && f.CustomerID == "" && f.AccessLinkID == "" && f.StaffID == ""
}

// APIKeyRepo stores API keys.
type APIKeyRepo interface {
	// Create stores k as given. ErrAlreadyExists when the ID or token hash is taken.
	Create(ctx context.Context, k identity.APIKey) error
	// Get returns the key with the given ID, or ErrNotFound.
	Get(ctx context.Context, id identity.APIKeyID) (identity.APIKey, error)
	// GetByTokenHash returns the key with this token hash, or ErrNotFound.
	GetByTokenHash(ctx context.Context, hash string) (identity.APIKey, error)
	// Update works like CustomerRepo.Update (keys carry no version).
	// ErrAlreadyExists when the new TokenHash is taken.
	Update(ctx context.Context, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error)
	// List returns one page of keys, revoked ones included, ordered by ID.
	List(ctx context.Context, p Page) (List[identity.APIKey], error)
}

// PasswordRepo stores users' password credentials.
type PasswordRepo interface {
	// Get returns the user's password record, or ErrNotFound when the user has none.
	Get(ctx context.Context, user customer.UserID) (identity.Password, error)
	// Put creates or replaces the user's password record. ErrNotFound when
	// the user does not exist.
	Put(ctx context.Context, p identity.Password) error
}
