package webui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/webui"
)

// fill turns a route pattern into a request for tenant tn's objects.
func fill(pattern string, tn tenant) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	r := strings.NewReplacer(
		"{$}", "",
		"/orders/{id}", "/orders/"+string(tn.order.ID),
		"/stock/items/{id}", "/stock/items/"+string(tn.item),
		"/members/{id}", "/members/"+string(tn.users[customer.RoleViewer].member),
		"/invitations/{id}", "/invitations/"+string(tn.invitation.ID),
		"/tickets/{id}", "/tickets/"+string(tn.ticket.ID),
		"/news/{id}", "/news/"+string(tn.article.ID),
		"/employees/runs/{id}/discard", "/employees/runs/"+string(tn.hr.otherRun)+"/discard",
		"/employees/runs/{id}", "/employees/runs/"+string(tn.hr.run),
		"/employees/items/{id}", "/employees/items/"+string(tn.hr.item),
		"/employees/scim-tokens/{id}", "/employees/scim-tokens/"+string(tn.hr.token),
		"/sites/{id}", "/sites/"+string(tn.site.ID),
		"/pictures/{id}", "/pictures/"+string(tn.picture.ID),
		"/records/{id}/actions/{act}", "/records/"+string(tn.meter.ID)+"/actions/report_reading",
		"/records/{id}", "/records/"+string(tn.task.ID),
		"/attachments/{att}", "/attachments/"+string(tn.attachment.ID),
		"/contacts/{id}", "/contacts/"+string(tn.contact.ID),
		"{move}", "issue", "/{act}", "/"+defaultAct(pattern),
	)
	return method, r.Replace(path)
}

// defaultAct is what an {act} of a route's pattern stands for in the
// matrices.
func defaultAct(pattern string) string {
	if strings.Contains(pattern, "/members/") {
		return "disable"
	}
	if strings.HasPrefix(pattern, "POST /contacts/") {
		return "access"
	}
	return "revoke"
}

// state is what a customer holds, as staff see it: any change to it shows.
// On a copy from a pool it is read again only when the copy has written
// rows since it was last read (sqlitepool.Writes): while nothing was
// written, it is what it was, and most calls are about refusals that
// change nothing.
func (s *site) state(t *testing.T, tn tenant) string {
	t.Helper()
	if !s.copied {
		return s.readState(t, tn)
	}
	n, _, err := sqlitepool.Writes(t.Context(), s.store.(*sqlite.Store))
	require.NoError(t, err)
	s.memo.mu.Lock()
	m, seen := s.memo.m[tn.c.ID]
	s.memo.mu.Unlock()
	if seen && m.writes == n {
		return m.state
	}
	out := s.readState(t, tn)
	s.memo.mu.Lock()
	if s.memo.m == nil {
		s.memo.m = map[customer.ID]stateMemo{}
	}
	s.memo.m[tn.c.ID] = stateMemo{writes: n, state: out}
	s.memo.mu.Unlock()
	return out
}

// stateMemos are the states a site's state read last, by customer.
type stateMemos struct {
	mu sync.Mutex
	m  map[customer.ID]stateMemo
}

// stateMemo is a customer's state as read when the copy had written
// writes rows.
type stateMemo struct {
	writes int64
	state  string
}

