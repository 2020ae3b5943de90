package portal_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/ticket"
)

// TestCustomerReplyMailsTheAssignee: a customer's public reply is mailed
// to the staff member the ticket is assigned to, through the outbox and
// with the customer's override of the template; not while the ticket is
// unassigned, not for the desk's own replies and notes, and not to an
// assignee who was disabled since.
func TestCustomerReplyMailsTheAssignee(t *testing.T) {
	t.Parallel()
	eachHelpdesk(t, func(t *testing.T, h helpdesk) {
		const sueEmail = "sue@provider.example"
		sent := func() int {
			t.Helper()
			n := 0
			for _, m := range h.rec.Mails() {
				if slices.Contains(m.To, sueEmail) {
					n++
				}
			}
			return n
		}
		sue, err := h.p.InviteStaff(h.owner, portal.InviteStaffParams{Email: sueEmail, Name: "Sue", Role: identity.StaffAgent})
		require.NoError(t, err)
		n, ok := h.rec.Last(sueEmail)
		require.True(t, ok)
		_, err = h.p.SignInStaffWithLoginLink(t.Context(), n.Token) // activates her
		require.NoError(t, err)
		sue, err = h.p.GetStaff(h.owner, sue.ID)
		require.NoError(t, err)
		sue, err = h.p.UpdateStaff(h.owner, sue.ID, portal.UpdateStaffParams{Version: sue.Version, ServiceDesk: ptr(true)})
		require.NoError(t, err)
		before := sent()

		maint := as(t, h.maintainer)
		tk := h.open(t, maint, portal.OpenTicketParams{})
		_, err = h.p.AddTicketComment(maint, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "Nobody has it yet"})
		require.NoError(t, err)
		assert.Equal(t, before, sent(), "unassigned: nobody to mail")

		tk, err = h.p.AssignTicket(h.desk, h.c.ID, tk.ID, portal.AssignTicketParams{Version: tk.Version, Assignee: sue.ID})
		require.NoError(t, err)
		_, err = h.p.AddTicketComment(h.desk, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "Which serial number?"})
		require.NoError(t, err)
		_, err = h.p.AddTicketComment(h.desk, h.c.ID, tk.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "note"})
		require.NoError(t, err)
		assert.Equal(t, before, sent(), "the desk's own comments")

		_, err = h.p.AddTicketComment(maint, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "It is 5CG1234XYZ"})
		require.NoError(t, err)
		require.Equal(t, before+1, sent())
		m, _ := h.rec.Last(sueEmail)
		assert.Equal(t, portal.NotifyTicketCustomerReply, m.Kind)
		assert.Contains(t, m.Subject, tk.Number.String())
		assert.Contains(t, m.Text, "It is 5CG1234XYZ")
		assert.Contains(t, m.Link, "/console/tickets/"+string(tk.ID))

		// The customer's own wording of the mail.
		_, err = h.p.PutMailTemplate(h.owner, h.c.ID, mailer.KindTicketCustomerReply, "en", portal.MailTemplateParams{Subject: "Acme wrote on {{.TicketNumber}}"})
		require.NoError(t, err)
		_, err = h.p.AddTicketComment(maint, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "Any news?"})
		require.NoError(t, err)
		m, _ = h.rec.Last(sueEmail)
		assert.Equal(t, "Acme wrote on "+tk.Number.String(), m.Subject)

		_, err = h.p.DisableStaff(h.owner, sue.ID)
		require.NoError(t, err)
		count := sent()
		_, err = h.p.AddTicketComment(maint, h.c.ID, tk.ID, portal.AddTicketCommentParams{Body: "Hello?"})
		require.NoError(t, err)
		assert.Equal(t, count, sent(), "a disabled assignee")
	})
}
