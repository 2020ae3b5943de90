package portal

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// FeaturesView is a customer's portal settings with the customer version
// they belong to: features are part of the customer, so that version is
// what UpdateFeaturesParams.Version (and an HTTP ETag) names.
type FeaturesView struct {
	customer.Features
	Version int64
}

// GetFeatures returns a customer's portal settings. Staff may read any
// customer's; a customer user only its own.
func (p *Portal) GetFeatures(ctx context.Context, id customer.ID) (FeaturesView, error) {
	var out FeaturesView
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActFeaturesRead, id, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, id)
		out = FeaturesView{Features: c.Features, Version: c.Version}
		return err
	})
	return out, err
}

// UpdateFeaturesParams change some of a customer's portal settings; nil
// fields stay as they are. Version must be the customer's version the caller
// read (features are part of the customer).
type UpdateFeaturesParams struct {
	Version int64 `json:"version" validate:"required,min=1"`
	customer.FeaturesPatch
}

// UpdateFeatures changes a customer's portal settings following the rules of
// customer.Features.Apply: Invalid for settings that contradict each other,
// LicenseRequired for hr_sync without the customer's licence (UpdateLicenses;
// by default the provider's entitlement), Conflict
// for a stale version, FailedPrecondition for an archived customer, and for
// turning supplier_warehouse off while the customer still holds items in the
// warehouse (in stock or issued), naming how many. Staff admins and owners
// may call it. It returns the customer as stored.
func (p *Portal) UpdateFeatures(ctx context.Context, id customer.ID, params UpdateFeaturesParams) (customer.Customer, error) {
	if err := validStruct(params); err != nil {
		return customer.Customer{}, err
	}
	var out customer.Customer
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActFeaturesUpdate, id, "")
		if err != nil {
			return err
		}
		lic, err := p.licensesOf(ctx, r, id)
		if err != nil {
			return err
		}
		var old customer.Features
		out, err = r.Customers().Update(ctx, id, func(c *customer.Customer) error {
			old = c.Features
			if err := checkVersion("customer", c.Version, params.Version); err != nil {
				return err
			}
			if err := c.CheckNotArchived(); err != nil {
				return err
			}
			f, err := c.Features.Apply(params.FeaturesPatch, lic.Effective)
			if err != nil {
				return err
			}
			// Supplier warehouse: not off while stock is held (stock.go).
			if c.Features.SupplierWarehouse && !f.SupplierWarehouse {
				if err := checkNoStockHeld(ctx, r, id); err != nil {
					return err
				}
			}
			c.Features = f
			c.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return notFoundAs(err, errCustomerNotFound(id))
		}
		return p.recordDiff(ctx, r, a, "customer.features_updated", id, string(id), old, out.Features, out)
	})
	return out, err
}
