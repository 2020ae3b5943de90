package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func TestUpdateFeatures(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		up, err := e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version,
			FeaturesPatch: customer.FeaturesPatch{PreOrders: ptr(true)}})
		require.NoError(t, err)
		assert.True(t, up.Features.SupplierWarehouse)

		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: up.Version,
			FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: ptr(false)}})
		assertCode(t, portalerr.Invalid, err)
		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: up.Version,
			FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(true)}})
		assertCode(t, portalerr.LicenseRequired, err)
		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version,
			FeaturesPatch: customer.FeaturesPatch{Tickets: ptr(true)}})
		assertCode(t, portalerr.Conflict, err)

		f, err := e.p.GetFeatures(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, portal.FeaturesView{Features: up.Features, Version: up.Version}, f, "refused changes left the settings alone")
	})
}

func TestHRSyncWithEntitlement(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", Features: customer.FeaturesPatch{HRSync: ptr(true)}})
		require.NoError(t, err)
		assert.True(t, c.Features.HRSync)
	}, func(cfg *portal.Config) { cfg.Entitlements.HRSync = true })
}
