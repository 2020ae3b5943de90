package portal_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func TestSites(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		other := e.createCustomer(t, "Globex")
		hq := e.createSite(t, c.ID, "HQ")
		_, err := e.p.CreateSite(e.owner, c.ID, portal.SiteParams{Name: "hq"})
		assertCode(t, portalerr.AlreadyExists, err, "names are unique per customer, ignoring case")
		e.createSite(t, other.ID, "HQ") // another customer may use the name
		_, err = e.p.CreateSite(e.owner, c.ID, portal.SiteParams{Name: " "})
		assertCode(t, portalerr.Invalid, err)
		_, err = e.p.ListSites(e.owner, c.ID, portal.ListSitesParams{Limit: 101})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"limit"}, fieldsOf(err))

		plant := e.createSite(t, c.ID, "Plant")
		_, err = e.p.RenameSite(e.owner, c.ID, plant.ID, portal.SiteParams{Name: "HQ"})
		assertCode(t, portalerr.AlreadyExists, err)
		renamed, err := e.p.RenameSite(e.owner, c.ID, plant.ID, portal.SiteParams{Name: "Plant 1", Version: plant.Version})
		require.NoError(t, err)
		_, err = e.p.RenameSite(e.owner, c.ID, plant.ID, portal.SiteParams{Name: "Plant 2", Version: plant.Version})
		assertCode(t, portalerr.Conflict, err, "a stale version")
		assert.Equal(t, "Plant 1", renamed.Name)
		assert.Equal(t, plant.Version+1, renamed.Version)

		_, err = e.p.RenameSite(e.owner, other.ID, plant.ID, portal.SiteParams{Name: "Stolen"})
		assertCode(t, portalerr.NotFound, err, "a site is addressed through its own customer")

		e.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		holder := e.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer, hq.ID)
		err = e.p.DeleteSite(e.owner, c.ID, hq.ID)
		assertCode(t, portalerr.FailedPrecondition, err)
		assert.Contains(t, portalerr.MessageOf(err), string(holder.ID), "says what holds the site")
		_, err = e.p.GetSite(e.owner, c.ID, hq.ID)
		require.NoError(t, err, "the site is still there")

		_, err = e.p.ChangeSites(e.owner, c.ID, holder.ID, portal.ChangeSitesParams{SiteIDs: []customer.SiteID{plant.ID}})
		require.NoError(t, err)
		require.NoError(t, e.p.DeleteSite(e.owner, c.ID, hq.ID))
		_, err = e.p.GetSite(e.owner, c.ID, hq.ID)
		assertCode(t, portalerr.NotFound, err)
		assertCode(t, portalerr.NotFound, e.p.DeleteSite(e.owner, c.ID, hq.ID))
	})
}

func TestSiteExternalRef(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		ref := func(s string) *string { return &s }
		site, err := e.p.CreateSite(e.owner, c.ID, portal.SiteParams{Name: "Plant", ExternalRef: ref(" ERP-4711 ")})
		require.NoError(t, err)
		assert.Equal(t, "ERP-4711", site.ExternalRef, "trimmed")

		got, err := e.p.GetSite(e.owner, c.ID, site.ID)
		require.NoError(t, err)
		assert.Equal(t, "ERP-4711", got.ExternalRef, "stored")

		renamed, err := e.p.RenameSite(e.owner, c.ID, site.ID, portal.SiteParams{Name: "Plant 1"})
		require.NoError(t, err)
		assert.Equal(t, "ERP-4711", renamed.ExternalRef, "a rename without a reference keeps it")

		cleared, err := e.p.RenameSite(e.owner, c.ID, site.ID, portal.SiteParams{Name: "Plant 1", ExternalRef: ref("")})
		require.NoError(t, err)
		assert.Empty(t, cleared.ExternalRef, "an empty reference clears it")

		_, err = e.p.RenameSite(e.owner, c.ID, site.ID, portal.SiteParams{Name: "Plant 1", ExternalRef: ref(strings.Repeat("x", 101))})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"external_ref"}, fieldsOf(err))
		got, err = e.p.GetSite(e.owner, c.ID, site.ID)
		require.NoError(t, err)
		assert.Equal(t, cleared, got, "a refused change changes nothing")
	})
}
