package portal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Prefixes of the IDs made for sign-in objects.
const (
	PrefixSession    = "ses"
	PrefixInvitation = "inv"
	PrefixLoginLink  = "lnk"
	PrefixAccessLink = "acl"
	PrefixAPIKey     = "key"
	PrefixEvent      = "evt"
)

// touchEvery is how stale a session's LastSeenAt may get before a use
// writes it again: reads stay reads for most requests.
const touchEvery = time.Minute

var errBadToken = portalerr.New(portalerr.Unauthenticated, "the token is not valid or has expired; sign in again")

// SignIn is an opened session. Token is its bearer token: it is shown only
// here, once.
type SignIn struct {
	Token      string
	Session    identity.Session
	User       customer.User
	Membership customer.Membership
}

var _ identity.Authenticator = (*Portal)(nil)

// Authenticate turns a bearer token (a session's or an API key's) into a
// principal. A staff member's session gives a KindStaff principal with the
// member's role as stored now. It fails with Unauthenticated for an
// unknown, expired or revoked token, for a session whose user, membership
// or customer is no longer active, for a staff session whose member is
// disabled, and for a session opened with an access link of a customer that
// no longer allows access links; such a session is ended. It needs no
// principal in ctx.
func (p *Portal) Authenticate(ctx context.Context, token string) (identity.Principal, error) {
	switch {
	case invite.HasPrefix(token, invite.PrefixSession):
		return p.authenticateSession(ctx, token)
	case invite.HasPrefix(token, invite.PrefixAPIKey):
		return p.authenticateAPIKey(ctx, token)
	}
	return identity.Principal{}, errBadToken
}

func (p *Portal) authenticateSession(ctx context.Context, token string) (identity.Principal, error) {
	now := p.timestamp()
	hash := string(invite.HashToken(token))
	var (
		s     identity.Session
		ended bool
		stale bool
	)
	var who identity.Principal
	err := p.readShared(ctx, func(r storage.Repos) error {
		var (
			st  storage.Standing
			err error
		)
		s, st, err = r.Sessions().GetStandingByTokenHash(ctx, hash)
		if errors.Is(err, storage.ErrNotFound) {
			// Not a customer user's: a staff member's, or none.
			var m identity.StaffMember
			s, m, err = r.Sessions().GetStaffByTokenHash(ctx, hash)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				return errBadToken
			case err != nil:
				return err
			case s.Expired(now, p.idle) || m.Status != identity.StaffActive:
				ended = true
				return nil
			}
			stale = now.Sub(s.LastSeenAt) >= touchEvery
			// The role is the member's as stored now, not as it was at sign-in.
			who = m.Principal(s.ID, s.Method)
			return nil
		}
		if err != nil {
			// Only a verdict on the account ends the session; a passing
			// storage error must not sign anybody out.
			return err
		}
		if s.Expired(now, p.idle) {
			ended = true
			return nil
		}
		c, err := signInAllowed(st, s.UserID)
		if err != nil {
			ended = true
			return nil
		}
		// Turning access links off ends their sessions too, not just new sign-ins.
		if s.AccessLinkID != "" && !c.Features.AccessLinks {
			ended = true
			return nil
		}
		stale = now.Sub(s.LastSeenAt) >= touchEvery
		who = s.Principal()
		if s.Method == identity.MethodImpersonation {
			staff, ok, err := impersonator(ctx, r, s, now)
			if err != nil {
				return err
			}
			if !ok {
				ended = true
				return nil
			}
			who.Impersonator = staff
		}
		if sr, ok := r.(snapshotRepos); ok {
			sr.s.remember(st)
		}
		return nil
	})
	if err != nil {
		return identity.Principal{}, err
	}
	if ended {
		if err := p.write(ctx, func(r storage.Repos) error { return ignoreNotFound(r.Sessions().Delete(ctx, s.ID)) }); err != nil {
			return identity.Principal{}, err
		}
		return identity.Principal{}, errBadToken
	}
	if stale {
		err := p.write(ctx, func(r storage.Repos) error {
			_, err := r.Sessions().Update(ctx, s.ID, func(s *identity.Session) error {
				s.LastSeenAt = now
				return nil
			})
			return ignoreNotFound(err)
		})
		if err != nil {
			return identity.Principal{}, err
		}
	}
	return who, nil
}

// checkSignInAllowed fails with Unauthenticated unless the user, the
// membership (which must be the user's) and its customer are all active, and
// returns the customer.
func checkSignInAllowed(ctx context.Context, r storage.Repos, uid customer.UserID, mid customer.MembershipID) (customer.Customer, error) {
	st, err := r.Memberships().GetStanding(ctx, mid)
	if err != nil {
		return customer.Customer{}, fmt.Errorf("portal: loading membership: %w", err)
	}
	return signInAllowed(st, uid)
}

// signInAllowed is checkSignInAllowed on a standing already read.
func signInAllowed(st storage.Standing, uid customer.UserID) (customer.Customer, error) {
	u, m, c := st.User, st.Membership, st.Customer
	if m.UserID != uid || customer.CheckStanding(m, u, c) != nil {
		return customer.Customer{}, portalerr.New(portalerr.Unauthenticated, "this account can no longer sign in")
	}
	return c, nil
}

