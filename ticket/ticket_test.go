package ticket_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/ticket"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func draft() ticket.Draft {
	return ticket.Draft{
		ID: "tkt_1", CustomerID: "cus_1", Type: ticket.TypeEquipmentDamage, Subject: " Broken screen ",
		Fields: map[string]string{"damage": "functional"}, By: "user:usr_1", At: t0,
	}
}

func TestNumberString(t *testing.T) {
	assert.Equal(t, "T-000123", ticket.Number(123).String())
}

func TestNew(t *testing.T) {
	reg := ticket.DefaultRegistry()
	tk, err := ticket.New(reg, draft())
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, tk.Status)
	assert.Equal(t, ticket.PriorityNormal, tk.Priority)
	assert.Equal(t, "Broken screen", tk.Subject)
	assert.Equal(t, int64(1), tk.Version)
	require.Len(t, tk.History, 1)
	assert.Equal(t, ticket.EventOpened, tk.History[0].Kind)

	tests := []struct {
		name   string
		change func(*ticket.Draft)
		fields []string
	}{
		{"unknown type", func(d *ticket.Draft) { d.Type = "nope" }, []string{"type"}},
		{"no subject", func(d *ticket.Draft) { d.Subject = " " }, []string{"subject"}},
		{"two-line subject", func(d *ticket.Draft) { d.Subject = "a\nb" }, []string{"subject"}},
		{"bad priority", func(d *ticket.Draft) { d.Priority = "asap" }, []string{"priority"}},
		{"line without order", func(d *ticket.Draft) { d.Links.OrderLine = 2 }, []string{"links.order_line"}},
		{"missing required", func(d *ticket.Draft) { d.Fields = nil }, []string{"fields.damage"}},
		{"bad enum", func(d *ticket.Draft) { d.Fields = map[string]string{"damage": "meh"} }, []string{"fields.damage"}},
		{"bad date", func(d *ticket.Draft) { d.Fields["noticed_on"] = "yesterday" }, []string{"fields.noticed_on"}},
		{"unknown field", func(d *ticket.Draft) { d.Fields["colour"] = "red" }, []string{"fields.colour"}},
		{"rental change without dates", func(d *ticket.Draft) {
			d.Type, d.Fields = ticket.TypeRentalChange, map[string]string{"change": "stop"}
		}, []string{"fields.end_date"}},
		{"rental dates reversed", func(d *ticket.Draft) {
			d.Type, d.Fields = ticket.TypeRentalChange, map[string]string{"change": "extend", "start_date": "2026-05-02", "end_date": "2026-05-01"}
		}, []string{"fields.end_date"}},
		{"order line dates without line", func(d *ticket.Draft) {
			d.Type, d.Fields = ticket.TypeOrderLineDates, map[string]string{"off_rent_date": "2026-05-01"}
		}, []string{"links.order_line"}},
		{"master data without fields", func(d *ticket.Draft) {
			d.Type, d.Fields = ticket.TypeMasterDataChange, nil
		}, []string{"fields"}},
		{"master data bad e-mail", func(d *ticket.Draft) {
			d.Type, d.Fields = ticket.TypeMasterDataChange, map[string]string{"contact_email": "Bob <b@x.de>"}
		}, []string{"fields.contact_email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := draft()
			d.Fields = map[string]string{"damage": "functional"}
			tt.change(&d)
			_, err := ticket.New(reg, d)
			require.Error(t, err)
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
			var got []string
			for _, f := range portalerr.FieldsOf(err) {
				got = append(got, f.Field)
			}
			assert.Equal(t, tt.fields, got)
		})
	}

	ok := draft()
	ok.Type, ok.Fields = ticket.TypeOrderLineDates, map[string]string{"on_rent_date": "2026-05-01", "off_rent_date": "2026-06-01"}
	ok.Links = ticket.Links{OrderID: "ord_1", OrderLine: 1}
	_, err = ticket.New(reg, ok)
	assert.NoError(t, err)
}

