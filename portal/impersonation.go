package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// PrefixImpersonation is the prefix of the IDs of impersonations.
const PrefixImpersonation = "imp"

// StartImpersonationParams start a staff member's session as a customer's
// member.
type StartImpersonationParams struct {
	MembershipID customer.MembershipID `json:"membership_id" validate:"required,max=100"`
	// Reason says why, for the record the customer's admins read.
	Reason string `json:"reason" validate:"required,max=500,singleline"`
	// Write lets the session change things; without it the session is
	// read-only (viewer rights).
	Write bool `json:"write"`
	// Minutes is how long it lasts, at most identity.MaxImpersonation;
	// 0 for the most.
	Minutes int `json:"minutes" validate:"min=0,max=15"`
}

// Impersonating is a started impersonation and its session's token.
type Impersonating struct {
	SignIn
	Impersonation identity.Impersonation
}

// StartImpersonation opens a session as member params.MembershipID of
// customer cid for the calling staff member, for support: read-only unless
// params.Write, for at most identity.MaxImpersonation, with a reason, and
// recorded. Whatever it does is recorded as "staff X as user Y"
// (identity.Principal.Actor). Staff admins and owners signed in as
// themselves may call it (ActImpersonate; API keys may not). Invalid
// without a reason; NotFound for an unknown membership;
// PermissionDenied when the customer forbids impersonation;
// FailedPrecondition for a membership, user or customer not active.
func (p *Portal) StartImpersonation(ctx context.Context, cid customer.ID, params StartImpersonationParams) (Impersonating, error) {
	params.Reason = strings.TrimSpace(params.Reason)
	if err := validStruct(params); err != nil {
		return Impersonating{}, err
	}
	life := identity.MaxImpersonation
	if params.Minutes > 0 {
		life = time.Duration(params.Minutes) * time.Minute
	}
	var out Impersonating
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActImpersonate, cid, "")
		if err != nil {
			return err
		}
		forbidden, err := r.Impersonations().Forbidden(ctx, cid)
		if err != nil {
			return err
		}
		if forbidden {
			return portalerr.New(portalerr.PermissionDenied, "the customer does not allow its people to be impersonated")
		}
		m, err := getMembership(ctx, r, cid, params.MembershipID)
		if err != nil {
			return err
		}
		st, err := r.Memberships().GetStanding(ctx, m.ID)
		if err != nil {
			return err
		}
		if err := customer.CheckStanding(st.Membership, st.User, st.Customer); err != nil {
			return portalerr.New(portalerr.FailedPrecondition, "this member cannot sign in now: %s", portalerr.MessageOf(err))
		}
		now := p.timestamp()
		token, hash := invite.NewToken(invite.PrefixSession)
		s := identity.Session{
			ID: identity.SessionID(p.ids.NewID(PrefixSession)), TokenHash: string(hash),
			UserID: m.UserID, MembershipID: m.ID, CustomerID: cid, Method: identity.MethodImpersonation,
			ReadOnly: !params.Write, LastSeenAt: now, ExpiresAt: now.Add(life), CreatedAt: now,
		}
		if err := r.Sessions().Create(ctx, s); err != nil {
			return fmt.Errorf("portal: creating impersonation session: %w", err)
		}
		imp := identity.Impersonation{
			ID: identity.ImpersonationID(p.ids.NewID(PrefixImpersonation)), SessionID: s.ID, StaffID: identity.StaffID(a.who.ID),
			UserID: m.UserID, MembershipID: m.ID, CustomerID: cid, Reason: params.Reason, ReadOnly: s.ReadOnly,
			StartedAt: now, ExpiresAt: s.ExpiresAt,
		}
		if err := r.Impersonations().Create(ctx, imp); err != nil {
			return fmt.Errorf("portal: recording impersonation: %w", err)
		}
		out = Impersonating{SignIn: SignIn{Token: token, Session: s, User: st.User, Membership: m}, Impersonation: imp}
		return p.record(ctx, r, a.who.Actor(), "impersonation.started", cid, string(imp.ID))
	})
	return out, err
}

// SessionLifetime returns how long a session lasts at most after sign-in
// (Config.SessionLifetime), for cookies that carry one.
func (p *Portal) SessionLifetime() time.Duration { return p.lifetime }

