package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/smtptest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/record"
)

// The customer user who asked for a change that needs approval hears what
// staff decided, through the outbox and SMTP, in that user's language:
// which record, which field, the decision, and staff's reason.
func TestRecordChangeDecisionIsMailed(t *testing.T) {
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		admin := m.addMember(t, c.ID, "anna@acme.example", customer.RoleAdmin)
		other := m.addMember(t, c.ID, "otto@acme.example", customer.RoleAdmin)
		_, err := m.p.UpdateMyAccount(as(t, other), portal.UpdateMyAccountParams{Name: "Otto", Locale: "de"})
		require.NoError(t, err)
		rec, err := m.p.CreateRecord(m.owner, c.ID, portal.RecordParams{Type: record.TypeContract, Values: contractValues("C-1")})
		require.NoError(t, err)

		ask := func(who portal.Member, email string) record.ChangeRequest {
			t.Helper()
			cur, err := m.p.GetRecord(m.owner, c.ID, rec.ID)
			require.NoError(t, err)
			e, err := m.p.UpdateRecord(as(t, who), c.ID, rec.ID, portal.UpdateRecordParams{Version: cur.Version, Values: map[string]string{"billing_email": email}})
			require.NoError(t, err)
			require.NotNil(t, e.Request, "the billing e-mail needs approval")
			return *e.Request
		}
		rejected := ask(admin, "private@gmail.example")
		_, err = m.p.DecideRecordChange(portaltest.ServiceDesk(t.Context()), rejected.ID, portal.DecideRecordChangeParams{Note: "Please use your company's domain."})
		require.NoError(t, err)
		approved := ask(other, "invoices@acme.example")
		_, err = m.p.DecideRecordChange(m.owner, approved.ID, portal.DecideRecordChangeParams{Approve: true})
		require.NoError(t, err)
		assert.Empty(t, m.smtp.Messages(), "nothing leaves before the worker runs")

		assert.Equal(t, portal.OutboxReport{Claimed: 2, Sent: 2}, m.deliver(t))
		got := decided(t, m, "anna@acme.example")
		require.Len(t, got, 1)
		p := smtptest.Parse(t, got[0].Data)
		assert.Equal(t, "Your change of Contract C-1, K-C-1 is rejected", p.Subject)
		assert.Equal(t, "record_change_decided", p.Header.Get("X-Portalkit-Kind"))
		text := p.Parts["text/plain"]
		assert.Contains(t, text, "Billing e-mail: billing@acme.example → private@gmail.example")
		assert.Contains(t, text, "Note: Please use your company's domain.")
		assert.Contains(t, text, portaltest.PublicURL+"/records/"+string(rec.ID))
		assert.NotContains(t, text, "secret margin", "only what customers see")
		assert.Contains(t, p.Parts["text/html"], "<strong>rejected</strong>")

		got = decided(t, m, "otto@acme.example")
		require.Len(t, got, 1)
		p = smtptest.Parse(t, got[0].Data)
		assert.Equal(t, "Ihre Änderung an Contract C-1, K-C-1 ist freigegeben", p.Subject, "in Otto's language")
		text = p.Parts["text/plain"]
		assert.Contains(t, text, "Billing e-mail: billing@acme.example → invoices@acme.example")
		assert.NotContains(t, text, "Hinweis:", "no note, no note line")
	})
}

// Who left the customer hears nothing more of its records.
func TestRecordChangeDecisionSkipsWhoLeft(t *testing.T) {
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		m.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
		leaver := m.addMember(t, c.ID, "lea@acme.example", customer.RoleAdmin)
		rec, err := m.p.CreateRecord(m.owner, c.ID, portal.RecordParams{Type: record.TypeContract, Values: contractValues("C-1")})
		require.NoError(t, err)
		e, err := m.p.UpdateRecord(as(t, leaver), c.ID, rec.ID, portal.UpdateRecordParams{Version: rec.Version, Values: map[string]string{"billing_email": "x@acme.example"}})
		require.NoError(t, err)
		require.NotNil(t, e.Request)
		require.NoError(t, m.p.RemoveMember(m.owner, c.ID, leaver.Membership.ID))

		_, err = m.p.DecideRecordChange(m.owner, e.Request.ID, portal.DecideRecordChangeParams{})
		require.NoError(t, err)
		m.deliver(t)
		assert.Empty(t, decided(t, m, "lea@acme.example"))
		assert.Len(t, decided(t, m, "boss@acme.example"), 0, "nor anyone else")
	})
}

// decided returns the record_change_decided mail the SMTP server received
// for to.
func decided(t *testing.T, m mailEnv, to string) []smtptest.Message {
	t.Helper()
	var out []smtptest.Message
	for _, msg := range m.received(to) {
		if smtptest.Parse(t, msg.Data).Header.Get("X-Portalkit-Kind") == string(portal.NotifyRecordChangeDecided) {
			out = append(out, msg)
		}
	}
	return out
}
