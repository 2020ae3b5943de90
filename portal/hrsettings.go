package portal

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// GetSyncSettings returns the customer's HR sync settings (the zero
// settings until someone sets them). Callers as for ListEmployees.
func (p *Portal) GetSyncSettings(ctx context.Context, cid customer.ID) (hrsync.Settings, error) {
	var out hrsync.Settings
	err := p.inOrg(ctx, p.read, ActOrgRead, cid, func(r storage.Repos, _ access, _ customer.Customer) error {
		var err error
		out, err = r.Org().SyncSettings(ctx, cid)
		return err
	})
	return out, err
}

// UpdateSyncSettingsParams are a customer's new HR sync settings, all of
// them.
type UpdateSyncSettingsParams struct {
	// Filter keeps only employees of these locations and/or departments in
	// every sync; the others count as not in the source, so stored ones
	// leave (locked or removed) at the next sync.
	Filter hrsync.Filter `json:"filter"`
	// InviteEmployees invites each employee a sync creates who has an
	// e-mail address as a viewer of the customer's portal.
	InviteEmployees bool `json:"invite_employees"`
}

// UpdateSyncSettings replaces the customer's HR sync settings; they apply
// from the next sync planned or applied. Callers as for StartSync;
// Invalid for a filter with more than hrsync.MaxFilterValues values in a
// list or a value longer than hrsync.MaxField.
func (p *Portal) UpdateSyncSettings(ctx context.Context, cid customer.ID, params UpdateSyncSettingsParams) (hrsync.Settings, error) {
	f := params.Filter.Normalize()
	if err := f.Validate(); err != nil {
		return hrsync.Settings{}, err
	}
	var out hrsync.Settings
	err := p.inOrg(ctx, p.write, ActHRSyncRun, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		out = hrsync.Settings{CustomerID: cid, Filter: f, InviteEmployees: params.InviteEmployees,
			UpdatedBy: a.who.Actor(), UpdatedAt: p.timestamp()}
		if err := r.Org().PutSyncSettings(ctx, out); err != nil {
			return err
		}
		return p.record(ctx, r, a.who.Actor(), "hr_sync.settings_updated", cid, string(cid), out)
	})
	return out, err
}

// inviteEmployees invites each employee in created with an e-mail address
// as a viewer of customer c, in r, through the invitation use case's own
// steps (the mail goes through the outbox), on behalf of actor. Someone
// already a member or invited is skipped, as is everyone while c is not
// active.
func (p *Portal) inviteEmployees(ctx context.Context, r storage.Repos, c customer.Customer, actor string, created []org.Employee) error {
	if !c.Active() {
		return nil
	}
	for _, e := range created {
		email, err := customer.NormalizeEmail(e.Email)
		if e.Email == "" || err != nil {
			continue
		}
		inv, err := p.createInvitation(ctx, r, c, invite.Invitation{Email: email, Role: customer.RoleViewer, InvitedBy: actor}, invite.DefaultInvitationTTL)
		if portalerr.CodeOf(err) == portalerr.AlreadyExists {
			continue
		}
		if err != nil {
			return err
		}
		if err := p.record(ctx, r, actor, "invitation.created", c.ID, string(inv.ID), inv); err != nil {
			return err
		}
	}
	return nil
}
