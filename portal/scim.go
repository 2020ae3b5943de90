package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// PrefixSCIMToken starts SCIM tokens' IDs.
const PrefixSCIMToken = "sct"

// scimSource is the Source of employees a SCIM client wrote.
const scimSource = "scim"

// authorizeSCIM admits a customer's SCIM token to the actions whose rule
// opens them to SCIM, for its own customer only (any other is NotFound),
// while the token works and the customer is active.
func (p *Portal) authorizeSCIM(ctx context.Context, r storage.Repos, who identity.Principal, rule Rule, cid customer.ID) (access, error) {
	if !rule.SCIM {
		return access{}, errDenied
	}
	if cid != who.CustomerID {
		return access{}, errCustomerNotFound(cid)
	}
	t, err := r.Org().Token(ctx, hrsync.TokenID(who.ID))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && t.CustomerID != cid) {
		return access{}, portalerr.New(portalerr.Unauthenticated, "the SCIM token no longer exists")
	}
	if err != nil {
		return access{}, fmt.Errorf("portal: loading the SCIM token: %w", err)
	}
	if err := t.CheckUsable(); err != nil {
		return access{}, err
	}
	c, err := getCustomer(ctx, r, cid)
	if err != nil {
		return access{}, err
	}
	if !c.Active() {
		return access{}, portalerr.New(portalerr.PermissionDenied, "the customer account is %s", c.Status)
	}
	if rule.Feature != "" {
		if err := c.Features.CheckOn(c.ID, rule.Feature); err != nil {
			return access{}, err
		}
	}
	return access{who: who}, nil
}

// AuthenticateSCIM checks a SCIM bearer token for customer cid and returns
// the principal it authenticates, to put in the context of the SCIM use
// cases (identity.NewContext). A token of another customer, a revoked or
// unknown one, or one not shaped like a SCIM token is Unauthenticated,
// all alike. It records when the token was last used, at most once a
// minute.
func (p *Portal) AuthenticateSCIM(ctx context.Context, cid customer.ID, token string) (identity.Principal, error) {
	errBad := portalerr.New(portalerr.Unauthenticated, "a valid SCIM token of this customer is required")
	if !invite.HasPrefix(token, hrsync.TokenPrefix) {
		return identity.Principal{}, errBad
	}
	var t hrsync.Token
	err := p.read(ctx, func(r storage.Repos) error {
		var err error
		t, err = r.Org().TokenByHash(ctx, string(invite.HashToken(token)))
		return err
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return identity.Principal{}, errBad
	case err != nil:
		return identity.Principal{}, err
	case t.CustomerID != cid || t.CheckUsable() != nil:
		return identity.Principal{}, errBad
	}
	if now := p.timestamp(); now.Sub(t.LastUsedAt) >= time.Minute {
		t.LastUsedAt = now
		if err := p.write(ctx, func(r storage.Repos) error { return r.Org().UpdateToken(ctx, t) }); err != nil {
			return identity.Principal{}, err
		}
	}
	return identity.SCIMPrincipal(string(t.ID), cid), nil
}

// CreateSCIMTokenParams name a new SCIM token.
type CreateSCIMTokenParams struct {
	// Name says which system uses it ("Entra ID").
	Name string `json:"name" validate:"required,max=200,singleline"`
}

// SCIMTokenSecret is a new SCIM token with its secret, which is shown
// this once and never stored.
type SCIMTokenSecret struct {
	Token  hrsync.Token
	Secret string
}

// CreateSCIMToken makes a SCIM token for customer cid's identity provider
// and records it in the audit log ("scim_token.created"). Staff (agents and
// up) and the customer's admins may call it; FeatureDisabled unless the
// customer's hr_sync is on; Invalid without a name.
func (p *Portal) CreateSCIMToken(ctx context.Context, cid customer.ID, params CreateSCIMTokenParams) (SCIMTokenSecret, error) {
	params.Name = strings.TrimSpace(params.Name)
	if err := validStruct(params); err != nil {
		return SCIMTokenSecret{}, err
	}
	var out SCIMTokenSecret
	err := p.inOrg(ctx, p.write, ActSCIMTokenManage, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		secret, hash := invite.NewToken(hrsync.TokenPrefix)
		t := hrsync.Token{ID: hrsync.TokenID(p.ids.NewID(PrefixSCIMToken)), CustomerID: cid, Name: params.Name,
			TokenHash: string(hash), CreatedBy: a.who.Actor(), CreatedAt: p.timestamp()}
		noteObject(r, string(t.ID))
		if err := r.Org().CreateToken(ctx, t); err != nil {
			return err
		}
		out = SCIMTokenSecret{Token: t, Secret: secret}
		return p.record(ctx, r, a.who.Actor(), "scim_token.created", cid, string(t.ID), t)
	})
	return out, err
}

