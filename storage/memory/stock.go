package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

// serialKey is an item's serial number within its customer: unique, as a
// UNIQUE constraint would make it.
type serialKey struct {
	customer customer.ID
	serial   string
}

type stockRepo struct{ t *tx }

func (r stockRepo) Create(_ context.Context, it warehouse.Item, m warehouse.Movement) error {
	if err := r.t.writable("stocking in item"); err != nil {
		return err
	}
	s := r.t.s
	switch {
	case s.items[it.ID].ID != "":
		return fmt.Errorf("memory: stocking in item %s: %w", it.ID, storage.ErrAlreadyExists)
	case s.movements[m.ID].ID != "":
		return fmt.Errorf("memory: stocking in item %s: movement %s: %w", it.ID, m.ID, storage.ErrAlreadyExists)
	case it.SerialNumber != "" && s.serials[serialKeyOf(it)] != "":
		return fmt.Errorf("memory: stocking in item %s: serial number: %w", it.ID, storage.ErrAlreadyExists)
	}
	if err := r.checkRefs(it.CustomerID, it.ProductID, it.OrderID); err != nil {
		return fmt.Errorf("memory: stocking in item %s: %w", it.ID, err)
	}
	if err := r.checkRefs(m.CustomerID, m.ProductID, m.OrderID); err != nil {
		return fmt.Errorf("memory: stocking in item %s: movement: %w", it.ID, err)
	}
	m.ItemID = it.ID
	r.put(cloneItem(it))
	put(r.t, s.movements, m.ID, cloneMovement(m))
	return nil
}

func (r stockRepo) Get(_ context.Context, id warehouse.ItemID) (warehouse.Item, error) {
	it, ok := r.t.s.items[id]
	if !ok {
		return warehouse.Item{}, fmt.Errorf("memory: getting item %s: %w", id, storage.ErrNotFound)
	}
	return cloneItem(it), nil
}

func (r stockRepo) Move(_ context.Context, it warehouse.Item, m warehouse.Movement) (warehouse.Item, error) {
	if err := r.t.writable("moving item"); err != nil {
		return warehouse.Item{}, err
	}
	s := r.t.s
	old, ok := s.items[it.ID]
	switch {
	case !ok:
		return warehouse.Item{}, fmt.Errorf("memory: moving item %s: %w", it.ID, storage.ErrNotFound)
	case old.Status != m.From:
		return warehouse.Item{}, fmt.Errorf("memory: moving item %s: it is %s, not %s: %w", it.ID, old.Status, m.From, storage.ErrConflict)
	case s.movements[m.ID].ID != "":
		return warehouse.Item{}, fmt.Errorf("memory: moving item %s: movement %s: %w", it.ID, m.ID, storage.ErrAlreadyExists)
	}
	if err := r.checkRefs(m.CustomerID, m.ProductID, m.OrderID); err != nil {
		return warehouse.Item{}, fmt.Errorf("memory: moving item %s: movement: %w", it.ID, err)
	}
	next := old
	next.Status, next.Holder, next.Condition, next.SiteID, next.UpdatedAt = it.Status, it.Holder, it.Condition, it.SiteID, it.UpdatedAt
	next.Version = old.Version + 1
	next = cloneItem(next)
	m.ItemID = it.ID
	r.put(next)
	put(r.t, s.movements, m.ID, cloneMovement(m))
	return cloneItem(next), nil
}

func (r stockRepo) List(_ context.Context, f storage.ItemFilter, p storage.Page) (storage.List[warehouse.Item], error) {
	if f.CustomerID == "" {
		return storage.List[warehouse.Item]{}, fmt.Errorf("memory: listing items: %w", portalerr.Invalidf("customer_id", "is required"))
	}
	keep := func(it warehouse.Item) bool {
		return it.CustomerID == f.CustomerID &&
			(f.ProductID == "" || it.ProductID == f.ProductID) &&
			(f.Status == "" || it.Status == f.Status) &&
			(!f.Held || it.Status != warehouse.StatusRetired) &&
			(f.SerialNumber == "" || it.SerialNumber == f.SerialNumber) &&
			(f.OrderID == "" || it.OrderID == f.OrderID) &&
			inSites(f.SiteIDs, it.SiteID)
	}
	l, err := list(r.t.s.items, p, keep, cloneItem)
	if err != nil {
		return l, fmt.Errorf("memory: listing items: %w", err)
	}
	return l, nil
}

