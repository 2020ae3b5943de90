package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/warehouse"
)

// dataSize says how much to seed.
type dataSize struct {
	Customers        int `json:"customers"`
	UsersPerCustomer int `json:"users_per_customer"`
	Products         int `json:"products"`
	Orders           int `json:"orders"`
	ItemsPerCustomer int `json:"items_per_customer"`
}

// fixture is what the scenarios need to know of the seeded data.
type fixture struct {
	staffToken string
	customers  []benchCustomer
	products   []orders.ProductID
	// submitted are orders waiting in the inbox, handed out once each to
	// the confirm scenario.
	submitted chan benchOrder

	mu            sync.Mutex
	nextItemOwner int // the stock scenario's next customer
}

type benchCustomer struct {
	id customer.ID
	// tokens are the session tokens of its users (maintainers and admins).
	tokens []string
	orders []orders.ID
	items  []warehouse.ItemID
}

type benchOrder struct {
	customer customer.ID
	id       orders.ID
}

// seedBatch is how many rows of a kind go into one transaction.
const seedBatch = 2000

// seed writes d's data into a fresh database through the storage layer, in
// large transactions, and returns the fixture. path is an SQLite file or a
// PostgreSQL URL whose database (or search_path schema) is empty.
func seed(ctx context.Context, path string, d dataSize) (*fixture, error) {
	if d.Customers < 2 || d.UsersPerCustomer < 1 || d.Products < 3 || d.Orders < d.Customers {
		return nil, fmt.Errorf("need at least 2 customers, 1 user each, 3 products and an order per customer")
	}
	store, err := openStore(ctx, path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = store.Close() }()

	ids := portal.UUIDv7IDs()
	now := time.Now().UTC()
	rnd := rand.New(rand.NewPCG(7, 7))
	fx := &fixture{customers: make([]benchCustomer, d.Customers)}

	// The staff key the inbox scenario confirms with.
	staffToken, staffHash := invite.NewToken(invite.PrefixAPIKey)
	fx.staffToken = staffToken
	err = store.InTx(ctx, func(r storage.Repos) error {
		return r.APIKeys().Create(ctx, identity.APIKey{ID: identity.APIKeyID(ids.NewID("key")), Name: "portalbench", Role: identity.StaffAdmin, TokenHash: string(staffHash), CreatedBy: "portalbench", CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}

	// Products: the global portfolio every customer inherits.
	prods := make([]orders.Product, d.Products)
	err = inBatches(ctx, store, d.Products, func(r storage.Repos, i int) error {
		p := orders.Product{
			ID: orders.ProductID(ids.NewID("prd")), SKU: fmt.Sprintf("SKU-%05d", i), Name: fmt.Sprintf("Device %d", i),
			Description: "A device for the benchmark", Category: []string{"laptop", "phone", "monitor", "accessory"}[i%4],
			Price: orders.Money{Amount: int64(1000 + 100*(i%50)), Currency: "EUR"}, Active: true,
			Attributes: map[string]string{}, Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		prods[i] = p
		fx.products = append(fx.products, p.ID)
		return r.Products().Create(ctx, p)
	})
	if err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}

	// Customers with order authorization and a warehouse, each with its users and their sessions.
	err = inBatches(ctx, store, d.Customers, func(r storage.Repos, i int) error {
		c := customer.Customer{
			ID: customer.ID(ids.NewID(portal.PrefixCustomer)), Name: fmt.Sprintf("Customer %05d", i),
			Status: customer.StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now,
			Features: customer.Features{OrderAuthorization: true, InheritGlobalPortfolio: true, SupplierWarehouse: true},
		}
		if err := r.Customers().Create(ctx, c); err != nil {
			return err
		}
		bc := benchCustomer{id: c.ID}
		for j := range d.UsersPerCustomer {
			u := customer.User{ID: customer.UserID(ids.NewID(portal.PrefixUser)), Email: fmt.Sprintf("user%d@customer%05d.example", j, i), Name: fmt.Sprintf("User %d", j), Status: customer.UserActive, Version: 1, CreatedAt: now, UpdatedAt: now}
			role := customer.RoleMaintainer
			if j == 0 {
				role = customer.RoleAdmin
			}
			m := customer.Membership{ID: customer.MembershipID(ids.NewID(portal.PrefixMembership)), UserID: u.ID, CustomerID: c.ID, Role: role, Status: customer.MembershipActive, Version: 1, CreatedAt: now, UpdatedAt: now}
			token, hash := invite.NewToken(invite.PrefixSession)
			s := identity.Session{ID: identity.SessionID(ids.NewID("ses")), TokenHash: string(hash), UserID: u.ID, MembershipID: m.ID, CustomerID: c.ID, Method: identity.MethodLoginLink, LastSeenAt: now, ExpiresAt: now.Add(13 * 24 * time.Hour), CreatedAt: now}
			if err := r.Users().Create(ctx, u); err != nil {
				return err
			}
			if err := r.Memberships().Create(ctx, m); err != nil {
				return err
			}
			if err := r.Sessions().Create(ctx, s); err != nil {
				return err
			}
			bc.tokens = append(bc.tokens, token)
		}
		fx.customers[i] = bc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}

	// Orders: spread evenly over the customers, 1–3 lines each; every
	// other one still waits in the inbox, the rest confirmed.
	var submitted []benchOrder
	err = inBatches(ctx, store, d.Orders, func(r storage.Repos, i int) error {
		bc := &fx.customers[i%d.Customers]
		n, err := r.Orders().NextNumber(ctx)
		if err != nil {
			return err
		}
		var lines []orders.LineDraft
		for _, k := range rnd.Perm(d.Products)[:1+rnd.IntN(3)] {
			lines = append(lines, orders.LineDraft{Entry: orders.Entry{Product: prods[k], Price: prods[k].Price}, Quantity: 1 + rnd.IntN(5)})
		}
		at := now.Add(-time.Duration(d.Orders-i) * time.Minute)
		o, err := orders.New(orders.Draft{
			ID: orders.ID(ids.NewID("ord")), Number: n, CustomerID: bc.id, Kind: orders.KindStandard, Lines: lines,
			Recipient: orders.Employee{Name: "Erika Mustermann", EmployeeNumber: fmt.Sprintf("E%06d", i)},
			By:        "portalbench", At: at,
		})
		if err != nil {
			return err
		}
		if i%2 == 1 {
			o, _, err = o.Confirm(orders.Act{By: "portalbench", At: at.Add(time.Minute)})
			if err != nil {
				return err
			}
		} else {
			submitted = append(submitted, benchOrder{customer: bc.id, id: o.ID})
		}
		bc.orders = append(bc.orders, o.ID)
		return r.Orders().Create(ctx, o)
	})
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	fx.submitted = make(chan benchOrder, len(submitted))
	for _, o := range rnd.Perm(len(submitted)) {
		fx.submitted <- submitted[o]
	}

	// Stock items in each customer's warehouse, to issue and return.
	err = inBatches(ctx, store, d.Customers*d.ItemsPerCustomer, func(r storage.Repos, i int) error {
		bc := &fx.customers[i%d.Customers]
		it, m, err := warehouse.StockIn(
			warehouse.Draft{ID: warehouse.ItemID(ids.NewID("itm")), CustomerID: bc.id, ProductID: prods[i%d.Products].ID, SerialNumber: fmt.Sprintf("SN-%08d", i)},
			warehouse.Act{MovementID: warehouse.MovementID(ids.NewID("mov")), By: "portalbench", At: now},
		)
		if err != nil {
			return err
		}
		bc.items = append(bc.items, it.ID)
		return r.Stock().Create(ctx, it, m)
	})
	if err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	return fx, nil
}

// isPostgres reports whether db is a PostgreSQL URL rather than an SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens db: PostgreSQL for a postgres:// URL, else an SQLite file.
func openStore(ctx context.Context, db string) (storage.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// inBatches calls fn for 0..n-1, seedBatch calls to a transaction.
func inBatches(ctx context.Context, store storage.Store, n int, fn func(r storage.Repos, i int) error) error {
	for from := 0; from < n; from += seedBatch {
		err := store.InTx(ctx, func(r storage.Repos) error {
			for i := from; i < min(n, from+seedBatch); i++ {
				if err := fn(r, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