// ListSCIMTokens returns customer cid's SCIM tokens, oldest first, revoked
// ones included. Callers as for CreateSCIMToken.
func (p *Portal) ListSCIMTokens(ctx context.Context, cid customer.ID) ([]hrsync.Token, error) {
	var out []hrsync.Token
	err := p.inOrg(ctx, p.read, ActSCIMTokenManage, cid, func(r storage.Repos, _ access, _ customer.Customer) error {
		var err error
		out, err = r.Org().Tokens(ctx, cid)
		return err
	})
	return out, err
}

// RevokeSCIMToken revokes a SCIM token of customer cid, which stops working
// at once, and records it in the audit log ("scim_token.revoked"). Callers
// as for CreateSCIMToken; NotFound for a token of another customer;
// FailedPrecondition for one already revoked.
func (p *Portal) RevokeSCIMToken(ctx context.Context, cid customer.ID, id hrsync.TokenID) (hrsync.Token, error) {
	var out hrsync.Token
	err := p.inOrg(ctx, p.write, ActSCIMTokenManage, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		t, err := r.Org().Token(ctx, id)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && t.CustomerID != cid) {
			return portalerr.New(portalerr.NotFound, "SCIM token %s not found", id)
		}
		if err != nil {
			return err
		}
		if t, err = t.Revoke(p.timestamp()); err != nil {
			return err
		}
		noteObject(r, string(t.ID))
		if err := r.Org().UpdateToken(ctx, t); err != nil {
			return err
		}
		out = t
		return p.record(ctx, r, a.who.Actor(), "scim_token.revoked", cid, string(t.ID), t)
	})
	return out, err
}

// SCIMCreateEmployee creates an employee of customer cid from what a SCIM
// client sent (POST /Users). A SCIM token of the customer may call it.
// Invalid for a record without an external ID (or user name) or name;
// AlreadyExists when an employee who has not left has its external ID or
// user name (SCIM's uniqueness error). A record that is not active makes
// an employee who has left at once.
func (p *Portal) SCIMCreateEmployee(ctx context.Context, cid customer.ID, rec hrsync.Record) (org.Employee, error) {
	rec, err := scimRecord(rec)
	if err != nil {
		return org.Employee{}, err
	}
	var out org.Employee
	err = p.inOrg(ctx, p.write, ActSCIMWrite, cid, func(r storage.Repos, _ access, c customer.Customer) error {
		for _, f := range []storage.EmployeeFilter{
			{CustomerID: cid, Current: true, ExternalID: rec.ExternalID},
			{CustomerID: cid, Current: true, Username: rec.Username},
		} {
			if f.ExternalID == "" && f.Username == "" {
				continue
			}
			l, err := r.Org().ListEmployees(ctx, f, storage.Page{Limit: 1})
			if err != nil {
				return err
			}
			if len(l.Items) > 0 {
				return portalerr.New(portalerr.AlreadyExists, "employee %s has this external ID or user name", l.Items[0].ID)
			}
		}
		now := p.timestamp()
		e := hrsync.Apply(org.Employee{ID: org.EmployeeID(p.ids.NewID(PrefixEmployee)), CustomerID: cid, Version: 1}, rec, scimSource, now)
		if err := p.placeEmployee(ctx, r, c, &e, rec); err != nil {
			return err
		}
		if rec.Inactive {
			e = e.Leave(0, now)
		}
		noteObject(r, string(e.ID))
		if err := r.Org().CreateEmployees(ctx, []org.Employee{e}); err != nil {
			return err
		}
		out = e
		return p.record(ctx, r, actorOf(ctx), "scim.employee.created", cid, string(e.ID), e)
	})
	return out, err
}