// readState reads state through the use cases.
func (s *site) readState(t *testing.T, tn tenant) string {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	o, err := s.p.GetOrder(ctx, tn.c.ID, tn.order.ID)
	require.NoError(t, err)
	it, err := s.p.GetStockItem(ctx, tn.c.ID, tn.item)
	require.NoError(t, err)
	ms, err := s.p.ListMembers(ctx, tn.c.ID, portal.ListMembersParams{Limit: 100})
	require.NoError(t, err)
	inv, err := s.p.ListInvitations(ctx, tn.c.ID, portal.ListInvitationsParams{Limit: 100})
	require.NoError(t, err)
	all, err := s.p.ListOrders(ctx, tn.c.ID, portal.ListOrdersParams{Limit: 100})
	require.NoError(t, err)
	tk, err := s.p.GetTicket(ctx, tn.c.ID, tn.ticket.ID)
	require.NoError(t, err)
	cs, err := s.p.ListTicketComments(ctx, tn.c.ID, tn.ticket.ID, portal.ListTicketCommentsParams{Limit: 100})
	require.NoError(t, err)
	tks, err := s.p.ListTickets(ctx, tn.c.ID, portal.ListTicketsParams{Limit: 100})
	require.NoError(t, err)
	out := fmt.Sprintf("order %s v%d; item %s v%d; orders %d; ticket %s v%d, %d comments; tickets %d;",
		o.Status, o.Version, it.Status, it.Version, len(all.Items), tk.Status, tk.Version, len(cs.Items), len(tks.Items))
	as, err := s.p.ListTicketAttachments(ctx, tn.c.ID, tn.ticket.ID)
	require.NoError(t, err)
	out += fmt.Sprintf(" %d attachments;", len(as))
	written, err := s.p.ListCustomerNews(ctx, tn.c.ID, portal.ListCustomerNewsParams{Written: true, Limit: 100})
	require.NoError(t, err)
	for _, id := range []record.ID{tn.task.ID, tn.contract.ID} {
		r, err := s.p.GetRecord(ctx, tn.c.ID, id)
		require.NoError(t, err)
		out += fmt.Sprintf(" record %s v%d %v;", r.ID, r.Version, r.Values)
	}
	recs, err := s.p.ListRecords(ctx, tn.c.ID, portal.ListRecordsParams{Limit: 100})
	require.NoError(t, err)
	out += fmt.Sprintf(" records %d;", len(recs.Items))
	for _, a := range written.Items {
		out += fmt.Sprintf(" article %s %q v%d;", a.ID, a.Title, a.Version)
	}
	for _, m := range ms.Items {
		out += fmt.Sprintf(" member %s %s %s v%d;", m.ID, m.Role, m.Status, m.Version)
	}
	out += s.hrState(t, tn)
	cts, err := s.p.ListContacts(ctx, tn.c.ID, portal.ListContactsParams{Limit: 100})
	require.NoError(t, err)
	for _, c := range cts.Items {
		out += fmt.Sprintf(" contact %s %q v%d %s;", c.ID, c.Name, c.Version, c.InvitationID)
	}
	for _, i := range inv.Items {
		out += fmt.Sprintf(" invitation %s %s %s;", i.ID, i.Email, i.State(s.p.Now()))
	}
	sso, err := s.p.GetSSOConfig(ctx, tn.c.ID) // none until an admin sets one
	out += fmt.Sprintf(" sso %s v%d %s;", portalerr.CodeOf(err), sso.Version, sso.ClientID)
	forbidden, err := s.p.ImpersonationForbidden(ctx, tn.c.ID)
	require.NoError(t, err)
	out += fmt.Sprintf(" impersonation forbidden %t;", forbidden)
	return out
}

