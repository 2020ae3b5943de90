package portal_test

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// ExamplePortal_ListCustomerNews has staff publish an article to every
// customer, and a customer's admin one for its own people; a viewer of
// that customer reads both, newest first, with the Markdown rendered
// safely by news.Render.
func ExamplePortal_ListCustomerNews() {
	ctx := context.Background()
	store, err := sqlite.OpenTemp(ctx)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, err := portal.New(portal.Config{Store: store, IDs: portal.SequentialIDs()})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Acme GmbH"})
	if err != nil {
		panic(err)
	}
	member := func(email string, role customer.Role) context.Context {
		m, err := p.AddMember(staff, acme.ID, portal.AddMemberParams{Email: email, Name: email, Role: role})
		if err != nil {
			panic(err)
		}
		return identity.NewContext(ctx, identity.User(m.Membership))
	}
	admin, viewer := member("ada@acme.example", customer.RoleAdmin), member("vic@acme.example", customer.RoleViewer)

	if _, err := p.CreateArticle(staff, portal.CreateArticleParams{
		Title: "Holiday hours", Body: "Closed on **24 December**.", Audience: news.Everyone,
	}); err != nil {
		panic(err)
	}
	if _, err := p.CreateCustomerArticle(admin, acme.ID, portal.CreateCustomerArticleParams{
		Title: "New printer", Body: "On the *second* floor.",
	}); err != nil {
		panic(err)
	}

	l, err := p.ListCustomerNews(viewer, acme.ID, portal.ListCustomerNewsParams{})
	if err != nil {
		panic(err)
	}
	for _, a := range l.Items {
		fmt.Printf("%s: %s", a.Title, news.Render(a.Body))
	}
	// Output:
	// New printer: <p>On the <em>second</em> floor.</p>
	// Holiday hours: <p>Closed on <strong>24 December</strong>.</p>
}