// openSession creates a session for membership m, in the caller's
// transaction, and returns it with its token.
func (p *Portal) openSession(ctx context.Context, r storage.Repos, m customer.Membership, method identity.Method, accessLink *invite.AccessLink) (SignIn, error) {
	if err := checkSSORequired(ctx, r, m.CustomerID, method); err != nil {
		return SignIn{}, err
	}
	u, err := r.Users().Get(ctx, m.UserID)
	if err != nil {
		return SignIn{}, fmt.Errorf("portal: loading user: %w", err)
	}
	now := p.timestamp()
	token, hash := invite.NewToken(invite.PrefixSession)
	s := identity.Session{
		ID:           identity.SessionID(p.ids.NewID(PrefixSession)),
		TokenHash:    string(hash),
		UserID:       m.UserID,
		MembershipID: m.ID,
		CustomerID:   m.CustomerID,
		Method:       method,
		LastSeenAt:   now,
		ExpiresAt:    now.Add(p.lifetime),
		CreatedAt:    now,
	}
	if accessLink != nil {
		s.AccessLinkID = string(accessLink.ID)
		s.ReadOnly = accessLink.ReadOnly
		if accessLink.ExpiresAt.Before(s.ExpiresAt) {
			s.ExpiresAt = accessLink.ExpiresAt
		}
	}
	if err := r.Sessions().Create(ctx, s); err != nil {
		return SignIn{}, fmt.Errorf("portal: creating session: %w", err)
	}
	return SignIn{Token: token, Session: s, User: u, Membership: m}, nil
}

// firstActiveMembership picks the membership a new session acts through:
// the one of customer cid when given, else the user's oldest active one.
// Unauthenticated when there is none.
func firstActiveMembership(ctx context.Context, r storage.Repos, uid customer.UserID, cid customer.ID) (customer.Membership, error) {
	var found *customer.Membership
	err := eachUsableMembership(ctx, r, uid, cid, func(m customer.Membership, _ customer.Customer) bool {
		found = &m
		return true
	})
	switch {
	case err != nil:
		return customer.Membership{}, err
	case found == nil:
		return customer.Membership{}, portalerr.New(portalerr.Unauthenticated, "this account has no active access to a customer portal")
	}
	return *found, nil
}

// eachUsableMembership calls fn, oldest first, for each active membership
// of user uid (of customer cid when set) whose customer is active, until fn
// returns true.
func eachUsableMembership(ctx context.Context, r storage.Repos, uid customer.UserID, cid customer.ID, fn func(customer.Membership, customer.Customer) (stop bool)) error {
	return eachMembership(ctx, r, storage.MembershipFilter{UserID: uid, CustomerID: cid, Status: customer.MembershipActive},
		func(m customer.Membership) (bool, error) {
			c, err := r.Customers().Get(ctx, m.CustomerID)
			if err != nil {
				return false, fmt.Errorf("portal: loading customer: %w", err)
			}
			return c.Active() && fn(m, c), nil
		})
}

// Logout ends the caller's session. Customer users (ActSelf) and staff
// members (ActStaffSelf) may call it; API keys, which have no session to
// end, get PermissionDenied. A caller signed in without a session (through
// an application's own identity.Authenticator) gets FailedPrecondition.
func (p *Portal) Logout(ctx context.Context) error {
	return p.write(ctx, func(r storage.Repos) error {
		who, _ := identity.FromContext(ctx)
		if who.Impersonator != "" && who.SessionID != "" {
			// Leaving an impersonation: the session is the caller's own
			// (Authenticate checked it), and it ends for the record too.
			if err := r.Impersonations().End(ctx, who.SessionID, p.timestamp()); err != nil {
				return err
			}
			if err := p.record(ctx, r, who.Actor(), "impersonation.ended", who.CustomerID, string(who.SessionID)); err != nil {
				return err
			}
			return ignoreNotFound(r.Sessions().Delete(ctx, who.SessionID))
		}
		act := ActSelf
		if who.Kind == identity.KindStaff {
			act = ActStaffSelf
		}
		a, err := p.authorize(ctx, r, act, "", "")
		if err != nil {
			return err
		}
		if a.who.SessionID == "" {
			return portalerr.New(portalerr.FailedPrecondition, "the caller has no session to end")
		}
		return ignoreNotFound(r.Sessions().Delete(ctx, a.who.SessionID))
	})
}

// MyMembership is one of the caller's memberships, for choosing which one a
// session acts through.
type MyMembership struct {
	customer.Membership
	CustomerName string
	// Current marks the membership the session acts through now.
	Current bool
}

