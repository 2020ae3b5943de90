package customer

import "github.com/portalkit/portalkit/portalerr"

// Features are a customer's portal settings. The zero value is not the
// default: use DefaultFeatures.
type Features struct {
	// OrderAuthorization lets the customer place orders; they land in the
	// provider's order inbox unless AutoConfirmOrders is on.
	OrderAuthorization bool `json:"order_authorization"`
	// AutoConfirmOrders confirms orders on submission. Needs OrderAuthorization.
	AutoConfirmOrders bool `json:"auto_confirm_orders"`
	// InheritGlobalPortfolio shows the provider's global portfolio next to the
	// customer's own offers; off, the customer sees only its own offers.
	InheritGlobalPortfolio bool `json:"inherit_global_portfolio"`
	// PreOrders allows pre-orders, stocked in the supplier warehouse and
	// retrieved later. Turning it on turns on SupplierWarehouse.
	PreOrders bool `json:"pre_orders"`
	// SupplierWarehouse keeps devices in the provider's warehouse for the
	// customer. It cannot be off while PreOrders is on.
	SupplierWarehouse bool `json:"supplier_warehouse"`
	// HRSync syncs the customer's org structure from its HR system. Paid: it
	// can be turned on only when the provider holds the hr_sync entitlement.
	HRSync bool `json:"hr_sync"`
	// Tickets enables structured support tickets.
	Tickets bool `json:"tickets"`
	// AccessLinks allows staff to create long-lived access links ("login via
	// link") for the customer's members. They are weaker than a sign-in, so
	// they are off unless the provider turns them on.
	AccessLinks bool `json:"access_links"`
	// Jobs, Visits and Pictures are the field-service live views: the
	// customer's people see the jobs at its sites, the technicians' visits
	// and the pictures taken there. Off, they see none of it, as if there
	// were nothing (not found), while the provider's system still pushes
	// it in.
	Jobs     bool `json:"jobs"`
	Visits   bool `json:"visits"`
	Pictures bool `json:"pictures"`
}

// A Feature names one switch of Features, as its JSON field does.
type Feature string

// The switches an action of the portal can depend on.
const (
	FeatureOrderAuthorization Feature = "order_authorization"
	FeatureSupplierWarehouse  Feature = "supplier_warehouse"
	FeatureAccessLinks        Feature = "access_links"
	FeatureTickets            Feature = "tickets"
	FeatureHRSync             Feature = "hr_sync"
	FeatureJobs               Feature = "jobs"
	FeatureVisits             Feature = "visits"
	FeaturePictures           Feature = "pictures"
)

// On reports whether feature is on; false for a name Features lacks.
func (f Features) On(feature Feature) bool {
	switch feature {
	case FeatureOrderAuthorization:
		return f.OrderAuthorization
	case FeatureSupplierWarehouse:
		return f.SupplierWarehouse
	case FeatureAccessLinks:
		return f.AccessLinks
	case FeatureTickets:
		return f.Tickets
	case FeatureHRSync:
		return f.HRSync
	case FeatureJobs:
		return f.Jobs
	case FeatureVisits:
		return f.Visits
	case FeaturePictures:
		return f.Pictures
	}
	return false
}

// CheckOn fails with FeatureDisabled, naming customer id and the switch,
// unless feature is on.
func (f Features) CheckOn(id ID, feature Feature) error {
	if f.On(feature) {
		return nil
	}
	return portalerr.New(portalerr.FeatureDisabled, "customer %s has %s off", id, feature)
}

// DefaultFeatures returns the settings of a new customer when none are given:
// everything off except InheritGlobalPortfolio.
func DefaultFeatures() Features {
	return Features{InheritGlobalPortfolio: true}
}

// FeaturesPatch changes some settings; nil fields stay as they are.
type FeaturesPatch struct {
	OrderAuthorization     *bool `json:"order_authorization,omitempty"`
	AutoConfirmOrders      *bool `json:"auto_confirm_orders,omitempty"`
	InheritGlobalPortfolio *bool `json:"inherit_global_portfolio,omitempty"`
	PreOrders              *bool `json:"pre_orders,omitempty"`
	SupplierWarehouse      *bool `json:"supplier_warehouse,omitempty"`
	HRSync                 *bool `json:"hr_sync,omitempty"`
	Tickets                *bool `json:"tickets,omitempty"`
	AccessLinks            *bool `json:"access_links,omitempty"`
	Jobs                   *bool `json:"jobs,omitempty"`
	Visits                 *bool `json:"visits,omitempty"`
	Pictures               *bool `json:"pictures,omitempty"`
}

// Entitlements are the paid capabilities the provider holds.
type Entitlements struct {
	// HRSync allows customers' hr_sync feature to be turned on.
	HRSync bool
}

// Apply returns f changed by p, following the rules of the settings:
//
//   - turning pre_orders on turns supplier_warehouse on;
//   - supplier_warehouse cannot be off while pre_orders is on (Invalid);
//   - auto_confirm_orders needs order_authorization (Invalid);
//   - hr_sync can be turned on only with ent.HRSync (LicenseRequired).
//
// On error f is unchanged and nothing is applied.
func (f Features) Apply(p FeaturesPatch, ent Entitlements) (Features, error) {
	next := f
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&next.OrderAuthorization, p.OrderAuthorization)
	set(&next.AutoConfirmOrders, p.AutoConfirmOrders)
	set(&next.InheritGlobalPortfolio, p.InheritGlobalPortfolio)
	set(&next.PreOrders, p.PreOrders)
	set(&next.SupplierWarehouse, p.SupplierWarehouse)
	set(&next.HRSync, p.HRSync)
	set(&next.Tickets, p.Tickets)
	set(&next.AccessLinks, p.AccessLinks)
	set(&next.Jobs, p.Jobs)
	set(&next.Visits, p.Visits)
	set(&next.Pictures, p.Pictures)

	if next.HRSync && !f.HRSync && !ent.HRSync {
		return f, &portalerr.Error{
			Code:    portalerr.LicenseRequired,
			Message: "hr_sync is a paid feature and the provider holds no hr_sync entitlement",
			Fields:  []portalerr.FieldViolation{{Field: "hr_sync", Message: "needs the provider's hr_sync entitlement"}},
		}
	}
	if p.PreOrders != nil && *p.PreOrders && p.SupplierWarehouse == nil {
		next.SupplierWarehouse = true
	}
	var bad []portalerr.FieldViolation
	if next.PreOrders && !next.SupplierWarehouse {
		bad = append(bad, portalerr.FieldViolation{Field: "supplier_warehouse", Message: "cannot be off while pre_orders is on"})
	}
	if next.AutoConfirmOrders && !next.OrderAuthorization {
		field := "auto_confirm_orders"
		if p.OrderAuthorization != nil && p.AutoConfirmOrders == nil {
			field = "order_authorization"
		}
		bad = append(bad, portalerr.FieldViolation{Field: field, Message: "auto_confirm_orders needs order_authorization"})
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return f, err
	}
	return next, nil
}
