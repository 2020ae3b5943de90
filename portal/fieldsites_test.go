package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func TestSiteAddressAndLocation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		notes := " Ring at the gate "
		site, err := e.p.CreateSite(e.owner, c.ID, portal.SiteParams{Name: "Plant",
			Address:  &customer.Address{Line1: " Hafenstraße 14 ", PostalCode: "20457", City: "Hamburg", Region: "Hamburg", Country: "de"},
			Location: &customer.GeoPoint{Latitude: 53.5413, Longitude: 9.9841}, Notes: &notes})
		require.NoError(t, err)
		assert.Equal(t, customer.Address{Line1: "Hafenstraße 14", PostalCode: "20457", City: "Hamburg", Region: "Hamburg", Country: "DE"}, site.Address, "trimmed, country upper-cased")
		assert.Equal(t, &customer.GeoPoint{Latitude: 53.5413, Longitude: 9.9841}, site.Location)
		assert.Equal(t, "Ring at the gate", site.Notes)
		got, err := e.p.GetSite(e.owner, c.ID, site.ID)
		require.NoError(t, err)
		assert.Equal(t, site, got)

		bad := []struct {
			name   string
			params portal.SiteParams
			fields []string
		}{
			{"latitude", portal.SiteParams{Name: "Plant", Location: &customer.GeoPoint{Latitude: 90.5, Longitude: 0}}, []string{"location.latitude"}},
			{"longitude", portal.SiteParams{Name: "Plant", Location: &customer.GeoPoint{Latitude: 0, Longitude: -180.1}}, []string{"location.longitude"}},
			{"country", portal.SiteParams{Name: "Plant", Address: &customer.Address{Country: "XX"}}, []string{"address.country"}},
			{"clear and set", portal.SiteParams{Name: "Plant", Location: &customer.GeoPoint{}, ClearLocation: true}, []string{"clear_location"}},
		}
		for _, b := range bad {
			_, err := e.p.RenameSite(e.owner, c.ID, site.ID, b.params)
			assertCode(t, portalerr.Invalid, err, b.name)
			assert.Equal(t, b.fields, fieldsOf(err), b.name)
		}
		got, err = e.p.GetSite(e.owner, c.ID, site.ID)
		require.NoError(t, err)
		assert.Equal(t, site, got, "refused changes change nothing")

		kept, err := e.p.RenameSite(e.owner, c.ID, site.ID, portal.SiteParams{Name: "Plant 1"})
		require.NoError(t, err)
		assert.Equal(t, site.Address, kept.Address, "a change without an address keeps it")
		assert.Equal(t, site.Location, kept.Location)
		cleared, err := e.p.RenameSite(e.owner, c.ID, site.ID, portal.SiteParams{Name: "Plant 1", ClearLocation: true})
		require.NoError(t, err)
		assert.Nil(t, cleared.Location)
	})
}

func TestSiteSearch(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		ref := func(s string) *string { return &s }
		mk := func(name, city, extRef string) customer.Site {
			s, err := e.p.CreateSite(e.owner, c.ID, portal.SiteParams{Name: name, ExternalRef: ref(extRef), Address: &customer.Address{City: city}})
			require.NoError(t, err)
			return s
		}
		north := mk("North", "Hamburg", "FS-1")
		south := mk("South", "Munich", "FS-2")
		mk("East", "Berlin", "")
		names := func(q string) []string {
			l, err := e.p.ListSites(e.owner, c.ID, portal.ListSitesParams{Search: q})
			require.NoError(t, err)
			var out []string
			for _, s := range l.Items {
				out = append(out, s.Name)
			}
			return out
		}
		assert.Equal(t, []string{north.Name}, names("hamb"), "by city")
		assert.Equal(t, []string{south.Name}, names(" fs-2 "), "by reference, trimmed")
		assert.Equal(t, []string{north.Name, south.Name}, names("fs-"))
		assert.Equal(t, []string{"North", "South", "East"}, names(""))

		// A site-limited viewer searches within its sites only.
		viewer := e.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer, south.ID)
		l, err := e.p.ListSites(identity.NewContext(t.Context(), identity.User(viewer.Membership)), c.ID, portal.ListSitesParams{Search: "fs"})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, south.ID, l.Items[0].ID)
	})
}

