package portal_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/ticket"
)

// helpdesk is a customer with tickets on, its people, and the service desk.
type helpdesk struct {
	env
	rec                       *portaltest.Recorder
	desk                      context.Context
	c                         customer.Customer
	site, otherSite           customer.Site
	admin, maintainer, viewer portal.Member
	siteMember                portal.Member // a maintainer limited to site
}

const deskEmail = "desk@provider.example"

// eachHelpdesk runs f once per backend with a fresh helpdesk.
func eachHelpdesk(t *testing.T, f func(t *testing.T, h helpdesk), opts ...func(*portal.Config)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &portaltest.Recorder{}
			e := newEnv(t, newStore(t), append([]func(*portal.Config){func(c *portal.Config) {
				c.Mailer, c.ServiceDeskEmail, c.TicketReopenWindow = rec, deskEmail, 7*24*time.Hour
			}}, opts...)...)
			h := helpdesk{env: e, rec: rec, desk: portaltest.ServiceDesk(t.Context())}
			var err error
			h.c, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", Features: customer.FeaturesPatch{Tickets: ptr(true)}})
			require.NoError(t, err)
			h.site = e.createSite(t, h.c.ID, "HQ")
			h.otherSite = e.createSite(t, h.c.ID, "Plant")
			h.admin = e.addMember(t, h.c.ID, "admin@acme.example", customer.RoleAdmin)
			h.maintainer = e.addMember(t, h.c.ID, "maintainer@acme.example", customer.RoleMaintainer)
			h.viewer = e.addMember(t, h.c.ID, "viewer@acme.example", customer.RoleViewer)
			h.siteMember = e.addMember(t, h.c.ID, "site@acme.example", customer.RoleMaintainer, h.site.ID)
			f(t, h)
		})
	}
}

func (h helpdesk) open(t *testing.T, ctx context.Context, params portal.OpenTicketParams) ticket.Ticket {
	t.Helper()
	if params.Type == "" {
		params.Type, params.Subject = ticket.TypeGeneric, "Help"
	}
	tk, err := h.p.OpenTicket(ctx, h.c.ID, params)
	require.NoError(t, err)
	return tk
}

func commentBodies(t *testing.T, h helpdesk, ctx context.Context, id ticket.ID) []string {
	t.Helper()
	l, err := h.p.ListTicketComments(ctx, h.c.ID, id, portal.ListTicketCommentsParams{})
	require.NoError(t, err)
	var out []string
	for _, c := range l.Items {
		out = append(out, c.Body)
	}
	return out
}

