package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type invitationRepo struct{ t *tx }

func (r invitationRepo) Create(_ context.Context, i invite.Invitation) error {
	if err := r.t.writable("creating invitation"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.invitations[i.ID]; ok {
		return fmt.Errorf("memory: creating invitation %s: %w", i.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.invitationTokens[i.TokenHash]; ok {
		return fmt.Errorf("memory: creating invitation %s: token hash: %w", i.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.customers[i.CustomerID]; !ok {
		return fmt.Errorf("memory: creating invitation %s: customer %s: %w", i.ID, i.CustomerID, storage.ErrNotFound)
	}
	r.put(cloneInvitation(i))
	return nil
}

func (r invitationRepo) Get(_ context.Context, id invite.ID) (invite.Invitation, error) {
	i, ok := r.t.s.invitations[id]
	if !ok {
		return invite.Invitation{}, fmt.Errorf("memory: getting invitation %s: %w", id, storage.ErrNotFound)
	}
	return cloneInvitation(i), nil
}

func (r invitationRepo) GetByTokenHash(_ context.Context, h invite.Hash) (invite.Invitation, error) {
	id, ok := r.t.s.invitationTokens[h]
	if !ok {
		return invite.Invitation{}, fmt.Errorf("memory: getting invitation by token: %w", storage.ErrNotFound)
	}
	return cloneInvitation(r.t.s.invitations[id]), nil
}

func (r invitationRepo) Update(_ context.Context, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error) {
	if err := r.t.writable("updating invitation"); err != nil {
		return invite.Invitation{}, err
	}
	s := r.t.s
	old, ok := s.invitations[id]
	if !ok {
		return invite.Invitation{}, fmt.Errorf("memory: updating invitation %s: %w", id, storage.ErrNotFound)
	}
	next := cloneInvitation(old)
	if err := fn(&next); err != nil {
		return invite.Invitation{}, err
	}
	if next.ID != old.ID || next.CustomerID != old.CustomerID || !next.CreatedAt.Equal(old.CreatedAt) {
		return invite.Invitation{}, fmt.Errorf("memory: updating invitation %s: fn changed ID, CustomerID or CreatedAt", id)
	}
	if owner, ok := s.invitationTokens[next.TokenHash]; ok && owner != id {
		return invite.Invitation{}, fmt.Errorf("memory: updating invitation %s: token hash: %w", id, storage.ErrAlreadyExists)
	}
	next.Version = old.Version + 1
	remove(r.t, s.invitationTokens, old.TokenHash)
	next = cloneInvitation(next)
	r.put(next)
	return cloneInvitation(next), nil
}

func (r invitationRepo) MarkAccepted(_ context.Context, id invite.ID, by customer.UserID, at time.Time) (invite.Invitation, error) {
	if err := r.t.writable("accepting invitation"); err != nil {
		return invite.Invitation{}, err
	}
	i, ok := r.t.s.invitations[id]
	if !ok {
		return invite.Invitation{}, fmt.Errorf("memory: accepting invitation %s: %w", id, storage.ErrNotFound)
	}
	if i.State(at) != invite.StatePending {
		return invite.Invitation{}, fmt.Errorf("memory: accepting invitation %s: %s: %w", id, i.State(at), storage.ErrConflict)
	}
	i = cloneInvitation(i)
	i.AcceptedAt, i.AcceptedBy = at.UTC(), by
	i.UpdatedAt = at.UTC()
	i.Version++
	put(r.t, r.t.s.invitations, id, i)
	return cloneInvitation(i), nil
}

func (r invitationRepo) List(_ context.Context, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	if f.State != "" && f.Now.IsZero() {
		return storage.List[invite.Invitation]{}, fmt.Errorf("memory: listing invitations: %w", portalerr.Invalidf("now", "is required with a state"))
	}
	keep := func(i invite.Invitation) bool {
		return (f.CustomerID == "" || i.CustomerID == f.CustomerID) &&
			(f.Email == "" || i.Email == f.Email) &&
			(f.State == "" || i.State(f.Now) == f.State)
	}
	l, err := list(r.t.s.invitations, p, keep, cloneInvitation)
	if err != nil {
		return l, fmt.Errorf("memory: listing invitations: %w", err)
	}
	return l, nil
}

// put stores i, which the store then owns, and indexes its token hash.
func (r invitationRepo) put(i invite.Invitation) {
	put(r.t, r.t.s.invitations, i.ID, i)
	put(r.t, r.t.s.invitationTokens, i.TokenHash, i.ID)
}

// cloneInvitation returns a copy of i with its own SiteIDs (nil when there
// are none) and times in UTC.
func cloneInvitation(i invite.Invitation) invite.Invitation {
	if len(i.SiteIDs) == 0 {
		i.SiteIDs = nil
	} else {
		i.SiteIDs = slices.Clone(i.SiteIDs)
	}
	i.ExpiresAt = i.ExpiresAt.UTC()
	i.AcceptedAt = i.AcceptedAt.UTC()
	i.RevokedAt = i.RevokedAt.UTC()
	i.CreatedAt = i.CreatedAt.UTC()
	i.UpdatedAt = i.UpdatedAt.UTC()
	return i
}

type loginLinkRepo struct{ t *tx }

func (r loginLinkRepo) Create(_ context.Context, l invite.LoginLink) error {
	if err := r.t.writable("creating login link"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.loginLinks[l.ID]; ok {
		return fmt.Errorf("memory: creating login link %s: %w", l.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.loginLinkTokens[l.TokenHash]; ok {
		return fmt.Errorf("memory: creating login link %s: token hash: %w", l.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.users[l.UserID]; !ok {
		return fmt.Errorf("memory: creating login link %s: user %s: %w", l.ID, l.UserID, storage.ErrNotFound)
	}
	l = cloneLoginLink(l)
	put(r.t, s.loginLinks, l.ID, l)
	put(r.t, s.loginLinkTokens, l.TokenHash, l.ID)
	return nil
}

func (r loginLinkRepo) Consume(_ context.Context, h invite.Hash, now time.Time) (invite.LoginLink, error) {
	if err := r.t.writable("consuming login link"); err != nil {
		return invite.LoginLink{}, err
	}
	s := r.t.s
	id, ok := s.loginLinkTokens[h]
	if !ok {
		return invite.LoginLink{}, fmt.Errorf("memory: consuming login link: %w", storage.ErrNotFound)
	}
	l := s.loginLinks[id]
	if !l.UsedAt.IsZero() || !now.Before(l.ExpiresAt) {
		return invite.LoginLink{}, fmt.Errorf("memory: consuming login link: %w", storage.ErrNotFound)
	}
	l.UsedAt = now.UTC()
	put(r.t, s.loginLinks, id, l)
	return cloneLoginLink(l), nil
}

func (r loginLinkRepo) Supersede(_ context.Context, user customer.UserID, at time.Time) error {
	if err := r.t.writable("superseding login links"); err != nil {
		return err
	}
	s := r.t.s
	for id, l := range s.loginLinks {
		if l.UserID == user && l.UsedAt.IsZero() {
			l.UsedAt = at.UTC()
			put(r.t, s.loginLinks, id, l)
		}
	}
	return nil
}

func (r loginLinkRepo) DeleteExpired(_ context.Context, before time.Time) (int, error) {
	if err := r.t.writable("deleting expired login links"); err != nil {
		return 0, err
	}
	s := r.t.s
	n := 0
	for id, l := range s.loginLinks {
		if l.ExpiresAt.Before(before) {
			remove(r.t, s.loginLinks, id)
			remove(r.t, s.loginLinkTokens, l.TokenHash)
			n++
		}
	}
	return n, nil
}

// cloneLoginLink returns a copy of l with times in UTC.
func cloneLoginLink(l invite.LoginLink) invite.LoginLink {
	l.ExpiresAt = l.ExpiresAt.UTC()
	l.UsedAt = l.UsedAt.UTC()
	l.CreatedAt = l.CreatedAt.UTC()
	return l
}

type accessLinkRepo struct{ t *tx }

func (r accessLinkRepo) Create(_ context.Context, l invite.AccessLink) error {
	if err := r.t.writable("creating access link"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.accessLinks[l.ID]; ok {
		return fmt.Errorf("memory: creating access link %s: %w", l.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.accessLinkTokens[l.TokenHash]; ok {
		return fmt.Errorf("memory: creating access link %s: token hash: %w", l.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.memberships[l.MembershipID]; !ok {
		return fmt.Errorf("memory: creating access link %s: membership %s: %w", l.ID, l.MembershipID, storage.ErrNotFound)
	}
	if _, ok := s.customers[l.CustomerID]; !ok {
		return fmt.Errorf("memory: creating access link %s: customer %s: %w", l.ID, l.CustomerID, storage.ErrNotFound)
	}
	r.put(cloneAccessLink(l))
	return nil
}

func (r accessLinkRepo) Get(_ context.Context, id invite.AccessLinkID) (invite.AccessLink, error) {
	l, ok := r.t.s.accessLinks[id]
	if !ok {
		return invite.AccessLink{}, fmt.Errorf("memory: getting access link %s: %w", id, storage.ErrNotFound)
	}
	return cloneAccessLink(l), nil
}

func (r accessLinkRepo) GetByTokenHash(_ context.Context, h invite.Hash) (invite.AccessLink, error) {
	id, ok := r.t.s.accessLinkTokens[h]
	if !ok {
		return invite.AccessLink{}, fmt.Errorf("memory: getting access link by token: %w", storage.ErrNotFound)
	}
	return cloneAccessLink(r.t.s.accessLinks[id]), nil
}

func (r accessLinkRepo) Update(_ context.Context, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error) {
	if err := r.t.writable("updating access link"); err != nil {
		return invite.AccessLink{}, err
	}
	s := r.t.s
	old, ok := s.accessLinks[id]
	if !ok {
		return invite.AccessLink{}, fmt.Errorf("memory: updating access link %s: %w", id, storage.ErrNotFound)
	}
	next := cloneAccessLink(old)
	if err := fn(&next); err != nil {
		return invite.AccessLink{}, err
	}
	if next.ID != old.ID || next.MembershipID != old.MembershipID || next.CustomerID != old.CustomerID || !next.CreatedAt.Equal(old.CreatedAt) {
		return invite.AccessLink{}, fmt.Errorf("memory: updating access link %s: fn changed ID, MembershipID, CustomerID or CreatedAt", id)
	}
	if owner, ok := s.accessLinkTokens[next.TokenHash]; ok && owner != id {
		return invite.AccessLink{}, fmt.Errorf("memory: updating access link %s: token hash: %w", id, storage.ErrAlreadyExists)
	}
	next.Version = old.Version + 1
	remove(r.t, s.accessLinkTokens, old.TokenHash)
	next = cloneAccessLink(next)
	r.put(next)
	return cloneAccessLink(next), nil
}

func (r accessLinkRepo) List(_ context.Context, f storage.AccessLinkFilter, p storage.Page) (storage.List[invite.AccessLink], error) {
	keep := func(l invite.AccessLink) bool {
		return (f.CustomerID == "" || l.CustomerID == f.CustomerID) &&
			(f.MembershipID == "" || l.MembershipID == f.MembershipID)
	}
	l, err := list(r.t.s.accessLinks, p, keep, cloneAccessLink)
	if err != nil {
		return l, fmt.Errorf("memory: listing access links: %w", err)
	}
	return l, nil
}

// put stores l, which the store then owns, and indexes its token hash.
func (r accessLinkRepo) put(l invite.AccessLink) {
	put(r.t, r.t.s.accessLinks, l.ID, l)
	put(r.t, r.t.s.accessLinkTokens, l.TokenHash, l.ID)
}

// deleteOf removes the access links of a membership, as ON DELETE CASCADE would.
func (r accessLinkRepo) deleteOf(m customer.MembershipID) {
	s := r.t.s
	for id, l := range s.accessLinks {
		if l.MembershipID == m {
			remove(r.t, s.accessLinks, id)
			remove(r.t, s.accessLinkTokens, l.TokenHash)
		}
	}
}

// cloneAccessLink returns a copy of l with times in UTC.
func cloneAccessLink(l invite.AccessLink) invite.AccessLink {
	l.ExpiresAt = l.ExpiresAt.UTC()
	l.DisabledAt = l.DisabledAt.UTC()
	l.CreatedAt = l.CreatedAt.UTC()
	l.UpdatedAt = l.UpdatedAt.UTC()
	return l
}
