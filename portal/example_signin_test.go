package portal_test

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// Example_onboarding walks a customer's onboarding: the provider creates the
// customer with its first user, who accepts and invites a colleague; the
// colleague signs in with an e-mail link; an access link is refreshed, and
// its old token stops working.
func Example_onboarding() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	ctx := context.Background()
	// Instead of an SMTP server, a Mailer that keeps the token of the last
	// link mailed to each address, as its recipient would click it.
	tokens := map[string]string{}
	p, err := portal.New(portal.Config{
		Store:                store,
		IDs:                  portal.SequentialIDs(),
		LoginLinkMinDuration: -1, // no padding in an example
		Branding:             mailer.Branding{ProductName: "Acme Portal", PublicBaseURL: "https://portal.example.com"},
		Mailer: mailer.Func(func(_ context.Context, msg mailer.Message) error {
			fmt.Printf("mail %s to %s\n", msg.Headers["X-Portalkit-Kind"], msg.To[0])
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
	// Use cases put mail into the outbox, in their own transaction; a
	// worker sends it. A server runs p.RunOutbox(ctx, …) in the
	// background; here each pass is called when the mail is needed.
	deliver := func() {
		if _, err := p.DeliverOutbox(ctx, portal.OutboxOptions{}); err != nil {
			panic(err)
		}
	}
	staff := identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))

	on := true
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{
		Name:      "Acme GmbH",
		Features:  customer.FeaturesPatch{AccessLinks: &on},
		FirstUser: &portal.FirstUserParams{Email: "ada@acme.example", Message: "Welcome to your portal!"},
	})
	if err != nil {
		panic(err)
	}
	deliver()

	// Ada accepts: she gets an account, the admin membership and a session.
	ada, err := p.AcceptInvitation(ctx, tokens["ada@acme.example"], portal.AcceptInvitationParams{Name: "Ada"})
	if err != nil {
		panic(err)
	}
	fmt.Println("Ada is", ada.Membership.Role)

	// Her session token is all her requests carry.
	who, err := p.Authenticate(ctx, ada.Token)
	if err != nil {
		panic(err)
	}
	asAda := identity.NewContext(ctx, who)
	if _, err := p.Invite(asAda, acme.ID, portal.InviteParams{Email: "bob@acme.example", Role: customer.RoleMaintainer}); err != nil {
		panic(err)
	}
	deliver()
	bob, err := p.AcceptInvitation(ctx, tokens["bob@acme.example"], portal.AcceptInvitationParams{Name: "Bob"})
	if err != nil {
		panic(err)
	}
	deliver()
	fmt.Println("Bob is", bob.Membership.Role)

	// Later Bob signs in with a one-time e-mail link.
	if err := p.RequestLoginLink(ctx, portal.RequestLoginLinkParams{Email: "bob@acme.example"}); err != nil {
		panic(err)
	}
	deliver()
	again, err := p.SignInWithLoginLink(ctx, tokens["bob@acme.example"], portal.SignInParams{})
	fmt.Println("Bob signed in:", err == nil && again.Token != "")
	_, err = p.SignInWithLoginLink(ctx, tokens["bob@acme.example"], portal.SignInParams{})
	fmt.Println("the link again:", portalerr.CodeOf(err))

	// Staff give Bob a read-only access link, then refresh it.
	link, err := p.CreateAccessLink(staff, acme.ID, bob.Membership.ID, portal.CreateAccessLinkParams{ReadOnly: true, ExpiresIn: 90 * 24 * time.Hour})
	if err != nil {
		panic(err)
	}
	viaLink, err := p.SignInWithAccessLink(ctx, link.Token)
	fmt.Println("access link read-only:", err == nil && viaLink.Session.ReadOnly)
	fresh, err := p.RefreshAccessLink(staff, acme.ID, link.Link.ID)
	if err != nil {
		panic(err)
	}
	_, err = p.SignInWithAccessLink(ctx, link.Token)
	fmt.Println("old access link:", portalerr.CodeOf(err))
	_, err = p.SignInWithAccessLink(ctx, fresh.Token)
	fmt.Println("new access link works:", err == nil)
	// Output:
	// mail invitation to ada@acme.example
	// Ada is admin
	// mail invitation to bob@acme.example
	// mail invitation_accepted to ada@acme.example
	// Bob is maintainer
	// mail login_link to bob@acme.example
	// Bob signed in: true
	// the link again: unauthenticated
	// access link read-only: true
	// old access link: unauthenticated
	// new access link works: true
}