func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		m := as(t, h.maintainer)
		tk := h.open(t, m, portal.OpenTicketParams{
			Type: ticket.TypeEquipmentDamage, Subject: "Cracked display", Priority: ticket.PriorityHigh,
			Fields: map[string]string{"damage": "functional", "noticed_on": "2026-03-01"},
			Links:  portal.TicketLinksParams{SiteID: h.site.ID},
		})
		assert.Equal(t, "T-000001", tk.Number.String())
		assert.Equal(t, ticket.StatusOpen, tk.Status)
		assert.Equal(t, h.maintainer.User.ID, tk.RequestedBy)
		second := h.open(t, as(t, h.admin), portal.OpenTicketParams{})
		assert.Equal(t, "T-000002", second.Number.String())

		n, ok := h.rec.Last(deskEmail)
		require.True(t, ok, "the service desk hears of new tickets")
		assert.Equal(t, portal.NotifyTicketOpened, n.Kind)
		assert.Contains(t, n.Subject, "T-000002")

		_, err := h.p.OpenTicket(as(t, h.viewer), h.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "x"})
		assertCode(t, portalerr.PermissionDenied, err, "viewers read")
		_, err = h.p.OpenTicket(m, h.c.ID, portal.OpenTicketParams{Type: ticket.TypeEquipmentDamage, Subject: "x"})
		assertCode(t, portalerr.Invalid, err, "the type's required fields")

		// Replies and notes.
		_, err = h.p.AddTicketComment(h.desk, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "Which serial number?"})
		require.NoError(t, err)
		reply, ok := h.rec.Last(h.maintainer.User.Email)
		require.True(t, ok)
		assert.Equal(t, portal.NotifyTicketReply, reply.Kind)
		assert.Contains(t, reply.Text, "Which serial number?")
		_, err = h.p.AddTicketComment(h.desk, h.c.ID, tk.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "Warranty expired"})
		require.NoError(t, err)
		_, err = h.p.AddTicketComment(m, h.c.ID, tk.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "sneaky"})
		assertCode(t, portalerr.PermissionDenied, err, "internal notes are staff's")

		for _, who := range []context.Context{m, as(t, h.viewer), as(t, h.admin)} {
			assert.Equal(t, []string{"Which serial number?"}, commentBodies(t, h, who, tk.ID), "customer users never see internal notes")
		}
		assert.Equal(t, []string{"Which serial number?", "Warranty expired"}, commentBodies(t, h, h.owner, tk.ID))
		staffView, err := h.p.ListTicketComments(h.owner, h.c.ID, tk.ID, portal.ListTicketCommentsParams{})
		require.NoError(t, err)
		note := staffView.Items[1].ID
		_, err = h.p.GetTicketComment(m, h.c.ID, tk.ID, note)
		assertCode(t, portalerr.NotFound, err, "nor read one by one")
		got, err := h.p.GetTicketComment(h.owner, h.c.ID, tk.ID, note)
		require.NoError(t, err)
		assert.Equal(t, ticket.Internal, got.Visibility)
		for _, mail := range h.rec.Mails() {
			assert.NotContains(t, mail.Text, "Warranty expired", "nor are they mailed")
		}

		// The status machine, with mail to the requester.
		tk, err = h.p.ChangeTicketStatus(h.desk, h.c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusWaitingOnCustomer, Note: "Send the serial"})
		require.NoError(t, err)
		st, ok := h.rec.Last(h.maintainer.User.Email)
		require.True(t, ok)
		assert.Equal(t, portal.NotifyTicketStatus, st.Kind)
		assert.Contains(t, st.Text, "Send the serial")
		_, err = h.p.ChangeTicketStatus(h.desk, h.c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version - 1, Status: ticket.StatusResolved})
		assertCode(t, portalerr.Conflict, err, "a stale version")
		_, err = h.p.ChangeTicketStatus(h.owner, h.c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusResolved})
		assertCode(t, portalerr.PermissionDenied, err, "an owner without the service-desk capability")

		_, err = h.p.AddTicketComment(m, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "SN 1234"})
		require.NoError(t, err)
		tk, err = h.p.GetTicket(m, h.c.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, ticket.StatusInProgress, tk.Status, "the customer's answer puts it back in progress")

		tk, err = h.p.SetTicketPriority(h.desk, h.c.ID, tk.ID, portal.SetTicketPriorityParams{Version: tk.Version, Priority: ticket.PriorityUrgent})
		require.NoError(t, err)
		assert.Equal(t, ticket.PriorityUrgent, tk.Priority)
		_, err = h.p.AssignTicket(h.desk, h.c.ID, tk.ID, portal.AssignTicketParams{Version: tk.Version, Assignee: "stf_nobody"})
		assertCode(t, portalerr.Invalid, err, "only service-desk staff are assigned")

		tk, err = h.p.ChangeTicketStatus(h.desk, h.c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusResolved})
		require.NoError(t, err)
		h.clock.Advance(7 * 24 * time.Hour)
		tk, err = h.p.ReopenTicket(as(t, h.admin), h.c.ID, tk.ID, portal.ReopenTicketParams{Version: tk.Version, Note: "still broken"})
		require.NoError(t, err)
		assert.Equal(t, ticket.StatusOpen, tk.Status)
		tk, err = h.p.ChangeTicketStatus(h.desk, h.c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusResolved})
		require.NoError(t, err)
		h.clock.Advance(7*24*time.Hour + time.Second)
		_, err = h.p.ReopenTicket(as(t, h.admin), h.c.ID, tk.ID, portal.ReopenTicketParams{Version: tk.Version})
		assertCode(t, portalerr.FailedPrecondition, err, "past the reopen window")

		kinds := []ticket.EventKind{}
		for _, ev := range tk.History {
			kinds = append(kinds, ev.Kind)
		}
		assert.Equal(t, []ticket.EventKind{ticket.EventOpened, ticket.EventStatus, ticket.EventStatus, ticket.EventPriority, ticket.EventStatus, ticket.EventReopened, ticket.EventStatus}, kinds)
		assert.Equal(t, "user:"+string(h.maintainer.User.ID), tk.History[2].By, "the customer's answer moved it")
		assert.Equal(t, "user:"+string(h.admin.User.ID), tk.History[5].By, "who reopened")

		// The queue.
		q, err := h.p.TicketQueue(h.desk, portal.TicketQueueParams{})
		require.NoError(t, err)
		require.Len(t, q.Items, 1, "the active tickets")
		assert.Equal(t, map[ticket.Status]int{ticket.StatusOpen: 1, ticket.StatusInProgress: 0, ticket.StatusWaitingOnCustomer: 0,
			ticket.StatusResolved: 1, ticket.StatusClosed: 0}, q.Counts)
		q, err = h.p.TicketQueue(h.desk, portal.TicketQueueParams{Status: ticket.StatusResolved, Type: ticket.TypeEquipmentDamage})
		require.NoError(t, err)
		require.Len(t, q.Items, 1)
		_, err = h.p.TicketQueue(h.owner, portal.TicketQueueParams{})
		assertCode(t, portalerr.PermissionDenied, err)
	})
}