// MyMemberships lists the calling user's active memberships of active
// customers; a session from an access link sees only its own. Only customer
// users may call it.
func (p *Portal) MyMemberships(ctx context.Context) ([]MyMembership, error) {
	var out []MyMembership
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSelf, "", "")
		if err != nil {
			return err
		}
		// A session from an access link is bound to its membership: it must
		// not learn which other customers the person belongs to.
		if a.who.Method == identity.MethodAccessLink {
			c, err := r.Customers().Get(ctx, a.membership.CustomerID)
			out = append(out, MyMembership{Membership: a.membership, CustomerName: c.Name, Current: true})
			return err
		}
		return eachUsableMembership(ctx, r, a.membership.UserID, "", func(m customer.Membership, c customer.Customer) bool {
			out = append(out, MyMembership{Membership: m, CustomerName: c.Name, Current: m.ID == a.membership.ID})
			return false
		})
	})
	return out, err
}

// SwitchMembership makes the caller's session act through another of the
// user's memberships. NotFound for a membership that is not the user's own
// active one; FailedPrecondition for a session from an access link, which
// is bound to its membership.
func (p *Portal) SwitchMembership(ctx context.Context, id customer.MembershipID) (identity.Session, error) {
	var out identity.Session
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSelf, "", "")
		if err != nil {
			return err
		}
		if a.who.SessionID == "" || a.who.ReadOnly {
			return portalerr.New(portalerr.FailedPrecondition, "this session cannot change its membership")
		}
		m, err := r.Memberships().Get(ctx, id)
		if err != nil || m.UserID != a.membership.UserID {
			return notFoundAs(orNotFound(err), errMembershipNotFound(id))
		}
		if _, err := checkSignInAllowed(ctx, r, m.UserID, m.ID); portalerr.CodeOf(err) == portalerr.Unauthenticated {
			return errMembershipNotFound(id)
		} else if err != nil {
			return err
		}
		if a.who.Method != identity.MethodImpersonation {
			// A session of another method must not carry its holder into
			// a customer that requires single sign-on.
			if err := checkSSORequired(ctx, r, m.CustomerID, a.who.Method); err != nil {
				return err
			}
		}
		out, err = r.Sessions().Update(ctx, a.who.SessionID, func(s *identity.Session) error {
			if s.AccessLinkID != "" {
				return portalerr.New(portalerr.FailedPrecondition, "a session from an access link is bound to its membership")
			}
			s.MembershipID, s.CustomerID = m.ID, m.CustomerID
			return nil
		})
		return err
	})
	return out, err
}

// PurgeExpired deletes ended sessions, expired login links (staff
// members' sign-in links and password reset links included) and expired
// Idempotency-Key records, erases the token of failed mail whose link has
// expired (the message stays, for the record, but can no longer be
// retried), deletes access requests left unconfirmed past their
// confirmation window, deletes the ended windows of rate limits counted in the
// database (when the store is a storage.AttemptCounter; see
// StoreRateLimiter), and returns how many rows it deleted or erased. Run
// it now and then (the reference server does, hourly). It needs no
// principal: it is maintenance, not a use case.
func (p *Portal) PurgeExpired(ctx context.Context) (int, error) {
	now := p.timestamp()
	var n int
	err := p.write(ctx, func(r storage.Repos) error {
		s, err := r.Sessions().DeleteExpired(ctx, now, now.Add(-p.idle))
		if err != nil {
			return err
		}
		l, err := r.LoginLinks().DeleteExpired(ctx, now)
		if err != nil {
			return err
		}
		sl, err := r.Staff().DeleteExpiredLinks(ctx, now)
		if err != nil {
			return err
		}
		l += sl
		pr, err := r.PasswordResets().DeleteExpired(ctx, now)
		if err != nil {
			return err
		}
		l += pr
		ss, err := r.SSO().DeleteExpiredStates(ctx, now)
		if err != nil {
			return err
		}
		l += ss
		if p.retention > 0 {
			old, err := r.Audit().DeleteBefore(ctx, now.Add(-p.retention))
			if err != nil {
				return err
			}
			l += old
		}
		k, err := r.Idempotency().DeleteExpired(ctx, now)
		if err != nil {
			return err
		}
		m, err := r.Outbox().EraseExpiredPayloads(ctx, now)
		if err != nil {
			return err
		}
		a, err := r.AccessRequests().DeleteExpired(ctx, now)
		n = s + l + k + m + a
		return err
	})
	if err != nil {
		return 0, err
	}
	// Windows are counted outside transactions (CountAttempt), and so
	// deleted outside this one.
	if c, ok := p.store.(storage.AttemptCounter); ok {
		w, err := c.DeleteEndedWindows(ctx, now)
		if err != nil {
			return n, err
		}
		n += w
	}
	return n, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// orNotFound turns nil into storage.ErrNotFound (for a found object that
// must look missing to the caller).
func orNotFound(err error) error {
	if err == nil {
		return storage.ErrNotFound
	}
	return err
}

// clientKey is the rate-limit key of a client address: its IP without a
// port, so every connection from one host counts against one bucket. An
// unparsable address is used as given; empty stays empty.
func clientKey(addr string) string {
	if addr == "" {
		return ""
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().WithZone("").String()
	}
	return "client:" + strings.ToLower(host)
}

func ignoreUnauthenticated(err error) error {
	if portalerr.CodeOf(err) == portalerr.Unauthenticated {
		return nil
	}
	return err
}
