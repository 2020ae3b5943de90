package portal_test

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// A customer with a host name of its own: a sign-in page served for that
// host shows the customer's look, any other host the provider's.
func ExamplePortal_BrandingForHost() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, err := portal.New(portal.Config{
		Store:    store,
		Branding: mailer.Branding{ProductName: "Provider Portal", PublicBaseURL: "https://portal.provider.example"},
	})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))
	_, err = p.CreateCustomer(staff, portal.CreateCustomerParams{
		Name: "Acme GmbH",
		Branding: customer.Branding{
			DisplayName: "Acme Portal", AccentColor: "#ff8800", HostName: "portal.acme.example",
		},
	})
	if err != nil {
		panic(err)
	}

	// No caller: a web UI asks with the request's Host before anyone signs in.
	for _, host := range []string{"portal.acme.example:443", "portal.provider.example"} {
		b, err := p.BrandingForHost(context.Background(), host)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s %s %s\n", host, b.Name, b.AccentColor, b.BaseURL)
	}
	// Output:
	// portal.acme.example:443: Acme Portal #ff8800 https://portal.acme.example
	// portal.provider.example: Provider Portal #2563eb https://portal.provider.example
}