func (r stockRepo) Movements(_ context.Context, f storage.MovementFilter, p storage.Page) (storage.List[warehouse.Movement], error) {
	if f.CustomerID == "" {
		return storage.List[warehouse.Movement]{}, fmt.Errorf("memory: listing movements: %w", portalerr.Invalidf("customer_id", "is required"))
	}
	keep := func(m warehouse.Movement) bool {
		return m.CustomerID == f.CustomerID &&
			(f.ItemID == "" || m.ItemID == f.ItemID) &&
			(f.ProductID == "" || m.ProductID == f.ProductID)
	}
	l, err := list(r.t.s.movements, p, keep, cloneMovement)
	if err != nil {
		return l, fmt.Errorf("memory: listing movements: %w", err)
	}
	return l, nil
}

func (r stockRepo) Levels(_ context.Context, f storage.LevelFilter, p storage.Page) (storage.List[warehouse.Level], error) {
	if f.CustomerID == "" {
		return storage.List[warehouse.Level]{}, fmt.Errorf("memory: counting stock: %w", portalerr.Invalidf("customer_id", "is required"))
	}
	levels := make(map[orders.ProductID]warehouse.Level)
	for _, it := range r.t.s.items {
		if it.CustomerID != f.CustomerID || (f.ProductID != "" && it.ProductID != f.ProductID) || !inSites(f.SiteIDs, it.SiteID) {
			continue
		}
		l := levels[it.ProductID]
		l.ProductID = it.ProductID
		l.Add(warehouse.Movement{To: it.Status})
		levels[it.ProductID] = l
	}
	out, err := list(levels, p, func(warehouse.Level) bool { return true }, func(l warehouse.Level) warehouse.Level { return l })
	if err != nil {
		return out, fmt.Errorf("memory: counting stock: %w", err)
	}
	return out, nil
}

// checkRefs returns ErrNotFound when the customer, the product or a
// non-empty order does not exist, as foreign keys would.
func (r stockRepo) checkRefs(cid customer.ID, pid orders.ProductID, oid orders.ID) error {
	s := r.t.s
	switch {
	case s.customers[cid].ID == "":
		return fmt.Errorf("customer %s: %w", cid, storage.ErrNotFound)
	case s.products[pid].ID == "":
		return fmt.Errorf("product %s: %w", pid, storage.ErrNotFound)
	case oid != "" && s.orders[oid].ID == "":
		return fmt.Errorf("order %s: %w", oid, storage.ErrNotFound)
	}
	return nil
}

// put stores it, which the store then owns, and indexes its serial number.
func (r stockRepo) put(it warehouse.Item) {
	put(r.t, r.t.s.items, it.ID, it)
	if it.SerialNumber != "" {
		put(r.t, r.t.s.serials, serialKeyOf(it), it.ID)
	}
}

func serialKeyOf(it warehouse.Item) serialKey { return serialKey{it.CustomerID, it.SerialNumber} }

// inSites reports whether site is one of ids; nil ids keep every site.
func inSites(ids []customer.SiteID, site customer.SiteID) bool {
	return ids == nil || (site != "" && slices.Contains(ids, site))
}

// cloneItem returns it with times in UTC. Item holds no slices or maps.
func cloneItem(it warehouse.Item) warehouse.Item {
	it.CreatedAt = it.CreatedAt.UTC()
	it.UpdatedAt = it.UpdatedAt.UTC()
	return it
}

// cloneMovement returns m with its time in UTC.
func cloneMovement(m warehouse.Movement) warehouse.Movement {
	m.At = m.At.UTC()
	return m
}