func TestStatusMachine(t *testing.T) {
	all := ticket.Statuses
	allowed := map[[2]ticket.Status]bool{
		{ticket.StatusOpen, ticket.StatusInProgress}:              true,
		{ticket.StatusOpen, ticket.StatusWaitingOnCustomer}:       true,
		{ticket.StatusOpen, ticket.StatusResolved}:                true,
		{ticket.StatusOpen, ticket.StatusClosed}:                  true,
		{ticket.StatusInProgress, ticket.StatusWaitingOnCustomer}: true,
		{ticket.StatusInProgress, ticket.StatusResolved}:          true,
		{ticket.StatusInProgress, ticket.StatusClosed}:            true,
		{ticket.StatusWaitingOnCustomer, ticket.StatusInProgress}: true,
		{ticket.StatusWaitingOnCustomer, ticket.StatusResolved}:   true,
		{ticket.StatusWaitingOnCustomer, ticket.StatusClosed}:     true,
		{ticket.StatusResolved, ticket.StatusClosed}:              true,
	}
	for _, from := range all {
		for _, to := range all {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				tk := ticket.Ticket{ID: "tkt_1", Status: from, Version: 3}
				next, ev, err := tk.Move(to, ticket.Act{By: "staff:stf_1", At: t0})
				if !allowed[[2]ticket.Status{from, to}] {
					assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
					return
				}
				require.NoError(t, err)
				assert.Equal(t, to, next.Status)
				assert.Equal(t, ticket.Event{Kind: ticket.EventStatus, From: string(from), To: string(to), At: t0, By: "staff:stf_1"}, ev)
				assert.Equal(t, []ticket.Event{ev}, next.History)
				assert.Equal(t, to == ticket.StatusResolved, !next.ResolvedAt.IsZero())
				assert.Equal(t, from, tk.Status, "the receiver is unchanged")
			})
		}
	}
	_, _, err := ticket.Ticket{Status: ticket.StatusOpen}.Move("done", ticket.Act{})
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
}

func TestReopen(t *testing.T) {
	tk := ticket.Ticket{Status: ticket.StatusInProgress}
	tk, _, err := tk.Move(ticket.StatusResolved, ticket.Act{At: t0})
	require.NoError(t, err)
	window := 7 * 24 * time.Hour

	next, ev, err := tk.Reopen(ticket.Act{By: "user:usr_1", At: t0.Add(window)}, window)
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, next.Status)
	assert.True(t, next.ResolvedAt.IsZero())
	assert.Equal(t, ticket.EventReopened, ev.Kind)

	_, _, err = tk.Reopen(ticket.Act{At: t0.Add(window + time.Second)}, window)
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
	_, _, err = next.Reopen(ticket.Act{At: t0}, window)
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err), "only a resolved ticket")
}

func TestAssignAndApply(t *testing.T) {
	tk := ticket.Ticket{Status: ticket.StatusOpen, Type: ticket.TypeMasterDataChange}
	tk, ev, err := tk.Assign("stf_1", ticket.Act{At: t0})
	require.NoError(t, err)
	assert.Equal(t, ticket.Event{Kind: ticket.EventAssigned, To: "stf_1", At: t0}, ev)
	_, _, err = tk.Assign("stf_1", ticket.Act{At: t0})
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))

	tk, _, err = tk.MarkApplied(ticket.Act{At: t0})
	require.NoError(t, err)
	assert.Equal(t, t0, tk.AppliedAt)
	_, _, err = tk.MarkApplied(ticket.Act{At: t0})
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err), "applied once")
	_, _, err = ticket.Ticket{Type: ticket.TypeGeneric}.MarkApplied(ticket.Act{At: t0})
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
}

func TestNewComment(t *testing.T) {
	c, err := ticket.NewComment(ticket.Comment{Visibility: ticket.Internal, Body: " hi "})
	require.NoError(t, err)
	assert.Equal(t, "hi", c.Body)
	_, err = ticket.NewComment(ticket.Comment{Visibility: "secret", Body: ""})
	assert.Len(t, portalerr.FieldsOf(err), 2)
}

func TestRegistry(t *testing.T) {
	reg := ticket.DefaultRegistry()
	assert.Equal(t, []string{"equipment_damage", "generic", "invoice_question", "master_data_change", "order_line_dates", "rental_change"}, reg.Names())

	err := reg.Register(ticket.Type{Name: "Bad Name", Fields: []ticket.Field{{Name: "x", Kind: "colour"}, {Name: "x", Kind: ticket.KindEnum}}})
	require.Error(t, err)
	var got []string
	for _, f := range portalerr.FieldsOf(err) {
		got = append(got, f.Field)
	}
	assert.Equal(t, []string{"name", "fields[0].kind", "fields[1].name", "fields[1].options"}, got)

	require.NoError(t, reg.Register(ticket.Type{
		Name:   "site_visit",
		Fields: []ticket.Field{{Name: "day", Kind: ticket.KindDate, Required: true}},
		Validate: func(f map[string]string, l ticket.Links) error {
			if l.SiteID == "" {
				return portalerr.Invalidf("links.site_id", "name the site")
			}
			return nil
		},
	}))
	d := draft()
	d.Type, d.Fields = "site_visit", map[string]string{"day": "2026-04-01"}
	_, err = ticket.New(reg, d)
	require.Error(t, err)
	assert.Equal(t, "links.site_id", portalerr.FieldsOf(err)[0].Field)
	d.Links.SiteID = "sit_1"
	_, err = ticket.New(reg, d)
	assert.NoError(t, err)
}