// impersonator returns the staff member behind an impersonation session,
// or ok false when the impersonation no longer lasts: it ended, its staff
// member is no longer active, or the customer forbade impersonation since.
func impersonator(ctx context.Context, r storage.Repos, s identity.Session, now time.Time) (identity.StaffID, bool, error) {
	imp, err := r.Impersonations().GetBySession(ctx, s.ID)
	if err != nil {
		return "", false, ignoreNotFound(err)
	}
	if !imp.Active(now) {
		return "", false, nil
	}
	m, err := r.Staff().Get(ctx, imp.StaffID)
	if err != nil {
		return "", false, ignoreNotFound(err)
	}
	forbidden, err := r.Impersonations().Forbidden(ctx, s.CustomerID)
	if err != nil || forbidden || m.Status != identity.StaffActive {
		return "", false, err
	}
	return imp.StaffID, true, nil
}

// ListImpersonationsParams page a customer's impersonations.
type ListImpersonationsParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListImpersonationsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListImpersonations lists the impersonations of customer cid's people,
// newest first: who, as whom, why, how long, read-only or not. Staff and
// the customer's admins may call it (ActImpersonationRead).
func (p *Portal) ListImpersonations(ctx context.Context, cid customer.ID, params ListImpersonationsParams) (List[identity.Impersonation], error) {
	return listIn(ctx, p, "impersonations", ActImpersonationRead, cid, params, func(r storage.Repos, _ access, page storage.Page) (storage.List[identity.Impersonation], error) {
		return r.Impersonations().List(ctx, cid, page)
	})
}

// ImpersonationForbidden reports whether customer cid forbids
// impersonation. Who may call it as for ListImpersonations.
func (p *Portal) ImpersonationForbidden(ctx context.Context, cid customer.ID) (bool, error) {
	var out bool
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActImpersonationRead, cid, ""); err != nil {
			return err
		}
		var err error
		out, err = r.Impersonations().Forbidden(ctx, cid)
		return err
	})
	return out, err
}

// SetImpersonationForbidden forbids (or allows again) staff to
// impersonate customer cid's people; forbidding ends the impersonations
// under way at their next request. Only the customer's own admins may
// call it (ActImpersonationPolicy): it protects them from the provider.
func (p *Portal) SetImpersonationForbidden(ctx context.Context, cid customer.ID, forbidden bool) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActImpersonationPolicy, cid, "")
		if err != nil {
			return err
		}
		if err := r.Impersonations().SetForbidden(ctx, cid, forbidden, a.who.Actor(), p.timestamp()); err != nil {
			return err
		}
		action := "impersonation.allowed"
		if forbidden {
			action = "impersonation.forbidden"
		}
		return p.record(ctx, r, a.who.Actor(), action, cid, string(cid))
	})
}

// ActionImpersonatedRequest is the audit log's action of a request made in
// an impersonation (RecordImpersonatedRequest).
const ActionImpersonatedRequest = "impersonation.request"

// maxRecordedPath bounds the path an audit event of a request keeps.
const maxRecordedPath = 1000

// RecordImpersonatedRequest records a request made in an impersonation,
// reads included, as the audit event ActionImpersonatedRequest of the
// caller's customer: actor the user, impersonator the staff member, object
// the impersonation, the request's ID (WithRequestID), and as its changes
// the request's "method", "route" (the pattern it matched, such as
// "GET /v1/customers/{customerId}/orders") and "path" (without the query,
// which may hold tokens). httpapi and the web pages call it once per
// authenticated request, before serving it; a request that cannot be
// recorded must not be served. It does nothing for a caller that is not
// impersonated, and needs no permission: it records the caller's own
// request.
func (p *Portal) RecordImpersonatedRequest(ctx context.Context, method, route, path string) error {
	who, ok := identity.FromContext(ctx)
	if !ok || who.Impersonator == "" {
		return nil
	}
	if len(path) > maxRecordedPath {
		path = path[:maxRecordedPath]
	}
	return p.write(ctx, func(r storage.Repos) error {
		object := string(who.SessionID)
		imp, err := r.Impersonations().GetBySession(ctx, who.SessionID)
		switch {
		case err == nil:
			object = string(imp.ID)
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		return p.recordChanges(ctx, r, who.Actor(), ActionImpersonatedRequest, who.CustomerID, object, []audit.Change{
			{Field: "method", After: method}, {Field: "route", After: route}, {Field: "path", After: path},
		})
	})
}
