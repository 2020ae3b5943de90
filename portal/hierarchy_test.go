package portal_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// hierarchy is a primary customer with two sub-customers (one with a
// sub-customer of its own), and a second primary with one: each with a
// site, and the people who look at them.
type hierarchy struct {
	primary, north, south, deep, other, sibling customer.Customer
	sites                                       map[customer.ID]customer.Site
	primaryViewer, limitedViewer, northViewer   context.Context
}

func newHierarchy(t *testing.T, e env) hierarchy {
	t.Helper()
	h := hierarchy{sites: map[customer.ID]customer.Site{}}
	sub := func(name string, parent customer.ID) customer.Customer {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: name, ParentID: parent})
		require.NoError(t, err)
		h.sites[c.ID] = e.createSite(t, c.ID, name+" site")
		return c
	}
	h.primary = sub("Primary", "")
	h.north = sub("North", h.primary.ID)
	h.south = sub("South", h.primary.ID)
	h.deep = sub("Deep", h.north.ID)
	h.other = sub("Other", "")
	h.sibling = sub("Sibling", h.other.ID)
	as := func(m portal.Member) context.Context {
		return identity.NewContext(t.Context(), identity.User(m.Membership))
	}
	h.primaryViewer = as(e.addMember(t, h.primary.ID, "vic@primary.example", customer.RoleViewer))
	h.limitedViewer = as(e.addMember(t, h.primary.ID, "lim@primary.example", customer.RoleAdmin, h.sites[h.primary.ID].ID))
	h.northViewer = as(e.addMember(t, h.north.ID, "nina@north.example", customer.RoleAdmin))
	return h
}

// A primary customer's people see their sub-customers' sites, at any depth,
// read only; never a sibling's or the parent's.
func TestSubCustomerVisibility(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHierarchy(t, e)
		for _, c := range []customer.Customer{h.primary, h.north, h.south, h.deep} {
			got, err := e.p.GetCustomer(h.primaryViewer, c.ID)
			require.NoError(t, err, c.Name)
			assert.Equal(t, c.ID, got.ID)
			l, err := e.p.ListSites(h.primaryViewer, c.ID, portal.ListSitesParams{})
			require.NoError(t, err, c.Name)
			require.Len(t, l.Items, 1, c.Name)
			assert.Equal(t, h.sites[c.ID].ID, l.Items[0].ID)
			_, err = e.p.GetSite(h.primaryViewer, c.ID, h.sites[c.ID].ID)
			assert.NoError(t, err, c.Name)
		}
		for _, c := range []customer.Customer{h.other, h.sibling} {
			_, err := e.p.GetCustomer(h.primaryViewer, c.ID)
			assertCode(t, portalerr.NotFound, err, "another primary's "+c.Name)
			_, err = e.p.ListSites(h.primaryViewer, c.ID, portal.ListSitesParams{})
			assertCode(t, portalerr.NotFound, err, c.Name)
			_, err = e.p.GetSite(h.primaryViewer, c.ID, h.sites[c.ID].ID)
			assertCode(t, portalerr.NotFound, err, c.Name)
		}
		// A sub-customer's people see neither the parent nor a sibling.
		for _, c := range []customer.Customer{h.primary, h.south} {
			_, err := e.p.ListSites(h.northViewer, c.ID, portal.ListSitesParams{})
			assertCode(t, portalerr.NotFound, err, "the sub-customer's admin on "+c.Name)
		}
		l, err := e.p.ListSites(h.northViewer, h.deep.ID, portal.ListSitesParams{})
		require.NoError(t, err, "but its own sub-customer's")
		assert.Len(t, l.Items, 1)
		// A site of a sub-customer named under the primary is no site of it.
		_, err = e.p.GetSite(h.primaryViewer, h.primary.ID, h.sites[h.north.ID].ID)
		assertCode(t, portalerr.NotFound, err)

		// Read only: even the primary's admin changes nothing below it.
		admin := identity.NewContext(t.Context(), identity.User(e.addMember(t, h.primary.ID, "ada@primary.example", customer.RoleAdmin).Membership))
		_, err = e.p.ListMembers(admin, h.north.ID, portal.ListMembersParams{})
		assertCode(t, portalerr.NotFound, err, "members are not shown below")
		_, err = e.p.Invite(admin, h.north.ID, portal.InviteParams{Email: "x@north.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.NotFound, err, "nor invited")

		// A membership limited to some of the primary's sites sees no sub-customer's site.
		l, err = e.p.ListSites(h.limitedViewer, h.north.ID, portal.ListSitesParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items)
		_, err = e.p.GetSite(h.limitedViewer, h.north.ID, h.sites[h.north.ID].ID)
		assertCode(t, portalerr.NotFound, err)

		// The children of a customer the caller may see.
		kids, err := e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{ParentID: h.primary.ID})
		require.NoError(t, err)
		assert.ElementsMatch(t, []customer.ID{h.north.ID, h.south.ID}, customerIDs(kids.Items))
		_, err = e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{ParentID: h.other.ID})
		assertCode(t, portalerr.NotFound, err)
		own, err := e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Equal(t, []customer.ID{h.primary.ID}, customerIDs(own.Items), "without a parent: its own, as before")

		// A suspended sub-customer shows nothing.
		_, err = e.p.SuspendCustomer(e.owner, h.south.ID)
		require.NoError(t, err)
		_, err = e.p.ListSites(h.primaryViewer, h.south.ID, portal.ListSitesParams{})
		assertCode(t, portalerr.NotFound, err)
		kids, err = e.p.ListCustomers(h.primaryViewer, portal.ListCustomersParams{ParentID: h.primary.ID})
		require.NoError(t, err)
		assert.Equal(t, []customer.ID{h.north.ID}, customerIDs(kids.Items))
	})
}
