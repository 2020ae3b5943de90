package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
)

// TestTicketChangesAreAudited: every move of a ticket's status (by the
// desk, by the customer's reply, by applying a master-data change),
// reopening, assignment and a new priority appends an audit event naming
// who, on the ticket and its customer; comments and failed changes append
// none.
func TestTicketChangesAreAudited(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			e := newEnv(t, store, func(c *portal.Config) { c.Mailer = &portaltest.Recorder{} })
			desk := portaltest.ServiceDesk(t.Context())
			deskActor := identity.ServiceDeskStaff("stf_desk", identity.StaffAgent).Actor()
			c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", Features: customer.FeaturesPatch{Tickets: ptr(true)}})
			require.NoError(t, err)
			maint := e.addMember(t, c.ID, "max@acme.example", customer.RoleMaintainer)
			tk, err := e.p.OpenTicket(as(t, maint), c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Help"})
			require.NoError(t, err)
			events := func() []string {
				t.Helper()
				var out []string
				require.NoError(t, store.ReadTx(t.Context(), func(r storage.Repos) error {
					l, err := r.Audit().List(t.Context(), storage.AuditFilter{ObjectID: string(tk.ID)}, storage.Page{Limit: storage.MaxLimit})
					for _, ev := range l.Items {
						assert.Equal(t, c.ID, ev.CustomerID)
						out = append(out, ev.Actor+" "+ev.Action)
					}
					return err
				}))
				return out
			}
			assert.Empty(t, events(), "opening is the ticket's own record")

			tk, err = e.p.ChangeTicketStatus(desk, c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusWaitingOnCustomer})
			require.NoError(t, err)
			_, err = e.p.ChangeTicketStatus(desk, c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version - 1, Status: ticket.StatusResolved})
			require.Error(t, err, "a stale version")
			_, err = e.p.AddTicketComment(as(t, maint), c.ID, tk.ID, portal.AddTicketCommentParams{Body: "Here is the serial"})
			require.NoError(t, err)
			tk, err = e.p.GetTicket(desk, c.ID, tk.ID)
			require.NoError(t, err)
			require.Equal(t, ticket.StatusInProgress, tk.Status, "the customer's reply moved it back")
			tk, err = e.p.SetTicketPriority(desk, c.ID, tk.ID, portal.SetTicketPriorityParams{Version: tk.Version, Priority: ticket.PriorityHigh})
			require.NoError(t, err)
			sue, err := e.p.InviteStaff(e.owner, portal.InviteStaffParams{Email: "sue@provider.example", Name: "Sue", Role: identity.StaffAgent})
			require.NoError(t, err)
			sue, err = e.p.UpdateStaff(e.owner, sue.ID, portal.UpdateStaffParams{Version: sue.Version, ServiceDesk: ptr(true)})
			require.NoError(t, err)
			tk, err = e.p.AssignTicket(desk, c.ID, tk.ID, portal.AssignTicketParams{Version: tk.Version, Assignee: sue.ID})
			require.NoError(t, err)
			tk, err = e.p.ChangeTicketStatus(desk, c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusResolved})
			require.NoError(t, err)
			_, err = e.p.ReopenTicket(as(t, maint), c.ID, tk.ID, portal.ReopenTicketParams{Version: tk.Version})
			require.NoError(t, err)

			user := identity.User(maint.Membership).Actor()
			assert.Equal(t, []string{
				deskActor + " ticket.status_changed",
				user + " ticket.status_changed",
				deskActor + " ticket.priority_changed",
				deskActor + " ticket.assigned",
				deskActor + " ticket.status_changed",
				user + " ticket.reopened",
			}, events())
		})
	}
}