// consoleSignIn reports whether path is one of the console's public
// sign-in pages.
func consoleSignIn(path string) bool {
	for _, p := range []string{"/console/signin", "/console/login", "/console/accept",
		"/console/forgot-password", "/console/reset-password",
		"/console/sso/callback", // staff single sign-on (#21)
	} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// secrets are strings only customer tn's people may see.
func (tn tenant) secrets() []string {
	out := []string{tn.c.Name, string(tn.c.ID), string(tn.order.ID), tn.order.Number.String(), string(tn.item), tn.invitation.Email, string(tn.invitation.ID),
		string(tn.ticket.ID), tn.ticket.Number.String(), tn.ticket.Subject,
		tn.article.Title, string(tn.article.ID), tn.staffNews.Title, string(tn.staffNews.ID),
		tn.hr.leaverName, tn.hr.stayerName, string(tn.hr.run), string(tn.hr.item),
		tn.site.Name, string(tn.site.ID), tn.job.Title, string(tn.picture.ID),
		string(tn.task.ID), tn.task.Values["title"], string(tn.contract.ID), tn.contract.Values["contract_number"],
		string(tn.meter.ID), tn.meter.Values["meter_number"],
		tn.attachment.Name, string(tn.attachment.ID), tn.noteFile.Name, string(tn.noteFile.ID),
		tn.contact.Name, string(tn.contact.ID), tn.contact.Email}
	for _, u := range tn.users {
		out = append(out, u.email, string(u.member))
	}
	return out
}

// TestTenantIsolation asks every route of the pages, as each person of
// customer A, about customer B's objects: object routes answer 404, the
// console sends them away, no page shows anything of B, and nothing of B
// changes.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	before := s.state(t, s.b)
	for _, role := range []customer.Role{customer.RoleAdmin, customer.RoleMaintainer, customer.RoleViewer} {
		br := s.browser(t, s.a.users[role].token)
		for _, pattern := range webui.Patterns() {
			method, path := fill(pattern, s.b)
			if strings.HasPrefix(path, "/static/") || path == "/signout" {
				continue
			}
			t.Run(string(role)+" "+method+" "+path, func(t *testing.T) {
				var pg page
				switch {
				case method == http.MethodGet:
					pg = br.get(path)
				case isUpload(pattern):
					pg = br.upload(path, "photo.png", pngBytes)
				default:
					pg = br.post(path, url.Values{"role": {"admin"}, "holder_name": {"Mallory"}, "reason": {"x"}, "version": {"1"}})
				}
				switch {
				case consoleSignIn(path):
					// Public: the console's sign-in pages.
				case strings.HasPrefix(path, "/console"):
					assert.Equal(t, http.StatusSeeOther, pg.status)
					assert.Equal(t, "/", pg.location)
				case strings.Contains(pattern, "{id}"):
					// A role that may not do the action at all learns no
					// more from 403 than from 404: the answer is the same
					// for any ID.
					want := []int{http.StatusNotFound}
					act, ok := formAction(pattern)
					if !ok {
						act, ok = pageActions[pattern]
					}
					if ok && !mayDo(role, act) {
						want = append(want, http.StatusForbidden)
					}
					assert.Contains(t, want, pg.status)
				}
				for _, secret := range s.b.secrets() {
					if !strings.Contains(path, secret) { // an ID asked for may be named back
						assert.NotContains(t, pg.body, secret)
					}
				}
			})
		}
		for _, lf := range foreignLinks {
			t.Run(string(role)+" "+lf.pattern+" naming B's "+lf.field, func(t *testing.T) {
				mine := s.state(t, s.a)
				_, path := fill(lf.pattern, s.a)
				form := lf.form(s.b)
				pg := br.post(path, form)
				want := http.StatusBadRequest
				if act, _ := formAction(lf.pattern); !mayDo(role, act) {
					want = http.StatusForbidden
				}
				assert.Equal(t, want, pg.status, pg.body)
				assert.Equal(t, mine, s.state(t, s.a), "a refused form creates nothing")
				for _, secret := range s.b.secrets() {
					if secret != form.Get(lf.field) { // the ID sent may be named back
						assert.NotContains(t, pg.body, secret)
					}
				}
			})
		}
	}
	assert.Equal(t, before, s.state(t, s.b), "customer B's state")
}

// foreignLinks are forms of the customer portal, sent to the sender's own
// customer, that name another customer's object in one field: each must
// be refused (403 for a role that may not send the form, else 400) with
// nothing created.
var foreignLinks = []struct {
	pattern, field string
	form           func(other tenant) url.Values
}{
	{"POST /tickets", "order_id", func(o tenant) url.Values { return ticketLinking("order_id", string(o.order.ID)) }},
	{"POST /tickets", "site_id", func(o tenant) url.Values { return ticketLinking("site_id", string(o.site.ID)) }},
	{"POST /tickets", "stock_item_id", func(o tenant) url.Values { return ticketLinking("stock_item_id", string(o.item)) }},
}

// ticketLinking is a complete new ticket's form that links to id in field.
func ticketLinking(field, id string) url.Values {
	return url.Values{"type": {"generic"}, "subject": {"About this"}, field: {id}}
}