func TestTicketSiteLimits(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		m := as(t, h.maintainer)
		mine := h.open(t, m, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "HQ", Links: portal.TicketLinksParams{SiteID: h.site.ID}})
		other := h.open(t, m, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Plant", Links: portal.TicketLinksParams{SiteID: h.otherSite.ID}})
		none := h.open(t, m, portal.OpenTicketParams{})

		s := as(t, h.siteMember)
		l, err := h.p.ListTickets(s, h.c.ID, portal.ListTicketsParams{})
		require.NoError(t, err)
		var ids []ticket.ID
		for _, tk := range l.Items {
			ids = append(ids, tk.ID)
		}
		assert.Equal(t, []ticket.ID{none.ID, mine.ID}, ids, "its site's and those of no site, newest first")
		_, err = h.p.GetTicket(s, h.c.ID, other.ID)
		assertCode(t, portalerr.NotFound, err)
		_, err = h.p.ListTicketComments(s, h.c.ID, other.ID, portal.ListTicketCommentsParams{})
		assertCode(t, portalerr.NotFound, err)
		_, err = h.p.OpenTicket(s, h.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "x", Links: portal.TicketLinksParams{SiteID: h.otherSite.ID}})
		assertCode(t, portalerr.NotFound, err, "a site it is not limited to")

		// It links only its sites' stock items: another site's item is
		// answered like a missing one, and nothing is opened.
		c, err := h.p.GetCustomer(h.owner, h.c.ID)
		require.NoError(t, err)
		_, err = h.p.UpdateFeatures(h.owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: ptr(true)}})
		require.NoError(t, err)
		prod := h.createProduct(t, "LAP-1", "Laptop", 1000, "")
		items, err := h.p.StockIn(h.owner, h.c.ID, portal.StockInParams{Items: []portal.StockInItemParams{
			{ProductID: prod.ID, SerialNumber: "SN-HQ", SiteID: h.site.ID},
			{ProductID: prod.ID, SerialNumber: "SN-PLANT", SiteID: h.otherSite.ID},
		}})
		require.NoError(t, err)
		linked := h.open(t, s, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "HQ laptop", Links: portal.TicketLinksParams{StockItemID: items[0].ID}})
		assert.Equal(t, items[0].ID, linked.Links.StockItemID)
		_, err = h.p.OpenTicket(s, h.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "x", Links: portal.TicketLinksParams{StockItemID: items[1].ID}})
		assertCode(t, portalerr.Invalid, err, "another site's stock item")
		assert.Equal(t, []string{"links.stock_item_id"}, fieldsOf(err))
		l, err = h.p.ListTickets(s, h.c.ID, portal.ListTicketsParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 3, "nothing opened")

		_, err = h.p.OpenTicket(m, h.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "x",
			Links: portal.TicketLinksParams{OrderID: "ord_missing", SiteID: "sit_missing"}})
		assertCode(t, portalerr.Invalid, err)
	})
}

func TestTicketFeatureOff(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Plain")
		m := e.addMember(t, c.ID, "m@plain.example", customer.RoleMaintainer)
		_, err := e.p.OpenTicket(as(t, m), c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "x"})
		assertCode(t, portalerr.FeatureDisabled, err)
		_, err = e.p.OpenTicket(portaltest.ServiceDesk(t.Context()), c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "x"})
		assertCode(t, portalerr.FeatureDisabled, err, "staff too")
		me, err := e.p.Me(as(t, m))
		require.NoError(t, err)
		assert.NotContains(t, me.Actions, portal.ActTicketOpen)
	})
}

