package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/memory"
)

// Example_onboarding walks a customer's onboarding: the provider creates the
// customer with its first user, who accepts and invites a colleague; the
// colleague signs in with an e-mail link; an access link is refreshed, and
// its old token stops working.
func Example_onboarding() {
	ctx := context.Background()
	// Mail is not wired up here: keep the last token sent to each address,
	// as a mailer would put it into a link.
	tokens := map[string]string{}
	p, err := portal.New(portal.Config{
		Store:                memory.New(),
		IDs:                  portal.SequentialIDs(),
		LoginLinkMinDuration: -1, // no padding in an example
		Notifier: portal.NotifierFunc(func(_ context.Context, n portal.Notification) error {
			fmt.Printf("mail %s to %s\n", n.Kind, n.To)
			tokens[n.To] = n.Token
			return nil
		}),
	})
	if err != nil {
		panic(err)
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
	bob, err := p.AcceptInvitation(ctx, tokens["bob@acme.example"], portal.AcceptInvitationParams{Name: "Bob"})
	if err != nil {
		panic(err)
	}
	fmt.Println("Bob is", bob.Membership.Role)

	// Later Bob signs in with a one-time e-mail link.
	if err := p.RequestLoginLink(ctx, portal.RequestLoginLinkParams{Email: "bob@acme.example"}); err != nil {
		panic(err)
	}
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
