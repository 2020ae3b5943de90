package webui_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/portal"
)

// TestBrowserAccessRequests walks two requests for access in Chromium:
// one from the public form through the e-mail confirmation to a new
// customer whose first admin signs in, and one rejected, whose message
// arrives. Every page loaded is checked with axe-core.
func TestBrowserAccessRequests(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	boot, err := s.p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga Owner"})
	require.NoError(t, err)
	staffTab := s.newVisitor(t, "olga (staff owner)")
	peterTab := s.newVisitor(t, "peter (requester, German)", speaking("de-DE,de"))
	samTab := s.newVisitor(t, "sam (requester)")
	var requestPath string
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("a requester asks for access on the public form and confirms the address", func(t *testing.T) {
		peter := peterTab.in(t)
		peter.open("/signin")
		peter.click(`main a[href="/request-access"]`)
		assert.Equal(t, "Zugang anfragen", peter.text(`h1`))
		peter.typeInto(`input[name=company_name]`, "Initech GmbH")
		peter.typeInto(`input[name=vat_id]`, "DE 123 456 789")
		peter.typeInto(`input[name=website]`, "initech.example")
		peter.typeInto(`input[name=name]`, "Peter Gibbons")
		peter.typeInto(`input[name=email]`, "peter@initech.example")
		peter.typeInto(`textarea[name=message]`, "Wir mieten 40 Laptops.")
		assert.Equal(t, "de", eval[string](peter, `document.querySelector("select[name=language]").value`), "the page's language is the default")
		peter.click(`main form button`)
		peter.requireStatus(200)
		assert.Contains(t, peter.text(`.notice`), "24 Stunden")

		l, err := s.p.ListAccessRequests(s.staff, portal.ListAccessRequestsParams{Status: accessrequest.StatusPending})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "unconfirmed: the provider does not see it yet")

		m := s.lastMail(t, "peter@initech.example", portal.NotifyAccessRequestConfirm)
		assert.Contains(t, m.Subject, "Zugangsanfrage")
		peter.open(m.Link)
		assert.Equal(t, "/request-access/confirm", peter.location().Path)
		assert.Empty(t, peter.location().RawQuery, "the token leaves the address bar")
		peter.click(`main form button`)
		peter.requireStatus(200)
		assert.Contains(t, peter.text(`main`), "bestätigt")
	})

	step("staff see the pending request and connect it to a new customer", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
		staff.click(`main form button`)
		staff.requireStatus(200)
		assert.Equal(t, "1", staff.text(`.top nav a[href="/console/access-requests"] .badge`), "the pending count")
		staff.click(`.top nav a[href="/console/access-requests"]`)
		staff.click(`main table a`)
		requestPath = staff.location().Path
		require.Regexp(t, `^/console/access-requests/acr_`, requestPath)
		assert.Contains(t, staff.text(`main`), "peter@initech.example")

		form := `form[action$="/connect-new"] `
		assert.Equal(t, "Initech GmbH", eval[string](staff, `document.querySelector('`+form+`input[name=name]').value`), "prefilled from the request")
		staff.typeInto(form+`input[name=name]`, "Initech AG")
		staff.typeInto(form+`input[name=city]`, "Berlin")
		staff.tick(form + `input[name=tickets]`)
		staff.typeInto(form+`textarea[name=new_message]`, "Willkommen bei uns!")
		staff.click(form + `button`)
		staff.requireStatus(200)
		assert.Equal(t, requestPath, staff.location().Path)
		assert.Contains(t, staff.text(`.notice`), "The requester is invited.")
		assert.Contains(t, staff.text(`main`), "staff:")
		assert.False(t, staff.has(`.top nav a[href="/console/access-requests"] .badge`), "nothing pending any more")
	})

	step("the requester accepts the invitation and signs in as the new customer's admin", func(t *testing.T) {
		peter := peterTab.in(t)
		m := s.lastMail(t, "peter@initech.example", portal.NotifyInvitation)
		assert.Contains(t, m.Text, "Willkommen bei uns!")
		assert.Contains(t, m.Subject, "Einladung", "in the requester's language")
		peter.open(m.Link)
		assert.Equal(t, "/accept", peter.location().Path)
		peter.typeInto(`input[name=name]`, "Peter Gibbons")
		peter.click(`main form button`)
		peter.requireStatus(200)
		assert.Equal(t, "/", peter.location().Path)
		who := peter.text(`.who`)
		assert.Contains(t, who, "Peter Gibbons")
		assert.Contains(t, who, "Initech AG")
		assert.Contains(t, who, "Admin")
		me, err := s.p.ListCustomers(s.staff, portal.ListCustomersParams{Search: "Initech AG"})
		require.NoError(t, err)
		require.Len(t, me.Items, 1)
		assert.True(t, me.Items[0].Features.Tickets, "the feature chosen")
		assert.Equal(t, "Berlin", me.Items[0].Address.City)
	})

	step("another request is rejected and its message arrives", func(t *testing.T) {
		sam := samTab.in(t)
		sam.open("/request-access")
		sam.typeInto(`input[name=company_name]`, "Sam's Shop")
		sam.typeInto(`input[name=name]`, "Sam Small")
		sam.typeInto(`input[name=email]`, "sam@shop.example")
		sam.choose(`select[name=language]`, "en")
		sam.click(`main form button`)
		sam.requireStatus(200)
		m := s.lastMail(t, "sam@shop.example", portal.NotifyAccessRequestConfirm)
		sam.open(m.Link)
		sam.click(`main form button`)
		sam.requireStatus(200)

		staff := staffTab.in(t)
		staff.open("/console/access-requests")
		assert.Contains(t, staff.text(`main table`), "Sam's Shop")
		staff.click(`main table a`)
		staff.typeInto(`form[action$="/reject"] textarea[name=reject_message]`, "We only serve companies with more than 50 employees.")
		staff.click(`form[action$="/reject"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`.notice`), "rejected")

		m = s.lastMail(t, "sam@shop.example", portal.NotifyAccessRequestRejected)
		assert.Contains(t, m.Text, "We only serve companies with more than 50 employees.")
		assert.Contains(t, m.Subject, "Your request for access")
		l, err := s.p.ListAccessRequests(s.staff, portal.ListAccessRequestsParams{Status: accessrequest.StatusRejected})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, "We only serve companies with more than 50 employees.", l.Items[0].Decision.Message)
	})
}
