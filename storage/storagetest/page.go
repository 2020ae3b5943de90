package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

// lister is one filtered, paged list. setup prepares a store and returns add,
// which stores one more row the list shows (and, around it, rows of the same
// kind that the filter hides) and returns its ID; list, which reads one page;
// and del, which deletes a row, or nil when the repo cannot delete.
type lister struct {
	name      string
	canDelete bool
	setup     func(t *testing.T, s storage.Store) (add func() string, list func(storage.Page) ([]string, string, error), del func(id string) error)
}

var listers = []lister{
	{"Customers", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		n := 0
		add := func() string {
			n++
			hidden := newCustomer(fmt.Sprintf("Hidden %d", n))
			hidden.Status = customer.StatusSuspended
			createCustomer(t, s, hidden)
			return string(createCustomer(t, s, newCustomer(fmt.Sprintf("Customer %d", n))).ID)
		}
		f := storage.CustomerFilter{Statuses: []customer.Status{customer.StatusActive}}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listCustomers(t, s, f, p)
			return idsOf(l.Items, func(c customer.Customer) customer.ID { return c.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Memberships", true, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		other := createCustomer(t, s, newCustomer("Globex"))
		n := 0
		add := func() string {
			n++
			u := createUser(t, s, newUser(fmt.Sprintf("user%d@example.com", n)))
			createMembership(t, s, newMembership(u.ID, other.ID))
			return string(createMembership(t, s, newMembership(u.ID, c.ID)).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listMemberships(t, s, storage.MembershipFilter{CustomerID: c.ID}, p)
			return idsOf(l.Items, func(m customer.Membership) customer.MembershipID { return m.ID }), l.NextCursor, err
		}
		del := func(id string) error { return deleteMembership(t, s, customer.MembershipID(id)) }
		return add, list, del
	}},
	{"Sites", true, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		other := createCustomer(t, s, newCustomer("Globex"))
		n := 0
		add := func() string {
			n++
			createSite(t, s, newSite(other.ID, fmt.Sprintf("Site %d", n)))
			return string(createSite(t, s, newSite(c.ID, fmt.Sprintf("Site %d", n))).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listSites(t, s, storage.SiteFilter{CustomerID: c.ID}, p)
			return idsOf(l.Items, func(s customer.Site) customer.SiteID { return s.ID }), l.NextCursor, err
		}
		del := func(id string) error { return deleteSite(t, s, customer.SiteID(id)) }
		return add, list, del
	}},
	{"Invitations", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		other := createCustomer(t, s, newCustomer("Globex"))
		add := func() string {
			createInvitation(t, s, newInvitationFor(other.ID))
			return string(createInvitation(t, s, newInvitationFor(c.ID)).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listInvitations(t, s, storage.InvitationFilter{CustomerID: c.ID}, p)
			return idsOf(l.Items, func(i invite.Invitation) invite.ID { return i.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"AccessLinks", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		fx := newLinkFixture(t, s)
		add := func() string {
			createAccessLink(t, s, newAccessLink(fx.bobM))
			return string(createAccessLink(t, s, newAccessLink(fx.annM)).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listAccessLinks(t, s, storage.AccessLinkFilter{MembershipID: fx.annM.ID}, p)
			return idsOf(l.Items, func(l invite.AccessLink) invite.AccessLinkID { return l.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Sessions", true, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		fx := newLinkFixture(t, s)
		add := func() string {
			createSession(t, s, newSession(fx.bobM))
			return string(createSession(t, s, newSession(fx.annM)).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listSessions(t, s, storage.SessionFilter{UserID: fx.ann.ID}, p)
			return idsOf(l.Items, func(sn identity.Session) identity.SessionID { return sn.ID }), l.NextCursor, err
		}
		del := func(id string) error { return deleteSession(t, s, identity.SessionID(id)) }
		return add, list, del
	}},
	{"APIKeys", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		n := 0
		add := func() string {
			n++
			k := newAPIKey(fmt.Sprintf("Key %d", n))
			if n%2 == 0 {
				k.RevokedAt = at(time.Hour) // listed all the same
			}
			return string(createAPIKey(t, s, k).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listAPIKeys(t, s, p)
			return idsOf(l.Items, func(k identity.APIKey) identity.APIKeyID { return k.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Outbox", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		n := 0
		add := func() string {
			n++
			enqueue(t, s, newOutbox("", fmt.Sprintf("hidden%d@example.com", n)))
			return string(enqueue(t, s, newOutbox(c.ID, fmt.Sprintf("user%d@example.com", n))).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listOutbox(t, s, storage.OutboxFilter{CustomerID: c.ID, Status: outbox.Pending}, p)
			return idsOf(l.Items, func(m outbox.Message) outbox.ID { return m.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Audit", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		other := createCustomer(t, s, newCustomer("Globex"))
		add := func() string {
			appendEvent(t, s, newEvent(other.ID, "obj_1", "thing.done"))
			return string(appendEvent(t, s, newEvent(c.ID, "obj_1", "thing.done")).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listEvents(t, s, storage.AuditFilter{CustomerID: c.ID}, p)
			return idsOf(l.Items, func(e audit.Event) audit.ID { return e.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Products", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		n := 0
		add := func() string {
			n++
			hidden := newProduct(fmt.Sprintf("OLD-%d", n))
			hidden.Active = false
			createProduct(t, s, hidden)
			return string(createProduct(t, s, newProduct(fmt.Sprintf("LAP-%d", n))).ID)
		}
		active := true
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listProducts(t, s, storage.ProductFilter{Active: &active}, p)
			return idsOf(l.Items, func(p orders.Product) orders.ProductID { return p.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Catalogue", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		other := createCustomer(t, s, newCustomer("Globex"))
		n := 0
		add := func() string {
			n++
			hidden := newProduct(fmt.Sprintf("GLX-%d", n))
			hidden.CustomerID = other.ID
			createProduct(t, s, hidden)
			if n%2 == 0 {
				p := createProduct(t, s, newProduct(fmt.Sprintf("OFR-%d", n)))
				createOffer(t, s, newOffer(c.ID, p.ID, eur(1)))
				return string(p.ID)
			}
			return string(createProduct(t, s, newProduct(fmt.Sprintf("LAP-%d", n))).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listCatalogue(t, s, storage.CatalogueFilter{CustomerID: c.ID, Global: true}, p)
			return idsOf(l.Items, func(r storage.CatalogueRow) orders.ProductID { return r.Product.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Offers", true, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		c := createCustomer(t, s, newCustomer("Acme"))
		other := createCustomer(t, s, newCustomer("Globex"))
		n := 0
		add := func() string {
			n++
			p := createProduct(t, s, newProduct(fmt.Sprintf("LAP-%d", n)))
			createOffer(t, s, newOffer(other.ID, p.ID, eur(1)))
			return string(createOffer(t, s, newOffer(c.ID, p.ID, eur(1))).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[orders.Offer], error) {
				return r.Offers().List(ctx, storage.OfferFilter{CustomerID: c.ID}, p)
			})
			return idsOf(l.Items, func(o orders.Offer) orders.OfferID { return o.ID }), l.NextCursor, err
		}
		del := func(id string) error {
			return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Offers().Delete(ctx, orders.OfferID(id)) })
		}
		return add, list, del
	}},
	{"Orders", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		fx := newOrderFixture(t, s)
		other := createCustomer(t, s, newCustomer("Globex"))
		add := func() string {
			createOrder(t, s, fx.newOrder(other.ID))
			decided := createOrder(t, s, fx.newOrder(fx.customer.ID))
			_, err := transition(t, s, decided.ID, confirmEvent(time.Hour))
			require.NoError(t, err)
			return string(createOrder(t, s, fx.newOrder(fx.customer.ID)).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := listOrders(t, s, storage.OrderFilter{CustomerID: fx.customer.ID, Status: orders.StatusSubmitted}, p)
			return idsOf(l.Items, func(o orders.Order) orders.ID { return o.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Items", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		fx := newStockFixture(t, s)
		add := func() string {
			fx.stockPlain(t, s, fx.phone.ID)
			return string(fx.stockPlain(t, s, fx.laptop.ID).ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Item], error) {
				return r.Stock().List(ctx, storage.ItemFilter{CustomerID: fx.customer.ID, ProductID: fx.laptop.ID}, p)
			})
			return idsOf(l.Items, func(it warehouse.Item) warehouse.ItemID { return it.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Movements", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		fx := newStockFixture(t, s)
		add := func() string {
			fx.stockPlain(t, s, fx.phone.ID)
			fx.stockPlain(t, s, fx.laptop.ID)
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Movement], error) {
				return r.Stock().Movements(ctx, storage.MovementFilter{CustomerID: fx.customer.ID, ProductID: fx.laptop.ID}, storage.Page{Limit: storage.MaxLimit})
			})
			require.NoError(t, err)
			return string(l.Items[len(l.Items)-1].ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Movement], error) {
				return r.Stock().Movements(ctx, storage.MovementFilter{CustomerID: fx.customer.ID, ProductID: fx.laptop.ID}, p)
			})
			return idsOf(l.Items, func(m warehouse.Movement) warehouse.MovementID { return m.ID }), l.NextCursor, err
		}
		return add, list, nil
	}},
	{"Levels", false, func(t *testing.T, s storage.Store) (func() string, func(storage.Page) ([]string, string, error), func(string) error) {
		fx := newStockFixture(t, s)
		n := 0
		add := func() string {
			n++
			p := createProduct(t, s, newProduct(fmt.Sprintf("TAB-%d", n)))
			fx.stockPlain(t, s, p.ID)
			fx.stockPlain(t, s, p.ID)
			return string(p.ID)
		}
		list := func(p storage.Page) ([]string, string, error) {
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Level], error) {
				return r.Stock().Levels(ctx, storage.LevelFilter{CustomerID: fx.customer.ID}, p)
			})
			return idsOf(l.Items, func(l warehouse.Level) orders.ProductID { return l.ProductID }), l.NextCursor, err
		}
		return add, list, nil
	}},
}

// pageTests runs every paging case against every lister.
var pageTests = func() []test {
	cases := []struct {
		name    string
		deletes bool
		run     func(t *testing.T, s storage.Store, l lister)
	}{
		{"EveryRowOnce", false, func(t *testing.T, s storage.Store, l lister) { testPageEveryRowOnce(t, s, l, 7, 3) }},
		{"ExactMultiple", false, func(t *testing.T, s storage.Store, l lister) { testPageEveryRowOnce(t, s, l, 6, 3) }},
		{"LimitOne", false, func(t *testing.T, s storage.Store, l lister) { testPageEveryRowOnce(t, s, l, 3, 1) }},
		{"MaxLimit", false, func(t *testing.T, s storage.Store, l lister) { testPageEveryRowOnce(t, s, l, 3, storage.MaxLimit) }},
		{"DefaultLimit", false, testPageDefaultLimit},
		{"Empty", false, testPageEmpty},
		{"InsertsBetweenPages", false, testPageInsertsBetweenPages},
		{"CursorRowDeleted", true, testPageCursorRowDeleted},
		{"Invalid", false, testPageInvalid},
	}
	var tests []test
	for _, l := range listers {
		for _, c := range cases {
			if c.deletes && !l.canDelete {
				continue
			}
			tests = append(tests, test{l.name + "/" + c.name, func(t *testing.T, s storage.Store) { c.run(t, s, l) }})
		}
	}
	return tests
}()

// testPageEveryRowOnce pages through n rows, limit at a time: every row comes
// exactly once, in ID order, in full pages but the last, which alone has no
// NextCursor.
func testPageEveryRowOnce(t *testing.T, s storage.Store, l lister, n, limit int) {
	add, list, _ := l.setup(t, s)
	var want []string
	for range n {
		want = append(want, add())
	}
	slices.Sort(want)

	var got []string
	p := storage.Page{Limit: limit}
	pages := (n + limit - 1) / limit
	for i := range pages {
		ids, next, err := list(p)
		require.NoError(t, err, "page %d", i)
		got = append(got, ids...)
		if i < pages-1 {
			assert.Len(t, ids, limit, "page %d is full", i)
			require.NotEmpty(t, next, "page %d has a NextCursor", i)
		} else {
			assert.Len(t, ids, n-i*limit, "last page")
			assert.Empty(t, next, "the last page has no NextCursor")
		}
		p.Cursor = next
	}
	assert.Equal(t, want, got, "every row once, in ID order")
}

func testPageDefaultLimit(t *testing.T, s storage.Store, l lister) {
	add, list, _ := l.setup(t, s)
	for range storage.DefaultLimit + 1 {
		add()
	}
	ids, next, err := list(storage.Page{})
	require.NoError(t, err)
	assert.Len(t, ids, storage.DefaultLimit, "limit 0 means DefaultLimit")
	require.NotEmpty(t, next)
	ids, next, err = list(storage.Page{Cursor: next})
	require.NoError(t, err)
	assert.Len(t, ids, 1)
	assert.Empty(t, next)
}

func testPageEmpty(t *testing.T, s storage.Store, l lister) {
	_, list, _ := l.setup(t, s)
	ids, next, err := list(storage.Page{})
	require.NoError(t, err)
	assert.Empty(t, ids)
	assert.Empty(t, next)
}

// testPageInsertsBetweenPages adds a row after every page: the rows that
// existed when paging began are each seen exactly once, and nothing twice.
func testPageInsertsBetweenPages(t *testing.T, s storage.Store, l lister) {
	add, list, _ := l.setup(t, s)
	var before []string
	for range 10 {
		before = append(before, add())
	}
	seen := map[string]int{}
	var got []string
	p := storage.Page{Limit: 3}
	for i := 0; ; i++ {
		require.Less(t, i, 20, "the list does not end")
		ids, next, err := list(p)
		require.NoError(t, err, "page %d", i)
		for _, id := range ids {
			seen[id]++
		}
		got = append(got, ids...)
		if next == "" {
			break
		}
		add()
		p.Cursor = next
	}
	for _, id := range before {
		assert.Equal(t, 1, seen[id], "row %s", id)
	}
	for id, n := range seen {
		assert.Equal(t, 1, n, "row %s seen %d times", id, n)
	}
	assert.True(t, slices.IsSorted(got), "rows come in ID order")
}

// testPageCursorRowDeleted deletes the row a cursor points after: the next
// page still starts right after it (a keyset, not an offset or a lookup).
func testPageCursorRowDeleted(t *testing.T, s storage.Store, l lister) {
	add, list, del := l.setup(t, s)
	var all []string
	for range 6 {
		all = append(all, add())
	}
	slices.Sort(all)
	first, next, err := list(storage.Page{Limit: 3})
	require.NoError(t, err)
	require.Equal(t, all[:3], first)
	require.NoError(t, del(first[2]))
	rest, next, err := list(storage.Page{Cursor: next, Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, all[3:], rest)
	assert.Empty(t, next)
}

func testPageInvalid(t *testing.T, s storage.Store, l lister) {
	add, list, _ := l.setup(t, s)
	add()
	for name, p := range map[string]storage.Page{
		"not base64":      {Cursor: "not a cursor!"},
		"not URL-safe":    {Cursor: "YWJj+/"},
		"limit too large": {Limit: storage.MaxLimit + 1},
		"negative limit":  {Limit: -1},
	} {
		_, _, err := list(p)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "%s: %v", name, err)
	}
}
