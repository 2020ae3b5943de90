package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type productRepo struct{ t *tx }

func (r productRepo) Create(_ context.Context, p orders.Product) error {
	if err := r.t.writable("creating product"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.products[p.ID]; ok {
		return fmt.Errorf("memory: creating product %s: %w", p.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.skus[skuKey(p.SKU)]; ok {
		return fmt.Errorf("memory: creating product %s: SKU: %w", p.ID, storage.ErrAlreadyExists)
	}
	if p.CustomerID != "" {
		if _, ok := s.customers[p.CustomerID]; !ok {
			return fmt.Errorf("memory: creating product %s: customer %s: %w", p.ID, p.CustomerID, storage.ErrNotFound)
		}
	}
	r.put(cloneProduct(p))
	return nil
}

func (r productRepo) Get(_ context.Context, id orders.ProductID) (orders.Product, error) {
	p, ok := r.t.s.products[id]
	if !ok {
		return orders.Product{}, fmt.Errorf("memory: getting product %s: %w", id, storage.ErrNotFound)
	}
	return cloneProduct(p), nil
}

func (r productRepo) Update(_ context.Context, id orders.ProductID, fn func(*orders.Product) error) (orders.Product, error) {
	if err := r.t.writable("updating product"); err != nil {
		return orders.Product{}, err
	}
	s := r.t.s
	old, ok := s.products[id]
	if !ok {
		return orders.Product{}, fmt.Errorf("memory: updating product %s: %w", id, storage.ErrNotFound)
	}
	next := cloneProduct(old)
	if err := fn(&next); err != nil {
		return orders.Product{}, err
	}
	if next.ID != old.ID || next.CustomerID != old.CustomerID || !next.CreatedAt.Equal(old.CreatedAt) {
		return orders.Product{}, fmt.Errorf("memory: updating product %s: fn changed ID, CustomerID or CreatedAt", id)
	}
	if owner, ok := s.skus[skuKey(next.SKU)]; ok && owner != id {
		return orders.Product{}, fmt.Errorf("memory: updating product %s: SKU: %w", id, storage.ErrAlreadyExists)
	}
	next.Version = old.Version + 1
	remove(r.t, s.skus, skuKey(old.SKU))
	next = cloneProduct(next)
	r.put(next)
	return cloneProduct(next), nil
}

func (r productRepo) List(_ context.Context, f storage.ProductFilter, p storage.Page) (storage.List[orders.Product], error) {
	search := strings.ToLower(f.Search)
	keep := func(pr orders.Product) bool {
		switch {
		case f.Global && !pr.Global(),
			f.CustomerID != "" && pr.CustomerID != f.CustomerID,
			f.Active != nil && pr.Active != *f.Active,
			f.Category != "" && pr.Category != f.Category:
			return false
		}
		return search == "" || strings.Contains(strings.ToLower(pr.SKU), search) || strings.Contains(strings.ToLower(pr.Name), search)
	}
	l, err := list(r.t.s.products, p, keep, cloneProduct)
	if err != nil {
		return l, fmt.Errorf("memory: listing products: %w", err)
	}
	return l, nil
}

func (r productRepo) Catalogue(_ context.Context, f storage.CatalogueFilter, p storage.Page) (storage.List[storage.CatalogueRow], error) {
	if f.CustomerID == "" {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("memory: listing catalogue: %w", portalerr.Invalidf("customer_id", "is required"))
	}
	s := r.t.s
	rows := make(map[orders.ProductID]storage.CatalogueRow)
	for id, pr := range s.products {
		if !pr.Active {
			continue
		}
		var o orders.Offer
		if oid, ok := s.offerKeys[offerKey{f.CustomerID, id}]; ok {
			o = s.offers[oid]
		}
		if pr.CustomerID == f.CustomerID || o.ID != "" || (f.Global && pr.Global()) {
			rows[id] = storage.CatalogueRow{Product: pr, Offer: o}
		}
	}
	clone := func(row storage.CatalogueRow) storage.CatalogueRow {
		return storage.CatalogueRow{Product: cloneProduct(row.Product), Offer: cloneOffer(row.Offer)}
	}
	l, err := list(rows, p, func(storage.CatalogueRow) bool { return true }, clone)
	if err != nil {
		return l, fmt.Errorf("memory: listing catalogue: %w", err)
	}
	return l, nil
}

// put stores p, which the store then owns, and indexes its SKU.
func (r productRepo) put(p orders.Product) {
	put(r.t, r.t.s.products, p.ID, p)
	put(r.t, r.t.s.skus, skuKey(p.SKU), p.ID)
}

// skuKey folds ASCII case, as SQLite's NOCASE does: SKUs are unique
// ignoring it.
func skuKey(sku string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, sku)
}

// cloneProduct returns a copy of p with its own Attributes (nil when there
// are none) and times in UTC.
func cloneProduct(p orders.Product) orders.Product {
	if len(p.Attributes) == 0 {
		p.Attributes = nil
	} else {
		p.Attributes = maps.Clone(p.Attributes)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p
}

// offerKey is a customer's offer for a product: unique, as a UNIQUE
// constraint would make it.
type offerKey struct {
	customer customer.ID
	product  orders.ProductID
}

type offerRepo struct{ t *tx }

func (r offerRepo) Create(_ context.Context, o orders.Offer) error {
	if err := r.t.writable("creating offer"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.offers[o.ID]; ok {
		return fmt.Errorf("memory: creating offer %s: %w", o.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.offerKeys[offerKeyOf(o)]; ok {
		return fmt.Errorf("memory: creating offer %s: customer %s has an offer for product %s: %w", o.ID, o.CustomerID, o.ProductID, storage.ErrAlreadyExists)
	}
	if _, ok := s.customers[o.CustomerID]; !ok {
		return fmt.Errorf("memory: creating offer %s: customer %s: %w", o.ID, o.CustomerID, storage.ErrNotFound)
	}
	if _, ok := s.products[o.ProductID]; !ok {
		return fmt.Errorf("memory: creating offer %s: product %s: %w", o.ID, o.ProductID, storage.ErrNotFound)
	}
	o = cloneOffer(o)
	put(r.t, s.offers, o.ID, o)
	put(r.t, s.offerKeys, offerKeyOf(o), o.ID)
	return nil
}

func (r offerRepo) Get(_ context.Context, id orders.OfferID) (orders.Offer, error) {
	o, ok := r.t.s.offers[id]
	if !ok {
		return orders.Offer{}, fmt.Errorf("memory: getting offer %s: %w", id, storage.ErrNotFound)
	}
	return cloneOffer(o), nil
}

func (r offerRepo) Find(_ context.Context, cid customer.ID, pid orders.ProductID) (orders.Offer, error) {
	id, ok := r.t.s.offerKeys[offerKey{cid, pid}]
	if !ok {
		return orders.Offer{}, fmt.Errorf("memory: finding offer of customer %s for product %s: %w", cid, pid, storage.ErrNotFound)
	}
	return cloneOffer(r.t.s.offers[id]), nil
}

func (r offerRepo) Update(_ context.Context, id orders.OfferID, fn func(*orders.Offer) error) (orders.Offer, error) {
	if err := r.t.writable("updating offer"); err != nil {
		return orders.Offer{}, err
	}
	s := r.t.s
	old, ok := s.offers[id]
	if !ok {
		return orders.Offer{}, fmt.Errorf("memory: updating offer %s: %w", id, storage.ErrNotFound)
	}
	next := cloneOffer(old)
	if err := fn(&next); err != nil {
		return orders.Offer{}, err
	}
	if next.ID != old.ID || next.CustomerID != old.CustomerID || next.ProductID != old.ProductID || !next.CreatedAt.Equal(old.CreatedAt) {
		return orders.Offer{}, fmt.Errorf("memory: updating offer %s: fn changed ID, CustomerID, ProductID or CreatedAt", id)
	}
	next.Version = old.Version + 1
	next = cloneOffer(next)
	put(r.t, s.offers, id, next)
	return cloneOffer(next), nil
}

func (r offerRepo) Delete(_ context.Context, id orders.OfferID) error {
	if err := r.t.writable("deleting offer"); err != nil {
		return err
	}
	s := r.t.s
	o, ok := s.offers[id]
	if !ok {
		return fmt.Errorf("memory: deleting offer %s: %w", id, storage.ErrNotFound)
	}
	remove(r.t, s.offers, id)
	remove(r.t, s.offerKeys, offerKeyOf(o))
	return nil
}

func (r offerRepo) List(_ context.Context, f storage.OfferFilter, p storage.Page) (storage.List[orders.Offer], error) {
	keep := func(o orders.Offer) bool {
		return (f.CustomerID == "" || o.CustomerID == f.CustomerID) && (f.ProductID == "" || o.ProductID == f.ProductID)
	}
	l, err := list(r.t.s.offers, p, keep, cloneOffer)
	if err != nil {
		return l, fmt.Errorf("memory: listing offers: %w", err)
	}
	return l, nil
}

func offerKeyOf(o orders.Offer) offerKey { return offerKey{o.CustomerID, o.ProductID} }

// cloneOffer returns o with times in UTC; the zero offer stays zero.
func cloneOffer(o orders.Offer) orders.Offer {
	if o.ID == "" {
		return orders.Offer{}
	}
	o.CreatedAt = o.CreatedAt.UTC()
	o.UpdatedAt = o.UpdatedAt.UTC()
	return o
}

type orderRepo struct{ t *tx }

// orderNumberCounter names the order number sequence in Store.counters.
const orderNumberCounter = "order_number"

func (r orderRepo) NextNumber(context.Context) (orders.Number, error) {
	if err := r.t.writable("taking an order number"); err != nil {
		return 0, err
	}
	n := r.t.s.counters[orderNumberCounter] + 1
	put(r.t, r.t.s.counters, orderNumberCounter, n)
	return orders.Number(n), nil
}

func (r orderRepo) Create(_ context.Context, o orders.Order) error {
	if err := r.t.writable("creating order"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.orders[o.ID]; ok {
		return fmt.Errorf("memory: creating order %s: %w", o.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.orderNumbers[o.Number]; ok {
		return fmt.Errorf("memory: creating order %s: number %d: %w", o.ID, o.Number, storage.ErrAlreadyExists)
	}
	if _, ok := s.customers[o.CustomerID]; !ok {
		return fmt.Errorf("memory: creating order %s: customer %s: %w", o.ID, o.CustomerID, storage.ErrNotFound)
	}
	for _, l := range o.Lines {
		if _, ok := s.products[l.ProductID]; !ok {
			return fmt.Errorf("memory: creating order %s: product %s: %w", o.ID, l.ProductID, storage.ErrNotFound)
		}
	}
	o = cloneOrder(o)
	put(r.t, s.orders, o.ID, o)
	put(r.t, s.orderNumbers, o.Number, o.ID)
	return nil
}

func (r orderRepo) Get(_ context.Context, id orders.ID) (orders.Order, error) {
	o, ok := r.t.s.orders[id]
	if !ok {
		return orders.Order{}, fmt.Errorf("memory: getting order %s: %w", id, storage.ErrNotFound)
	}
	return cloneOrder(o), nil
}

func (r orderRepo) Transition(_ context.Context, id orders.ID, ev orders.Event) (orders.Order, error) {
	if err := r.t.writable("changing order status"); err != nil {
		return orders.Order{}, err
	}
	s := r.t.s
	o, ok := s.orders[id]
	switch {
	case !ok:
		return orders.Order{}, fmt.Errorf("memory: changing status of order %s: %w", id, storage.ErrNotFound)
	case o.Status != ev.From:
		return orders.Order{}, fmt.Errorf("memory: changing status of order %s: it is %s, not %s: %w", id, o.Status, ev.From, storage.ErrConflict)
	}
	next := cloneOrder(o)
	next.Status = ev.To
	next.History = append(next.History, ev)
	next.Version++
	next.UpdatedAt = ev.At
	next = cloneOrder(next)
	put(r.t, s.orders, id, next)
	return cloneOrder(next), nil
}

func (r orderRepo) List(_ context.Context, f storage.OrderFilter, p storage.Page) (storage.List[orders.Order], error) {
	keep := func(o orders.Order) bool {
		return (f.CustomerID == "" || o.CustomerID == f.CustomerID) &&
			(f.Status == "" || o.Status == f.Status) &&
			(f.SiteIDs == nil || (o.SiteID != "" && slices.Contains(f.SiteIDs, o.SiteID)))
	}
	l, err := listOrdered(r.t.s.orders, p, f.NewestFirst, keep, cloneOrder)
	if err != nil {
		return l, fmt.Errorf("memory: listing orders: %w", err)
	}
	return l, nil
}

// cloneOrder returns a copy of o with its own lines and history (nil when
// empty) and times in UTC.
func cloneOrder(o orders.Order) orders.Order {
	o.Lines = cloneNonEmpty(o.Lines)
	o.History = cloneNonEmpty(o.History)
	for i := range o.History {
		o.History[i].At = o.History[i].At.UTC()
	}
	if !o.RequestedDate.IsZero() {
		o.RequestedDate = o.RequestedDate.UTC()
	}
	o.CreatedAt = o.CreatedAt.UTC()
	o.UpdatedAt = o.UpdatedAt.UTC()
	return o
}

func cloneNonEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}
