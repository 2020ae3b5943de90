package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/ticket"
)

// A maintainer reports damage, the service desk answers with a reply and
// an internal note the customer never sees, and resolves the ticket. A
// provider adds its own ticket type to the registry in Config.
func ExamplePortal_OpenTicket() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	types := ticket.DefaultRegistry()
	if err := types.Register(ticket.Type{
		Name: "site_visit", Label: "Visit of a technician",
		Fields: []ticket.Field{{Name: "day", Kind: ticket.KindDate, Required: true, Label: "Day"}},
	}); err != nil {
		panic(err)
	}
	p, err := portal.New(portal.Config{
		Store:       store,
		Now:         func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) },
		IDs:         portal.SequentialIDs(),
		TicketTypes: types,
	})
	if err != nil {
		panic(err)
	}
	admin := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))
	desk := identity.NewContext(context.Background(), identity.ServiceDeskStaff("stf_2", identity.StaffAgent))

	on := true
	c, err := p.CreateCustomer(admin, portal.CreateCustomerParams{Name: "Acme GmbH", Features: customer.FeaturesPatch{Tickets: &on}})
	if err != nil {
		panic(err)
	}
	if _, err := p.AddMember(admin, c.ID, portal.AddMemberParams{Email: "ada@acme.example", Name: "Ada", Role: customer.RoleAdmin}); err != nil {
		panic(err)
	}
	bob, err := p.AddMember(admin, c.ID, portal.AddMemberParams{Email: "bob@acme.example", Name: "Bob", Role: customer.RoleMaintainer})
	if err != nil {
		panic(err)
	}
	asBob := identity.NewContext(context.Background(), identity.User(bob.Membership))

	t, err := p.OpenTicket(asBob, c.ID, portal.OpenTicketParams{
		Type: ticket.TypeEquipmentDamage, Subject: "Cracked display", Fields: map[string]string{"damage": "functional"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Number, t.Status, t.Priority)

	_, err = p.ChangeTicketStatus(admin, c.ID, t.ID, portal.ChangeTicketStatusParams{Version: t.Version, Status: ticket.StatusInProgress})
	fmt.Println("an admin without the service-desk capability:", portalerr.CodeOf(err))

	for _, cm := range []portal.AddTicketCommentParams{
		{Body: "A replacement is on its way."},
		{Visibility: ticket.Internal, Body: "Warranty expired; goodwill."},
	} {
		if _, err := p.AddTicketComment(desk, c.ID, t.ID, cm); err != nil {
			panic(err)
		}
	}
	t, err = p.ChangeTicketStatus(desk, c.ID, t.ID, portal.ChangeTicketStatusParams{Version: t.Version, Status: ticket.StatusResolved})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Number, t.Status)

	seen, err := p.ListTicketComments(asBob, c.ID, t.ID, portal.ListTicketCommentsParams{})
	if err != nil {
		panic(err)
	}
	for _, cm := range seen.Items {
		fmt.Println("Bob reads:", cm.Body)
	}

	_, err = p.OpenTicket(asBob, c.ID, portal.OpenTicketParams{Type: "site_visit", Subject: "Check the printer"})
	fmt.Println(portalerr.FieldsOf(err))
	// Output:
	// T-000001 open normal
	// an admin without the service-desk capability: permission_denied
	// T-000001 resolved
	// Bob reads: A replacement is on its way.
	// [{fields.day is required}]
}
