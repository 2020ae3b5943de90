package webui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/ticket"
)

// TestServiceDeskWorksATicket takes a damage case through the console:
// an internal note, in progress, a public reply, resolved; the customer's
// maintainer then sees the reply and the status but not the note.
func TestServiceDeskWorksATicket(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	desk := s.browser(t, key.Token)
	base := "/console/customers/" + string(s.a.c.ID) + "/tickets/" + string(s.a.ticket.ID)
	version := func() string {
		got, err := s.p.GetTicket(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID)
		require.NoError(t, err)
		return fmt.Sprint(got.Version)
	}

	pg := desk.post(base+"/comments", url.Values{"visibility": {"internal"}, "body": {"Second note: replacement ordered"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = desk.post(base+"/status", url.Values{"version": {version()}, "status": {"in_progress"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = desk.post(base+"/status", url.Values{"version": {"1"}, "status": {"resolved"}})
	assert.Equal(t, http.StatusConflict, pg.status, "a stale version")
	pg = desk.post(base+"/comments", url.Values{"visibility": {"public"}, "body": {"A new screen is on its way."}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = desk.post(base+"/status", url.Values{"version": {version()}, "status": {"resolved"}, "note": {"replaced"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = desk.post(base+"/status", url.Values{"version": {version()}, "status": {"in_progress"}})
	assert.Equal(t, http.StatusConflict, pg.status, "the status machine refuses resolved → in progress")

	got, err := s.p.GetTicket(portaltest.Owner(t.Context()), s.a.c.ID, s.a.ticket.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusResolved, got.Status)

	pg = s.browser(t, s.a.users[customer.RoleMaintainer].token).get("/tickets/" + string(s.a.ticket.ID))
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, "A new screen is on its way.")
	assert.Contains(t, pg.body, "Resolved")
	assert.NotContains(t, pg.body, "replacement ordered")
	assert.NotContains(t, pg.body, internalNote)
}

// TestServiceDeskAppliesMasterData accepts a customer's change of its
// master data from the console: it changes the customer once, and a second
// try changes nothing.
func TestServiceDeskAppliesMasterData(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	maint := s.browser(t, s.a.users[customer.RoleMaintainer].token)
	pg := maint.post("/tickets", url.Values{"type": {ticket.TypeMasterDataChange}, "subject": {"We moved"}, "field.address_city": {"Hamburg"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	tks, err := s.p.ListTickets(portaltest.Owner(t.Context()), s.a.c.ID, portal.ListTicketsParams{Type: ticket.TypeMasterDataChange, Limit: 10})
	require.NoError(t, err)
	require.Len(t, tks.Items, 1)
	tk := tks.Items[0]

	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	desk := s.browser(t, key.Token)
	base := "/console/customers/" + string(s.a.c.ID) + "/tickets/" + string(tk.ID)
	pg = desk.get(base)
	require.Equal(t, http.StatusOK, pg.status)
	require.Contains(t, pg.body, base+"/apply", "the desk is offered to apply it")
	before, err := s.p.GetCustomer(portaltest.Owner(t.Context()), s.a.c.ID)
	require.NoError(t, err)
	form := url.Values{"version": {fmt.Sprint(tk.Version)}, "customer_version": {fmt.Sprint(before.Version)}, "resolve": {"1"}}
	pg = desk.post(base+"/apply", form)
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	after, err := s.p.GetCustomer(portaltest.Owner(t.Context()), s.a.c.ID)
	require.NoError(t, err)
	assert.Equal(t, "Hamburg", after.Address.City)
	assert.Equal(t, before.Version+1, after.Version, "changed once")

	pg = desk.post(base+"/apply", form)
	assert.NotEqual(t, http.StatusSeeOther, pg.status, "a second apply is refused")
	again, err := s.p.GetCustomer(portaltest.Owner(t.Context()), s.a.c.ID)
	require.NoError(t, err)
	assert.Equal(t, after.Version, again.Version, "nothing changed")
	assert.NotContains(t, desk.get(base).body, base+"/apply", "no longer offered")
}

// TestConsoleServiceDeskCapability puts a staff member on the service
// desk from the staff page: only then may they work the queue.
func TestConsoleServiceDeskCapability(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	owner := portaltest.Owner(t.Context())
	m, err := s.p.InviteStaff(owner, portal.InviteStaffParams{Email: "sue@provider.example", Name: "Sue", Role: identity.StaffAgent})
	require.NoError(t, err)
	mail, ok := s.mail.Last("sue@provider.example")
	require.True(t, ok)
	in, err := s.p.SignInStaffWithLoginLink(t.Context(), mail.Token)
	require.NoError(t, err)
	sue := s.browser(t, in.Token)
	pg := sue.get("/console/tickets")
	assert.Equal(t, http.StatusForbidden, pg.status, "not on the service desk")

	key, err := s.p.CreateAPIKey(owner, portal.CreateAPIKeyParams{Name: "admin", Role: identity.StaffAdmin})
	require.NoError(t, err)
	got, err := s.p.GetStaff(owner, m.ID)
	require.NoError(t, err)
	pg = s.browser(t, key.Token).post("/console/staff/"+string(m.ID)+"/service-desk", url.Values{"version": {fmt.Sprint(got.Version)}, "on": {"true"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = sue.get("/console/tickets")
	assert.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, s.a.ticket.Number.String())
}

// TestServiceDeskMailLinkOpensTheTicket follows the link of the mail a
// new ticket sends the service desk.
func TestServiceDeskMailLinkOpensTheTicket(t *testing.T) {
	t.Parallel()
	s := newSiteWith(t, func(c *portal.Config) { c.ServiceDeskEmail = "desk@provider.example" })
	tk, err := s.p.OpenTicket(portaltest.As(t.Context(), mustPrincipal(t, s.p, s.a.users[customer.RoleMaintainer].token)), s.a.c.ID,
		portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Printer on fire"})
	require.NoError(t, err)
	m, ok := s.mail.Last("desk@provider.example")
	require.True(t, ok)
	u, err := url.Parse(m.Link)
	require.NoError(t, err)
	require.Equal(t, "/console/tickets/"+string(tk.ID), u.Path)

	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	pg := s.browser(t, key.Token).get(u.Path)
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, "/console/customers/"+string(s.a.c.ID)+"/tickets/"+string(tk.ID), pg.location)
	pg = s.browser(t, s.a.users[customer.RoleAdmin].token).get(u.Path)
	assert.Equal(t, http.StatusSeeOther, pg.status)
	assert.Equal(t, "/", pg.location, "a customer user is sent away from the console")
}

// consoleTicketForm is a form of the console's ticket page, by the policy
// action that rules it; form brings the fixture into the state the form
// needs and returns the ticket to send it for and the form's values (nil
// for an upload of a picture).
type consoleTicketForm struct {
	act    string
	action portal.Action
	form   func(t *testing.T) (ticket.ID, url.Values)
}

// TestConsoleTicketForms sends every form of the console's ticket page as
// each kind of staff: the policy (what Me offers) decides between success
// (a redirect) and 403 with nothing changed, and the page offers a form
// only to those who may send it. Every form the service desk is offered,
// in any state of a ticket, must be in the matrix.
func TestConsoleTicketForms(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	owner := portaltest.Owner(t.Context())
	desk := portaltest.As(t.Context(), identity.APIKeyPrincipal("key_desk", identity.StaffAgent))
	key, err := s.p.CreateAPIKey(owner, portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	signIn := func(email string, role identity.StaffRole, onDesk bool) (identity.StaffID, string) {
		m, err := s.p.InviteStaff(owner, portal.InviteStaffParams{Email: email, Name: email, Role: role})
		require.NoError(t, err)
		if onDesk {
			_, err = s.p.UpdateStaff(owner, m.ID, portal.UpdateStaffParams{Version: m.Version, ServiceDesk: ptrTo(true)})
			require.NoError(t, err)
		}
		mail, ok := s.mail.Last(email)
		require.True(t, ok)
		in, err := s.p.SignInStaffWithLoginLink(t.Context(), mail.Token)
		require.NoError(t, err)
		return m.ID, in.Token
	}
	deskAgent, deskAgentToken := signIn("dee@provider.example", identity.StaffAgent, true)
	_, adminToken := signIn("ada@provider.example", identity.StaffAdmin, false)
	_, agentToken := signIn("al@provider.example", identity.StaffAgent, false)

	cid, tid := s.a.c.ID, s.a.ticket.ID
	current := func(t *testing.T, id ticket.ID) ticket.Ticket {
		t.Helper()
		got, err := s.p.GetTicket(owner, cid, id)
		require.NoError(t, err)
		return got
	}
	// moveTo brings the fixture's ticket to status to, as the desk.
	moveTo := func(t *testing.T, to ticket.Status) ticket.Ticket {
		t.Helper()
		got := current(t, tid)
		if got.Status == to {
			return got
		}
		if got.Status == ticket.StatusResolved {
			got, err = s.p.ReopenTicket(desk, cid, tid, portal.ReopenTicketParams{Version: got.Version})
			require.NoError(t, err)
		}
		if got.Status != to {
			got, err = s.p.ChangeTicketStatus(desk, cid, tid, portal.ChangeTicketStatusParams{Version: got.Version, Status: to})
			require.NoError(t, err)
		}
		return got
	}
	forms := []consoleTicketForm{
		{"comments", portal.ActTicketComment, func(t *testing.T) (ticket.ID, url.Values) {
			return tid, url.Values{"visibility": {"public"}, "body": {"We are on it."}}
		}},
		{"attachments", portal.ActTicketComment, func(t *testing.T) (ticket.ID, url.Values) { return tid, nil }},
		{"status", portal.ActTicketWork, func(t *testing.T) (ticket.ID, url.Values) {
			got := moveTo(t, ticket.StatusOpen)
			return tid, url.Values{"version": {fmt.Sprint(got.Version)}, "status": {"in_progress"}}
		}},
		{"priority", portal.ActTicketWork, func(t *testing.T) (ticket.ID, url.Values) {
			got := moveTo(t, ticket.StatusInProgress)
			next := ticket.PriorityHigh
			if got.Priority == next {
				next = ticket.PriorityLow
			}
			return tid, url.Values{"version": {fmt.Sprint(got.Version)}, "priority": {string(next)}}
		}},
		{"assign", portal.ActTicketWork, func(t *testing.T) (ticket.ID, url.Values) {
			got := current(t, tid)
			to := string(deskAgent)
			if got.Assignee == deskAgent {
				to = ""
			}
			return tid, url.Values{"version": {fmt.Sprint(got.Version)}, "assignee": {to}}
		}},
		{"reopen", portal.ActTicketReopen, func(t *testing.T) (ticket.ID, url.Values) {
			got := moveTo(t, ticket.StatusResolved)
			return tid, url.Values{"version": {fmt.Sprint(got.Version)}, "note": {"It jams again."}}
		}},
		{"apply", portal.ActTicketWork, func(t *testing.T) (ticket.ID, url.Values) {
			maint := portaltest.As(t.Context(), mustPrincipal(t, s.p, s.a.users[customer.RoleMaintainer].token))
			tk, err := s.p.OpenTicket(maint, cid, portal.OpenTicketParams{Type: ticket.TypeMasterDataChange, Subject: "We moved",
				Fields: map[string]string{"address_city": "Bremen"}})
			require.NoError(t, err)
			c, err := s.p.GetCustomer(owner, cid)
			require.NoError(t, err)
			return tk.ID, url.Values{"version": {fmt.Sprint(tk.Version)}, "customer_version": {fmt.Sprint(c.Version)}}
		}},
	}
	offered := map[string]bool{}
	formRE := regexp.MustCompile(`action="/console/customers/[^/"]+/tickets/[^/"]+/([a-z-]+)"`)
	for _, staff := range []struct {
		name  string
		token string
		desk  bool
	}{
		{"service-desk API key", key.Token, true},
		{"agent on the service desk", deskAgentToken, true},
		{"admin off the service desk", adminToken, false},
		{"agent off the service desk", agentToken, false},
	} {
		t.Run(staff.name, func(t *testing.T) {
			me, err := s.p.Me(portaltest.As(t.Context(), mustPrincipal(t, s.p, staff.token)))
			require.NoError(t, err)
			require.Equal(t, staff.desk, slices.Contains(me.Actions, portal.ActTicketWork), "the policy's service desk")
			br := s.browser(t, staff.token)
			for _, f := range forms {
				allowed := slices.Contains(me.Actions, f.action)
				id, form := f.form(t)
				base := "/console/customers/" + string(cid) + "/tickets/" + string(id)
				pg := br.get(base)
				require.Equal(t, http.StatusOK, pg.status, "%s reads the ticket", staff.name)
				if allowed {
					for _, m := range formRE.FindAllStringSubmatch(pg.body, -1) {
						offered[m[1]] = true
					}
				}
				assert.Equal(t, allowed, strings.Contains(pg.body, `action="`+base+"/"+f.act+`"`), "%s is offered %s", staff.name, f.act)

				var before string // what a refusal must leave as it is
				var beforeTicket ticket.Ticket
				if !allowed {
					before, beforeTicket = s.state(t, s.a), current(t, id)
				}
				if form == nil {
					pg = br.upload(base+"/"+f.act, "photo.png", pngBytes)
				} else {
					pg = br.post(base+"/"+f.act, form)
				}
				if allowed {
					assert.Equal(t, http.StatusSeeOther, pg.status, "%s as %s: %s", f.act, staff.name, pg.body)
				} else {
					assert.Equal(t, http.StatusForbidden, pg.status, "%s as %s", f.act, staff.name)
					assert.Equal(t, before, s.state(t, s.a), "%s as %s changed something", f.act, staff.name)
					assert.Equal(t, beforeTicket.Version, current(t, id).Version, "%s as %s changed the ticket", f.act, staff.name)
				}
			}
		})
	}
	for act := range offered {
		assert.True(t, slices.ContainsFunc(forms, func(f consoleTicketForm) bool { return f.act == act }), "the console's ticket form %s is not in the matrix", act)
	}
}
