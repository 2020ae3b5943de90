package portal

import (
	"context"
	"slices"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

// MeInfo is who the caller is and what it may do.
type MeInfo struct {
	Principal identity.Principal
	// Staff is set for a staff member stored in the portal (a principal
	// from an application's own Authenticator may name none).
	Staff identity.StaffMember
	// Impersonator is the staff member acting as the user in an
	// impersonation, for the banner that names them.
	Impersonator identity.StaffMember
	// User, Membership and CustomerName are set for customer users.
	User         customer.User
	Membership   customer.Membership
	CustomerName string
	// Branding is the look of the caller's portal: its customer's, each
	// field falling back to the provider's; the provider's for staff.
	Branding Branding
	// Actions lists what the caller may do now, sorted; a user's actions
	// apply within its own customer (and its sites, when limited).
	Actions []Action
}

// Me returns the caller and the actions the policy allows it. Any
// authenticated caller may call it; a customer user whose membership,
// account or customer is no longer active gets the error every other use
// case would give.
func (p *Portal) Me(ctx context.Context) (MeInfo, error) {
	var out MeInfo
	err := p.read(ctx, func(r storage.Repos) error {
		who, ok := identity.FromContext(ctx)
		if !ok {
			return errNoPrincipal
		}
		out.Principal = who
		out.Branding = p.providerBranding()
		if who.Kind == identity.KindStaff {
			m, err := r.Staff().Get(ctx, identity.StaffID(who.ID))
			if err = ignoreNotFound(err); err != nil {
				return err
			}
			out.Staff = m
		}
		if who.Impersonator != "" {
			m, err := r.Staff().Get(ctx, who.Impersonator)
			if err = ignoreNotFound(err); err != nil {
				return err
			}
			out.Impersonator = m
		}
		// One read of the caller's standing; each rule is then decided
		// in memory, as authorize would decide it.
		permits := func(rule Rule) bool { return staffPermits(who, rule) == nil }
		if who.Kind == identity.KindUser {
			// Any customer role reads its customer: the one rule every
			// user principal passes, a staff member acting as one too.
			a, err := p.authorize(ctx, r, ActCustomerRead, "", "")
			if err != nil {
				return err
			}
			out.Membership, out.User, out.CustomerName = a.membership, a.person, a.customer.Name
			out.Branding = p.brandingOf(a.customer)
			permits = func(rule Rule) bool { return userPermits(who, rule, a.membership, a.customer) == nil }
		}
		for act, rule := range policy {
			if permits(rule) {
				out.Actions = append(out.Actions, act)
			}
		}
		slices.Sort(out.Actions)
		return nil
	})
	return out, err
}

// Ping reports whether the storage backend can reach its database. It
// needs no principal. A database that answers may still refuse writes:
// readiness probes want Ready, which also commits one.
func (p *Portal) Ping(ctx context.Context) error {
	return p.store.Ping(ctx)
}