// postActions are the forms that change something, by the policy action
// that rules them, in an order in which each can succeed after the one
// before: a form whose role may not send it answers 403.
var postActions = append([]postAction{
	{"POST /orders", portal.ActOrderPlace, func(t *testing.T, s *site, tn tenant) url.Values {
		return url.Values{"qty." + string(tn.product): {"1"}, "recipient_name": {"Zed"}}
	}},
	{"POST /orders/{id}/cancel", portal.ActOrderCancel, nil},
	{"POST /stock/items/{id}/{move}", portal.ActStockMove, func(*testing.T, *site, tenant) url.Values { return url.Values{"holder_name": {"Zed"}} }},
	{"POST /stock/items/{id}/return", portal.ActStockMove, nil},
	{"POST /stock/items/{id}/retire", portal.ActStockRetire, func(*testing.T, *site, tenant) url.Values { return url.Values{"reason": {"broken"}} }},
	{"POST /members/invite", portal.ActInvitationManage, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"email": {"new@example.com"}, "role": {"viewer"}}
	}},
	{"POST /invitations/{id}/resend", portal.ActInvitationManage, nil},
	{"POST /invitations/{id}/{act}", portal.ActInvitationManage, nil},
	{"POST /members/{id}/role", portal.ActMembershipAdmin, func(t *testing.T, s *site, tn tenant) url.Values {
		m, err := s.p.GetMember(portaltest.Owner(t.Context()), tn.c.ID, tn.users[customer.RoleViewer].member)
		require.NoError(t, err)
		return url.Values{"role": {"maintainer"}, "version": {fmt.Sprint(m.Version)}}
	}},
	{"POST /members/{id}/{act}", portal.ActMembershipAdmin, nil},
	{"POST /members/{id}/enable", portal.ActMembershipAdmin, nil},
	{"POST /members/{id}/remove", portal.ActMembershipAdmin, nil},
	{"POST /tickets", portal.ActTicketOpen, func(_ *testing.T, _ *site, tn tenant) url.Values {
		return url.Values{"type": {"generic"}, "subject": {"The printer jams"}, "site_id": {string(tn.site.ID)}, "stock_item_id": {string(tn.item)}}
	}},
	{"POST /tickets/{id}/comments", portal.ActTicketComment, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"body": {"Any news?"}}
	}},
	// An upload (isUpload) sends a picture as a multipart form.
	{"POST /tickets/{id}/attachments", portal.ActTicketComment, nil},
	{"POST /tickets/{id}/reopen", portal.ActTicketReopen, func(t *testing.T, s *site, tn tenant) url.Values {
		// Only a resolved ticket reopens: the service desk resolves it first.
		desk := portaltest.As(t.Context(), identity.APIKeyPrincipal("key_desk", identity.StaffAgent))
		got, err := s.p.GetTicket(desk, tn.c.ID, tn.ticket.ID)
		require.NoError(t, err)
		if got.Status != ticket.StatusResolved {
			got, err = s.p.ChangeTicketStatus(desk, tn.c.ID, tn.ticket.ID, portal.ChangeTicketStatusParams{Version: got.Version, Status: ticket.StatusResolved})
			require.NoError(t, err)
		}
		return url.Values{"version": {fmt.Sprint(got.Version)}}
	}},
	{"POST /news", portal.ActNewsWrite, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"title": {"Printer on the 2nd floor"}, "body": {"Ask the front desk."}}
	}},
	{"POST /news/{id}", portal.ActNewsWrite, func(t *testing.T, s *site, tn tenant) url.Values {
		return url.Values{"title": {"Canteen closed"}, "body": {"Until Monday."}, "version": {"1"}}
	}},
	{"POST /news/{id}/delete", portal.ActNewsWrite, nil},
	{"POST /records/{id}", portal.ActRecordEdit, func(t *testing.T, s *site, tn tenant) url.Values {
		r, err := s.p.GetRecord(portaltest.Owner(t.Context()), tn.c.ID, tn.task.ID)
		require.NoError(t, err)
		next := "done"
		if r.Values["status"] == next {
			next = "open"
		}
		return url.Values{"version": {fmt.Sprint(r.Version)}, "was.status": {r.Values["status"]}, "value.status": {next}}
	}},
	// A record's action: the meter's opens a ticket, so the right to open
	// tickets rules it (the action's own role is maintainer, as that).
	{"POST /records/{id}/actions/{act}", portal.ActTicketOpen, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"description": {"The meter reads 1234."}}
	}},
	{"POST /records/claim", portal.ActRecordClaim, func(t *testing.T, s *site, tn tenant) url.Values {
		n := s.unassignedContract(t)
		return url.Values{"type": {"contract"}, "id.contract_number": {n}, "id.customer_number": {"K-FREE"}}
	}},
	{"POST /contacts", portal.ActContactManage, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"name": {"Dora Contact"}, "addr_city_0": {"Berlin"}}
	}},
	{"POST /contacts/{id}", portal.ActContactManage, func(t *testing.T, s *site, tn tenant) url.Values {
		c, err := s.p.GetContact(portaltest.Owner(t.Context()), tn.c.ID, tn.contact.ID)
		require.NoError(t, err)
		return url.Values{"name": {"Carla Renamed"}, "email": {c.Email}, "version": {fmt.Sprint(c.Version)}}
	}},
	{"POST /contacts/{id}/{act}", portal.ActContactManage, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"role": {"viewer"}}
	}},
	{"POST /contacts/{id}/delete", portal.ActContactManage, nil},
	{"POST /account", portal.ActSelf, func(*testing.T, *site, tenant) url.Values { return url.Values{"name": {"New Name"}, "locale": {"de"}} }},
	{"POST /account/password", portal.ActSelf, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"new_password": {"violet-orbit-quartz-42"}}
	}},
	// Single sign-on (#21): the identity provider is its admins' to set.
	{"POST /sso", portal.ActSSOManage, func(t *testing.T, s *site, tn tenant) url.Values {
		form := url.Values{"issuer": {"https://login.example.com"}, "client_id": {"portal"}, "client_secret": {"secret"},
			"domains": {"sso-" + strings.ToLower(string(tn.c.ID[len(tn.c.ID)-6:])) + ".example"}, "version": {"0"}}
		if c, err := s.p.GetSSOConfig(portaltest.Owner(t.Context()), tn.c.ID); err == nil {
			form.Set("version", fmt.Sprint(c.Version))
		}
		return form
	}},
	{"POST /sso/delete", portal.ActSSOManage, nil},
	// Impersonation (#21): only the customer's admins forbid it.
	{"POST /impersonations/policy", portal.ActImpersonationPolicy, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"forbidden": {"on"}}
	}},
}, hrPostActions...)