// SCIMReplaceEmployee replaces the synced fields of employee id of
// customer cid with what a SCIM client sent (PUT, or a PATCH applied to
// the employee as read). A record that is no longer active lets the
// employee leave: locked while it holds devices, else left; an active one
// brings an employee who left back. Callers and errors as for
// SCIMCreateEmployee; NotFound for an employee of another customer.
func (p *Portal) SCIMReplaceEmployee(ctx context.Context, cid customer.ID, id org.EmployeeID, rec hrsync.Record) (org.Employee, error) {
	rec, err := scimRecord(rec)
	if err != nil {
		return org.Employee{}, err
	}
	var out org.Employee
	err = p.inOrg(ctx, p.write, ActSCIMWrite, cid, func(r storage.Repos, _ access, c customer.Customer) error {
		e, err := getEmployee(ctx, r, cid, id)
		if err != nil {
			return err
		}
		now := p.timestamp()
		if rec.Inactive {
			next := hrsync.Apply(e, rec, scimSource, now)
			next.Status, next.LeftAt = e.Status, e.LeftAt
			if err := p.placeEmployee(ctx, r, c, &next, rec); err != nil {
				return err
			}
			if e.Status == org.StatusActive || e.Status == org.StatusLocked {
				held, err := r.Org().Held(ctx, cid)
				if err != nil {
					return err
				}
				next = next.Leave(held[id], now)
			}
			e = next
		} else {
			e = hrsync.Apply(e, rec, scimSource, now)
			if err := p.placeEmployee(ctx, r, c, &e, rec); err != nil {
				return err
			}
		}
		noteObject(r, string(id))
		if out, err = r.Org().ChangeEmployee(ctx, e); err != nil {
			return scimWriteErr(err, id)
		}
		return p.record(ctx, r, actorOf(ctx), "scim.employee.replaced", cid, string(id), out)
	})
	return out, err
}

// SCIMDeleteEmployee lets employee id of customer cid leave, as a SCIM
// client's DELETE asks: locked while it holds devices, else left (kept as
// history, never deleted). An employee who has left already stays as it
// is (identity providers delete users they deactivated before). Callers
// as for SCIMCreateEmployee.
func (p *Portal) SCIMDeleteEmployee(ctx context.Context, cid customer.ID, id org.EmployeeID) error {
	return p.inOrg(ctx, p.write, ActSCIMWrite, cid, func(r storage.Repos, _ access, _ customer.Customer) error {
		e, err := getEmployee(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if e.Status == org.StatusLeft {
			return nil
		}
		held, err := r.Org().Held(ctx, cid)
		if err != nil {
			return err
		}
		noteObject(r, string(id))
		gone, err := r.Org().ChangeEmployee(ctx, e.Leave(held[id], p.timestamp()))
		if err != nil {
			return scimWriteErr(err, id)
		}
		return p.record(ctx, r, actorOf(ctx), "scim.employee.deleted", cid, string(id), gone)
	})
}

// scimRecord checks a record a SCIM client sent: its user name stands in
// for a missing external ID.
func scimRecord(rec hrsync.Record) (hrsync.Record, error) {
	if strings.TrimSpace(rec.ExternalID) == "" {
		rec.ExternalID = rec.Username
	}
	if strings.TrimSpace(rec.Name) == "" {
		rec.Name = rec.Username
	}
	out, err := rec.Normalize()
	if err != nil {
		return rec, portalerr.New(portalerr.Invalid, "%s", err.Error())
	}
	return out, nil
}

// placeEmployee maps e's location to the customer's site of that name and
// stores the units rec names.
func (p *Portal) placeEmployee(ctx context.Context, r storage.Repos, c customer.Customer, e *org.Employee, rec hrsync.Record) error {
	sites, err := siteNames(ctx, r, c.ID)
	if err != nil {
		return err
	}
	e.SiteID = sites[strings.ToLower(e.Location)]
	units := hrsync.Units([]hrsync.Record{rec})
	for i := range units {
		units[i].UpdatedAt = p.timestamp()
	}
	return r.Org().PutUnits(ctx, c.ID, units)
}

func scimWriteErr(err error, id org.EmployeeID) error {
	switch {
	case errors.Is(err, storage.ErrConflict):
		return portalerr.New(portalerr.Conflict, "employee %s changed meanwhile; try again", id)
	case errors.Is(err, storage.ErrAlreadyExists):
		return portalerr.New(portalerr.AlreadyExists, "another employee has this external ID")
	}
	return err
}