func TestMoveSite(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		from := e.createCustomer(t, "Acme")
		to := e.createCustomer(t, "Globex")
		plant := e.createSite(t, from.ID, "Plant")
		office := e.createSite(t, from.ID, "Office")
		both := e.addMember(t, from.ID, "ann@acme.example", customer.RoleViewer, plant.ID, office.ID)
		alone := e.addMember(t, from.ID, "bob@acme.example", customer.RoleViewer, plant.ID)
		inv, err := e.p.Invite(e.owner, from.ID, portal.InviteParams{Email: "cy@acme.example", Role: customer.RoleViewer, SiteIDs: []customer.SiteID{office.ID}})
		require.NoError(t, err)

		_, err = e.p.MoveSite(e.owner, from.ID, plant.ID, portal.MoveSiteParams{To: to.ID})
		assertCode(t, portalerr.FailedPrecondition, err, "a membership limited to the site alone would reach every site")
		assert.Contains(t, portalerr.MessageOf(err), string(alone.ID))
		_, err = e.p.MoveSite(e.owner, from.ID, office.ID, portal.MoveSiteParams{To: to.ID})
		assertCode(t, portalerr.FailedPrecondition, err, "so would the pending invitation")
		assert.Contains(t, portalerr.MessageOf(err), string(inv.ID))

		_, err = e.p.MoveSite(e.owner, from.ID, plant.ID, portal.MoveSiteParams{To: from.ID})
		assertCode(t, portalerr.Invalid, err, "to its own customer")
		_, err = e.p.MoveSite(e.owner, from.ID, plant.ID, portal.MoveSiteParams{To: "cus_ghost"})
		assertCode(t, portalerr.NotFound, err)
		_, err = e.p.MoveSite(e.owner, to.ID, plant.ID, portal.MoveSiteParams{To: to.ID})
		assertCode(t, portalerr.NotFound, err, "a site is addressed through its own customer")
		e.createSite(t, to.ID, "PLANT")
		_, err = e.p.ChangeSites(e.owner, from.ID, alone.ID, portal.ChangeSitesParams{SiteIDs: []customer.SiteID{office.ID}})
		require.NoError(t, err)
		_, err = e.p.MoveSite(e.owner, from.ID, plant.ID, portal.MoveSiteParams{To: to.ID})
		assertCode(t, portalerr.AlreadyExists, err, "the new customer has a site of the name")
		_, err = e.p.MoveSite(e.owner, from.ID, plant.ID, portal.MoveSiteParams{To: to.ID, Version: plant.Version + 1})
		assertCode(t, portalerr.Conflict, err)

		other := e.createCustomer(t, "Initech")
		moved, err := e.p.MoveSite(e.owner, from.ID, plant.ID, portal.MoveSiteParams{To: other.ID, Version: plant.Version})
		require.NoError(t, err)
		assert.Equal(t, other.ID, moved.CustomerID)
		assert.Equal(t, plant.Version+1, moved.Version)
		_, err = e.p.GetSite(e.owner, from.ID, plant.ID)
		assertCode(t, portalerr.NotFound, err, "no longer the old customer's")
		got, err := e.p.GetSite(e.owner, other.ID, plant.ID)
		require.NoError(t, err)
		assert.Equal(t, moved, got)
		m, err := e.p.GetMember(e.owner, from.ID, both.ID)
		require.NoError(t, err)
		assert.Equal(t, []customer.SiteID{office.ID}, m.Membership.SiteIDs, "the membership's limit drops the moved site")
		viewer := identity.NewContext(t.Context(), identity.User(m.Membership))
		_, err = e.p.GetSite(viewer, other.ID, plant.ID)
		assertCode(t, portalerr.NotFound, err, "the old customer's people see it no more")
	})
}