// postAction is a form of postActions.
type postAction struct {
	pattern string
	action  portal.Action
	// form makes the form's values, first bringing the fixture into the
	// state the form needs; nil sends an empty form.
	form func(t *testing.T, s *site, tn tenant) url.Values
}

// isUpload reports whether a route's form is an upload, sent as a
// multipart form with a picture.
func isUpload(pattern string) bool {
	return strings.HasPrefix(pattern, "POST ") && strings.HasSuffix(pattern, "/attachments")
}

// pageActions are the actions that rule pages of one object which some
// roles may not see at all: those answer 403 for any ID, as forms do.
var pageActions = map[string]portal.Action{
	"GET /contacts/{id}": portal.ActContactRead,
}

// formAction returns the action that rules a form's route.
func formAction(pattern string) (portal.Action, bool) {
	for _, a := range postActions {
		if a.pattern == pattern {
			return a.action, true
		}
	}
	return "", false
}

// mayDo reports whether the policy lets a customer role do act.
func mayDo(role customer.Role, act portal.Action) bool {
	rule, ok := portal.RuleFor(act)
	return ok && role.AtLeast(rule.User)
}

// TestRoles sends every form of the customer portal as each role: the
// policy's rule for its action decides between success (a redirect) and
// 403 with nothing changed, and a page offers a form only to the roles that
// may send it.
func TestRoles(t *testing.T) {
	t.Parallel()
	for _, role := range []customer.Role{customer.RoleAdmin, customer.RoleMaintainer, customer.RoleViewer} {
		t.Run(string(role), func(t *testing.T) {
			s := newSite(t)
			br := s.browser(t, s.a.users[role].token)
			for _, a := range postActions {
				allowed := mayDo(role, a.action)
				var form url.Values
				if a.form != nil {
					form = a.form(t, s, s.a)
				} else {
					form = url.Values{}
				}
				_, path := fill(a.pattern, s.a)
				var before string // what a refusal must leave as it is
				if !allowed {
					before = s.state(t, s.a)
				}
				var pg page
				if isUpload(a.pattern) {
					pg = br.upload(path, "photo.png", pngBytes)
				} else {
					pg = br.post(path, form)
				}
				if allowed && secretForms[a.pattern] {
					assert.Equal(t, http.StatusCreated, pg.status, "%s as %s: %s", path, role, pg.body)
				} else if allowed {
					assert.Equal(t, http.StatusSeeOther, pg.status, "%s as %s: %s", path, role, pg.body)
				} else {
					assert.Equal(t, http.StatusForbidden, pg.status, "%s as %s", path, role)
					assert.Equal(t, before, s.state(t, s.a), "%s as %s changed something", path, role)
				}
			}
		})
	}
}

// TestEveryFormIsInTheRoleMatrix keeps postActions complete: a new form
// of the customer portal must say which action rules it.
func TestEveryFormIsInTheRoleMatrix(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, a := range postActions {
		covered[a.pattern] = true
	}
	// Forms that open or end sessions, the public request for access
	// (TestRequestAccessPages) and e-mail confirmation, and those of the console (tested in
	// console_test.go), are not a customer role's to send.
	for _, p := range webui.Patterns() {
		if !strings.HasPrefix(p, "POST ") || strings.HasPrefix(p, "POST /console") ||
			slices.Contains([]string{"POST /signin/link", "POST /signin/password", "POST /signout", "POST /login", "POST /access", "POST /accept", "POST /account/membership",
				"POST /request-access", "POST /request-access/confirm", "POST /confirm-email"}, p) ||
			slices.Contains([]string{"POST /forgot-password", "POST /reset-password", "POST /signin/sso"}, p) { // need no session (#21)
			continue
		}
		assert.True(t, covered[p], "%s is not in postActions", p)
	}
}
