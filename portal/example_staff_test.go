package portal_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// ExamplePortal_InviteStaff gives a new deployment its first owner, who
// invites an agent; the agent signs in with the mailed link, which
// activates it, and a web console would keep the session token in a
// cookie and pass it to Authenticate on every request.
func ExamplePortal_InviteStaff() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	ctx := context.Background()
	links := map[string]string{}
	p, err := portal.New(portal.Config{
		Store:    store,
		IDs:      portal.SequentialIDs(),
		Branding: mailer.Branding{ProductName: "Acme Portal", PublicBaseURL: "https://portal.example.com"},
		Mailer: mailer.Func(func(_ context.Context, msg mailer.Message) error {
			for _, l := range msg.Links() {
				if u, err := url.Parse(l); err == nil && u.Query().Has("token") {
					links[msg.To[0]] = l
				}
			}
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}

	boot, err := p.Bootstrap(ctx, portal.BootstrapParams{OwnerEmail: "grace@provider.example", OwnerName: "Grace"})
	if err != nil {
		panic(err)
	}
	owner, err := p.SignInStaffWithLoginLink(ctx, boot.OwnerLoginToken)
	if err != nil {
		panic(err)
	}
	who, err := p.Authenticate(ctx, owner.Token)
	if err != nil {
		panic(err)
	}
	fmt.Println(who.Kind, who.StaffRole)

	asOwner := identity.NewContext(ctx, who)
	alan, err := p.InviteStaff(asOwner, portal.InviteStaffParams{Email: "alan@provider.example", Name: "Alan", Role: identity.StaffAgent})
	if err != nil {
		panic(err)
	}
	fmt.Println(alan.Name, alan.Status)
	if _, err := p.DeliverOutbox(ctx, portal.OutboxOptions{}); err != nil {
		panic(err)
	}
	link, _ := url.Parse(links["alan@provider.example"])
	fmt.Println(link.Path)

	in, err := p.SignInStaffWithLoginLink(ctx, link.Query().Get("token"))
	if err != nil {
		panic(err)
	}
	fmt.Println(in.Staff.Name, in.Staff.Status, in.Session.Method)
	// Output:
	// staff owner
	// Alan invited
	// /console/accept
	// Alan active invitation
}
