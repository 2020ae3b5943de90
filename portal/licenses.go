package portal

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// LicensesView is a customer's licenses with what they mean now: Effective
// holds the capabilities the customer has, given the provider-wide
// default of Config.Entitlements.
type LicensesView struct {
	customer.Licenses
	Effective customer.Entitlements
	// Default is the provider-wide default the GrantDefault grants follow.
	Default customer.Entitlements
}

// GetLicenses returns a customer's licenses. Staff may call it; NotFound
// for a customer that does not exist.
func (p *Portal) GetLicenses(ctx context.Context, cid customer.ID) (LicensesView, error) {
	var out LicensesView
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActLicenseRead, cid, "")
		if err != nil {
			return err
		}
		if _, err := a.customerOf(ctx, r, cid); err != nil {
			return err
		}
		out, err = p.licensesOf(ctx, r, cid)
		return err
	})
	return out, err
}

// UpdateLicensesParams change a customer's licenses.
type UpdateLicensesParams struct {
	// HRSync grants or revokes the hr_sync capability, or returns the
	// customer to the provider default.
	HRSync customer.Grant `json:"hr_sync" validate:"required,oneof=default granted revoked"`
}

// UpdateLicenses changes a customer's licenses and records it in the
// audit log ("license.updated"). Staff owners may call it: licences are
// paid for. Invalid for an unknown grant; FailedPrecondition when it would
// withdraw hr_sync while the customer's hr_sync feature is on; NotFound for
// a customer that does not exist.
func (p *Portal) UpdateLicenses(ctx context.Context, cid customer.ID, params UpdateLicensesParams) (LicensesView, error) {
	if err := validStruct(params); err != nil {
		return LicensesView{}, err
	}
	var out LicensesView
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActLicenseManage, cid, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		cur, err := r.Licenses().Get(ctx, cid)
		if err != nil {
			return err
		}
		next, err := cur.Change(params.HRSync, c.Features, p.ent)
		if err != nil {
			return err
		}
		next.UpdatedBy, next.UpdatedAt = a.who.Actor(), p.timestamp()
		noteObject(r, string(cid))
		if err := r.Licenses().Put(ctx, next); err != nil {
			return err
		}
		out = p.licensesView(next)
		return p.record(ctx, r, a.who.Actor(), "license.updated", cid, "hr_sync:"+string(next.HRSync), out)
	})
	return out, err
}

// licensesOf returns the licenses of customer cid as stored in r.
func (p *Portal) licensesOf(ctx context.Context, r storage.Repos, cid customer.ID) (LicensesView, error) {
	l, err := r.Licenses().Get(ctx, cid)
	if err != nil {
		return LicensesView{}, err
	}
	return p.licensesView(l), nil
}

func (p *Portal) licensesView(l customer.Licenses) LicensesView {
	return LicensesView{Licenses: l, Effective: l.Entitlements(p.ent), Default: p.ent}
}
