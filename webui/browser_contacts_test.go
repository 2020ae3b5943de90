package webui_test

import (
	"context"
	"net/url"
	"path"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// TestBrowserContacts walks a contact person in Chromium: staff keep her
// in the customer's record with two addresses, give her portal access,
// she accepts and signs in, and staff correct her e-mail address, which
// takes effect once she confirms it. Every page is checked with axe-core.
func TestBrowserContacts(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	boot, err := s.p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga Owner"})
	require.NoError(t, err)
	acme, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Acme GmbH"})
	require.NoError(t, err)
	staffTab, janeTab := s.newVisitor(t, "olga (staff owner)"), s.newVisitor(t, "jane (contact)")
	var contactPath string
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("staff keep a contact with two addresses and give her portal access", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
		staff.click(`main form button`)
		staff.open("/console/customers/" + string(acme.ID))
		staff.click(`main nav a[href$="/contacts"]`)
		staff.typeInto(`input[name=name]`, "Jane Doe")
		staff.typeInto(`input[name=email]`, "jane@acme.example")
		staff.typeInto(`input[name=job_title]`, "Head of purchasing")
		staff.typeInto(`input[name=addr_label_0]`, "Office")
		staff.typeInto(`input[name=addr_city_0]`, "Hamburg")
		staff.click(`main form.card button`)
		staff.requireStatus(200)
		contactPath = staff.location().Path
		require.Regexp(t, `/contacts/con_`, contactPath)
		// A second address, made the primary one.
		staff.typeInto(`input[name=addr_label_1]`, "Invoices")
		staff.typeInto(`input[name=addr_city_1]`, "Bremen")
		staff.check(`input[name=primary][value="1"]`)
		staff.click(`form[action$="/save"] button`)
		staff.requireStatus(200)
		id := customer.ContactID(path.Base(contactPath))
		c, err := s.p.GetContact(s.staff, acme.ID, id)
		require.NoError(t, err)
		require.Len(t, c.Addresses, 2)
		assert.True(t, c.Addresses[1].Primary)

		staff.choose(`form[action$="/access"] select[name=role]`, "maintainer")
		staff.click(`form[action$="/access"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main`), "invited to the portal")
	})

	step("the contact accepts and signs in", func(t *testing.T) {
		jane := janeTab.in(t)
		m := s.lastMail(t, "jane@acme.example", portal.NotifyInvitation)
		jane.open(m.Link)
		jane.typeInto(`input[name=name]`, "Jane Doe")
		jane.click(`main form button`)
		jane.requireStatus(200)
		assert.Contains(t, jane.text(`.who`), "Acme GmbH")
		staff := staffTab.in(t)
		staff.open(contactPath)
		assert.Contains(t, staff.text(`main`), "signs in to the portal")
	})

	step("staff correct her e-mail address, which she confirms", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open("/console/customers/" + string(acme.ID) + "/members")
		staff.click(`main table a[href$="/person"]`)
		staff.typeInto(`input[name=email]`, "jane.doe@acme.example")
		staff.click(`main form.card button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`.notice`), "once it is confirmed")
		assert.Contains(t, staff.text(`main dl`), "jane.doe@acme.example")

		jane := janeTab.in(t)
		m := s.lastMail(t, "jane.doe@acme.example", portal.NotifyEmailChange)
		jane.open(m.Link)
		assert.Empty(t, jane.location().RawQuery, "the token leaves the address bar")
		jane.click(`main form button`)
		jane.requireStatus(200)
		assert.Contains(t, jane.text(`main`), "in effect")
		l, err := s.p.ListMembers(s.staff, acme.ID, portal.ListMembersParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, "jane.doe@acme.example", l.Items[0].User.Email)
	})
}
