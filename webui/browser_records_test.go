package webui_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
)

// TestBrowserRecordAction walks a customer's maintainer in Chromium through
// a record's action: on her meter's page she reports a reading, first with
// a description too long (past the form's maxlength), which the server
// refuses at the form, then as she should; the page names the ticket it opened, which she follows. Every
// page is checked with axe-core.
func TestBrowserRecordAction(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	on := true
	c, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Initech", Features: customer.FeaturesPatch{Tickets: &on}})
	require.NoError(t, err)
	_, err = s.p.AddMember(s.staff, c.ID, portal.AddMemberParams{Email: "mia@initech.example", Name: "Mia", Role: customer.RoleMaintainer})
	require.NoError(t, err)
	m, err := s.p.CreateRecord(s.staff, c.ID, portal.RecordParams{Type: record.TypeMeter, Values: map[string]string{
		"meter_number": "M-4711", "contract_number": "C-0815", "medium": "water"}})
	require.NoError(t, err)

	v := s.newVisitor(t, "mia (maintainer)")
	signInByLink(t, v, "mia@initech.example")
	v = v.in(t)
	v.open("/records/" + string(m.ID))
	form := `form[action="/records/` + string(m.ID) + `/actions/report_reading"]`
	require.True(t, v.has(form), "the meter offers its action")
	v.checkAccessible()

	// Longer than the form lets one type: as a browser that ignores
	// maxlength would send it.
	eval[string](v, `document.querySelector('`+form+` textarea[name=description]').value = 'x'.repeat(9001)`)
	v.click(form + ` button`)
	v.requireStatus(400)
	assert.Contains(t, v.text(form+` .error`), "Please check your input", "the refusal shows at the form")
	assert.Equal(t, 9001, eval[int](v, `document.querySelector('`+form+` textarea[name=description]').value.length`), "what she typed stays")
	v.checkAccessible()

	v.open("/records/" + string(m.ID))
	v.typeInto(form+` textarea[name=description]`, "The meter reads 1234 m³.")
	v.click(form + ` button`)
	v.requireStatus(200)
	assert.Contains(t, v.body(), "Your request is sent as a support ticket.")
	l, err := s.p.ListTickets(s.staff, c.ID, portal.ListTicketsParams{RecordID: m.ID})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	tk := l.Items[0]
	assert.Contains(t, tk.Description, "The meter reads 1234 m³.")
	assert.Contains(t, v.text(`#action-result`), "#"+tk.Number.String())
	v.checkAccessible()

	v.click(`#action-result a`)
	v.requireStatus(200)
	assert.Equal(t, "/tickets/"+string(tk.ID), v.location().Path)
	assert.Contains(t, v.body(), "Report meter reading: Meter M-4711, C-0815")
	assert.Equal(t, ticket.StatusOpen, tk.Status)
}
