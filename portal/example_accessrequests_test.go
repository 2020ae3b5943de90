package portal_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// Someone asks for access on the public form and confirms the address
// through the mailed link; staff see the request with the customers it
// may belong to, connect it to a new customer whose first admin the
// requester becomes, and a second decision is refused, naming the first.
func ExamplePortal_RequestAccess() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	ctx := context.Background()
	tokens := map[string]string{}
	p, err := portal.New(portal.Config{
		Store:    store,
		IDs:      portal.SequentialIDs(),
		Branding: mailer.Branding{ProductName: "Acme Portal", PublicBaseURL: "https://portal.example.com"},
		Mailer: mailer.Func(func(_ context.Context, msg mailer.Message) error {
			fmt.Printf("mail %s to %s: %s\n", msg.Headers["X-Portalkit-Kind"], msg.To[0], msg.Subject)
			for _, l := range msg.Links() {
				if u, err := url.Parse(l); err == nil && u.Query().Has("token") {
					tokens[msg.To[0]] = u.Query().Get("token")
				}
			}
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	deliver := func() {
		if _, err := p.DeliverOutbox(ctx, portal.OutboxOptions{}); err != nil {
			panic(err)
		}
	}
	staff := identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))
	if _, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Initech Holding", ContactEmail: "office@initech.example"}); err != nil {
		panic(err)
	}

	err = p.RequestAccess(ctx, portal.RequestAccessParams{
		CompanyName: "Initech GmbH", Name: "Peter Gibbons", Email: "peter@initech.example", Language: "de",
	})
	if err != nil {
		panic(err)
	}
	deliver()
	if err := p.ConfirmAccessRequest(ctx, tokens["peter@initech.example"]); err != nil {
		panic(err)
	}

	pending, err := p.ListAccessRequests(staff, portal.ListAccessRequestsParams{Status: accessrequest.StatusPending})
	if err != nil {
		panic(err)
	}
	r, err := p.GetAccessRequest(staff, pending.Items[0].ID)
	if err != nil {
		panic(err)
	}
	for _, m := range r.Matches {
		fmt.Println("matches", m.Customer.Name, "by", m.Reasons[0].Kind)
	}

	d, err := p.ConnectAccessRequestToNewCustomer(staff, r.ID, portal.ConnectNewCustomerParams{
		Customer: portal.AccessRequestCustomer(r.Request),
	})
	if err != nil {
		panic(err)
	}
	deliver()
	fmt.Println(d.Request.Status, "to", d.Customer.Name, "by", d.Request.Decision.By)

	_, err = p.RejectAccessRequest(staff, r.ID, portal.RejectAccessRequestParams{Message: "Too late."})
	fmt.Println(portalerr.CodeOf(err))

	// Output:
	// mail access_request_confirm to peter@initech.example: Bestätigen Sie Ihre Zugangsanfrage für Acme Portal
	// matches Initech Holding by email_domain
	// mail invitation to peter@initech.example: Einladung zu Initech GmbH auf Acme Portal
	// connected to Initech GmbH by staff:stf_1
	// conflict
}
