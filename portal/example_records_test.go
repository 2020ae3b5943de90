package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// The provider's system sends a contract without a customer; the
// customer's admin claims it by its numbers, changes its instalment within
// the rules, and a change of its billing address waits for staff.
func ExamplePortal_ClaimRecord() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, err := portal.New(portal.Config{
		Store: store,
		Now:   func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) },
		IDs:   portal.SequentialIDs(),
	})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))
	c, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Acme GmbH"})
	if err != nil {
		panic(err)
	}
	ada, err := p.AddMember(staff, c.ID, portal.AddMemberParams{Email: "ada@acme.example", Name: "Ada", Role: customer.RoleAdmin})
	if err != nil {
		panic(err)
	}
	asAda := identity.NewContext(context.Background(), identity.User(ada.Membership))

	if _, err := p.UpsertRecords(staff, []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: "erp-4711",
		Values: map[string]string{"contract_number": "V-4711", "customer_number": "K-0815", "status": "active", "monthly_instalment": "10000"}}}); err != nil {
		panic(err)
	}
	_, err = p.ClaimRecord(asAda, c.ID, portal.ClaimRecordParams{Type: record.TypeContract,
		Identifiers: map[string]string{"contract_number": "V-4711", "customer_number": "K-0816"}})
	fmt.Println("one wrong number:", portalerr.CodeOf(err))
	r, err := p.ClaimRecord(asAda, c.ID, portal.ClaimRecordParams{Type: record.TypeContract,
		Identifiers: map[string]string{"contract_number": "V-4711", "customer_number": "K-0815"}})
	if err != nil {
		panic(err)
	}
	fmt.Println("claimed:", r.Values["contract_number"])

	_, err = p.UpdateRecord(asAda, c.ID, r.ID, portal.UpdateRecordParams{Version: r.Version, Values: map[string]string{"monthly_instalment": "12000"}})
	fmt.Println("20% more:", record.RuleOf(err))
	e, err := p.UpdateRecord(asAda, c.ID, r.ID, portal.UpdateRecordParams{Version: r.Version, Values: map[string]string{"monthly_instalment": "10500"}})
	if err != nil {
		panic(err)
	}
	fmt.Println("5% more:", e.Record.Values["monthly_instalment"])
	e, err = p.UpdateRecord(asAda, c.ID, r.ID, portal.UpdateRecordParams{Version: e.Record.Version, Values: map[string]string{"billing_email": "invoices@acme.example"}})
	if err != nil {
		panic(err)
	}
	fmt.Println("billing address:", e.Request.Status)
	if _, err := p.DecideRecordChange(staff, e.Request.ID, portal.DecideRecordChangeParams{Approve: true}); err != nil {
		panic(err)
	}
	r, err = p.GetRecord(asAda, c.ID, r.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("approved:", r.Values["billing_email"])
	// Output:
	// one wrong number: not_found
	// claimed: V-4711
	// 20% more: relative_change
	// 5% more: 10500
	// billing address: pending
	// approved: invoices@acme.example
}
