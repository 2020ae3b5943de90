package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
)

// InvitationRepo stores invitations.
type InvitationRepo interface {
	// Create stores i as given. ErrAlreadyExists when the ID or token hash
	// is taken; ErrNotFound when the customer does not exist. SiteIDs are
	// stored as given, without a reference to the sites: deleting a site
	// that an invitation names is allowed (the portal checks the sites again
	// when the invitation is accepted), so no foreign key may hold them.
	Create(ctx context.Context, i invite.Invitation) error
	// Get returns the invitation with the given ID, or ErrNotFound.
	Get(ctx context.Context, id invite.ID) (invite.Invitation, error)
	// GetByTokenHash returns the invitation whose current token has this
	// hash, whatever its state, or ErrNotFound (also for a token replaced by
	// a resend).
	GetByTokenHash(ctx context.Context, h invite.Hash) (invite.Invitation, error)
	// Update works like CustomerRepo.Update. fn must not change CustomerID.
	// ErrAlreadyExists when the new TokenHash is taken.
	Update(ctx context.Context, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error)
	// MarkAccepted sets AcceptedAt and AcceptedBy in one conditional write
	// that succeeds only while the invitation is pending at `at` (not
	// accepted, not revoked, ExpiresAt after at). Otherwise it changes
	// nothing and returns ErrConflict; ErrNotFound when there is no such
	// invitation. The write also sets UpdatedAt to at and increases Version
	// by one; MarkAccepted returns what it wrote. This is what makes an
	// invitation single-use under concurrency.
	MarkAccepted(ctx context.Context, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error)
	// List returns one page of invitations matching f, ordered by ID.
	List(ctx context.Context, f InvitationFilter, p Page) (List[invite.Invitation], error)
}

// InvitationFilter narrows an invitation list. Zero fields do not filter.
type InvitationFilter struct {
	CustomerID customer.ID
	// Email keeps invitations to this normalised address (compared exactly).
	Email string
	// State keeps invitations in this state at Now (required with State),
	// derived as invite.Invitation.State(Now) derives it: accepted, else
	// revoked, else expired when ExpiresAt is at or before Now, else pending.
	State invite.State
	Now   time.Time
}

// LoginLinkRepo stores one-time login links.
type LoginLinkRepo interface {
	// Create stores l as given. ErrAlreadyExists when the ID or token hash is
	// taken; ErrNotFound when the user does not exist.
	Create(ctx context.Context, l invite.LoginLink) error
	// Consume marks the unused, unexpired (ExpiresAt after now) link with
	// this token hash as used, in one conditional write, and returns it.
	// ErrNotFound when there is no such usable link: unknown, used,
	// superseded or expired are not told apart. The link returned has UsedAt
	// set to now.
	Consume(ctx context.Context, h invite.Hash, now time.Time) (invite.LoginLink, error)
	// Supersede marks every unused link of the user as used at `at`, expired
	// ones included; used links keep their UsedAt. A user without unused
	// links, or an unknown one, is no error.
	Supersede(ctx context.Context, user customer.UserID, at time.Time) error
	// DeleteExpired removes links whose ExpiresAt is before `before`
	// (strictly), used or not, and returns how many.
	DeleteExpired(ctx context.Context, before time.Time) (int, error)
}

// AccessLinkRepo stores access links.
type AccessLinkRepo interface {
	// Create stores l as given. ErrAlreadyExists when the ID or token hash is
	// taken; ErrNotFound when the membership does not exist. Deleting the
	// membership deletes its access links.
	Create(ctx context.Context, l invite.AccessLink) error
	// Get returns the access link with the given ID, or ErrNotFound.
	Get(ctx context.Context, id invite.AccessLinkID) (invite.AccessLink, error)
	// GetByTokenHash returns the link whose current token has this hash,
	// disabled or expired too, or ErrNotFound (also for a token replaced by a
	// refresh).
	GetByTokenHash(ctx context.Context, h invite.Hash) (invite.AccessLink, error)
	// Update works like CustomerRepo.Update. fn must not change MembershipID
	// or CustomerID. ErrAlreadyExists when the new TokenHash is taken.
	Update(ctx context.Context, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error)
	// List returns one page of access links matching f, ordered by ID.
	List(ctx context.Context, f AccessLinkFilter, p Page) (List[invite.AccessLink], error)
}

// AccessLinkFilter narrows an access link list. Zero fields do not filter.
type AccessLinkFilter struct {
	CustomerID   customer.ID
	MembershipID customer.MembershipID
}