func TestMasterDataChange(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		tk := h.open(t, as(t, h.admin), portal.OpenTicketParams{
			Type: ticket.TypeMasterDataChange, Subject: "We moved",
			Fields: map[string]string{"phone": "+49 30 1234", "address_city": "Berlin", "address_country": "DE"},
		})
		_, _, err := h.p.ApplyMasterDataChange(h.desk, h.c.ID, tk.ID, portal.ApplyMasterDataChangeParams{Version: tk.Version, CustomerVersion: h.c.Version + 1})
		assertCode(t, portalerr.Conflict, err, "the customer's version is checked")
		c, err := h.p.GetCustomer(h.owner, h.c.ID)
		require.NoError(t, err)
		assert.Equal(t, h.c.Version, c.Version, "nothing applied")

		got, c, err := h.p.ApplyMasterDataChange(h.desk, h.c.ID, tk.ID, portal.ApplyMasterDataChangeParams{Version: tk.Version, CustomerVersion: h.c.Version, Resolve: true})
		require.NoError(t, err)
		assert.Equal(t, "+49 30 1234", c.Phone)
		assert.Equal(t, "Berlin", c.Address.City)
		assert.Equal(t, h.c.Version+1, c.Version)
		assert.Equal(t, ticket.StatusResolved, got.Status)
		assert.False(t, got.AppliedAt.IsZero())

		_, _, err = h.p.ApplyMasterDataChange(h.desk, h.c.ID, tk.ID, portal.ApplyMasterDataChangeParams{Version: got.Version, CustomerVersion: c.Version})
		assertCode(t, portalerr.FailedPrecondition, err, "applied once")
		again, err := h.p.GetCustomer(h.owner, h.c.ID)
		require.NoError(t, err)
		assert.Equal(t, c.Version, again.Version)

		generic := h.open(t, as(t, h.admin), portal.OpenTicketParams{})
		_, _, err = h.p.ApplyMasterDataChange(h.desk, h.c.ID, generic.ID, portal.ApplyMasterDataChangeParams{Version: generic.Version, CustomerVersion: c.Version})
		assertCode(t, portalerr.FailedPrecondition, err, "not a master-data change")
	})
}

// TestMasterDataChangeConcurrently has two service-desk members apply one
// change at once: the customer changes exactly once.
func TestMasterDataChangeConcurrently(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		tk := h.open(t, as(t, h.admin), portal.OpenTicketParams{
			Type: ticket.TypeMasterDataChange, Subject: "New name", Fields: map[string]string{"name": "Acme AG"},
		})
		const n = 2
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, _, errs[i] = h.p.ApplyMasterDataChange(h.desk, h.c.ID, tk.ID, portal.ApplyMasterDataChangeParams{Version: tk.Version, CustomerVersion: h.c.Version})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			assert.Contains(t, []portalerr.Code{portalerr.Conflict, portalerr.FailedPrecondition}, portalerr.CodeOf(err), "%v", err)
		}
		assert.Equal(t, 1, won)
		c, err := h.p.GetCustomer(h.owner, h.c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Acme AG", c.Name)
		assert.Equal(t, h.c.Version+1, c.Version, "changed exactly once")
		got, err := h.p.GetTicket(h.owner, h.c.ID, tk.ID)
		require.NoError(t, err)
		applied := 0
		for _, ev := range got.History {
			if ev.Kind == ticket.EventApplied {
				applied++
			}
		}
		assert.Equal(t, 1, applied)
	})
}

// TestGetTicketByIDAlone finds a ticket without its customer, as the
// service desk's mail link does: staff may, a customer user may not, not
// even for its own customer's ticket.
func TestGetTicketByIDAlone(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		tk := h.open(t, as(t, h.maintainer), portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Where is it?"})
		got, err := h.p.GetTicket(portaltest.Owner(t.Context()), "", tk.ID)
		require.NoError(t, err)
		assert.Equal(t, h.c.ID, got.CustomerID)
		_, err = h.p.GetTicket(portaltest.Owner(t.Context()), "", "tkt_missing")
		assertCode(t, portalerr.NotFound, err)
		_, err = h.p.GetTicket(as(t, h.maintainer), "", tk.ID)
		assertCode(t, portalerr.NotFound, err, "a customer user names its customer")
	})
}
