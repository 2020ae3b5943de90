package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
)

// demoRef marks the demo data, so that a second start with --demo seeds nothing.
const demoRef = "demo:acme"

// seedDemo creates, through the portal's use cases, two customers, a site,
// customer users in every role and staff API keys in every role, and prints
// how each one signs in. base is the server's public URL.
func seedDemo(ctx context.Context, p *portal.Portal, mail *tokenTap, base string, out io.Writer) error {
	staff := identity.NewContext(ctx, identity.Staff("demo", identity.StaffOwner))
	l, err := p.ListCustomers(staff, portal.ListCustomersParams{Search: demoRef, Limit: 1})
	if err != nil {
		return err
	}
	if len(l.Items) > 0 {
		fmt.Fprintln(out, "Demo data is already in this database; its sign-in links were printed when it was seeded.")
		return nil
	}

	on := true
	features := customer.FeaturesPatch{OrderAuthorization: &on, Tickets: &on, AccessLinks: &on}
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{
		Name: "Acme GmbH", ExternalRef: demoRef, ContactEmail: "it@acme.example",
		Address:  customer.Address{Line1: "Hafenstraße 12", PostalCode: "20457", City: "Hamburg", Country: "DE"},
		Features: features,
	})
	if err != nil {
		return err
	}
	globex, err := p.CreateCustomer(staff, portal.CreateCustomerParams{
		Name: "Globex AG", ExternalRef: "demo:globex", ContactEmail: "office@globex.example", Features: features,
	})
	if err != nil {
		return err
	}
	hamburg, err := p.CreateSite(staff, acme.ID, portal.SiteParams{Name: "Hamburg"})
	if err != nil {
		return err
	}

	type person struct {
		c     customer.Customer
		email string
		name  string
		role  customer.Role
		sites []customer.SiteID
	}
	people := []person{
		{acme, "ada@acme.example", "Ada Admin", customer.RoleAdmin, nil},
		{acme, "max@acme.example", "Max Maintainer", customer.RoleMaintainer, nil},
		{acme, "vera@acme.example", "Vera Viewer", customer.RoleViewer, []customer.SiteID{hamburg.ID}},
		{globex, "gina@globex.example", "Gina Admin", customer.RoleAdmin, nil},
	}
	fmt.Fprintf(out, "\nDemo data: customers %s (%s) and %s (%s), site %s (%s).\n",
		acme.Name, acme.ID, globex.Name, globex.ID, hamburg.Name, hamburg.ID)
	fmt.Fprintln(out, "Sign-in links (access links, reusable for 6 months): open one in a browser, or trade its token for a session token with the curl below it:")
	for _, u := range people {
		m, err := p.AddMember(staff, u.c.ID, portal.AddMemberParams{Email: u.email, Name: u.name, Role: u.role, SiteIDs: u.sites})
		if err != nil {
			return err
		}
		link, err := p.CreateAccessLink(staff, u.c.ID, m.ID, portal.CreateAccessLinkParams{})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n  %s <%s>, %s of %s:\n    %s/access?%s\n", u.name, u.email, m.Role, u.c.Name, base, url.Values{"token": {link.Token}}.Encode())
		fmt.Fprintf(out, "    curl -s -X POST %s/v1/auth/access-links/redeem -H 'Content-Type: application/json' -d '{\"token\":\"%s\"}'\n", base, link.Token)
	}

	// An invitation still open, as a customer's admin would send it.
	const otto = "otto@globex.example"
	if _, err := p.Invite(staff, globex.ID, portal.InviteParams{Email: otto, Role: customer.RoleMaintainer}); err != nil {
		return err
	}
	// Send it now, before the worker starts, to learn its token.
	if _, err := p.DeliverOutbox(ctx, outboxOptions); err != nil {
		return err
	}
	token := mail.lastToken(otto)
	fmt.Fprintf(out, "\n  %s is invited to %s as maintainer (the link works once, for 7 days):\n    %s/accept?%s\n", otto, globex.Name, base, url.Values{"token": {token}}.Encode())
	fmt.Fprintf(out, "    curl -s -X POST %s/v1/auth/invitations/accept -H 'Content-Type: application/json' -d '{\"token\":\"%s\",\"name\":\"Otto\"}'\n", base, token)

	fmt.Fprintln(out, "\nStaff API keys (use as: Authorization: Bearer <key>):")
	for _, r := range []identity.StaffRole{identity.StaffAdmin, identity.StaffAgent} {
		k, err := p.CreateAPIKey(staff, portal.CreateAPIKeyParams{Name: "demo " + string(r), Role: r})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-5s %s\n", r, k.Token)
	}
	fmt.Fprintln(out)
	return nil
}
