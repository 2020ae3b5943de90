package portal

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

// stockPreOrder stocks a fulfilled pre-order into the supplier warehouse
// (stockInPreOrder). FulfilOrder calls it inside its transaction, right
// after o's transition to fulfilled is written, so an error here rolls the
// fulfilment back with it; by is the actor who fulfilled. Standard orders
// stock nothing.
func (p *Portal) stockPreOrder(ctx context.Context, r storage.Repos, o orders.Order, by string) error {
	if o.Kind != orders.KindPreOrder {
		return nil
	}
	items, err := stockInPreOrder(ctx, r, o, o.UpdatedAt, by, p.ids)
	if err != nil {
		return err
	}
	stocked, err := withProducts(ctx, r, items)
	if err != nil {
		return err
	}
	for _, it := range stocked {
		if err := p.record(ctx, r, by, "stock_item.stocked", o.CustomerID, string(it.ID), it); err != nil {
			return err
		}
	}
	return nil
}

// stockInPreOrder stocks in the items a pre-order brings when it is
// fulfilled: one per unit of each line, new, at the order's site, each
// naming the order and with a stock_in movement made at `at` by `by` (an
// identity.Principal.Actor). ids gives the items and movements their IDs.
// Call it once, in the transaction that fulfils o (FulfilOrder), so that
// the order's fulfilment and its items are stored together or not at all;
// o may be confirmed or already fulfilled in that transaction.
// FailedPrecondition when o is not a pre-order or is in another status;
// FeatureDisabled when the customer's supplier_warehouse is off (it may
// have been turned off, with no stock held, after o was placed): turn it on
// again, or cancel the order.
func stockInPreOrder(ctx context.Context, r storage.Repos, o orders.Order, at time.Time, by string, ids IDSource) ([]warehouse.Item, error) {
	if o.Status != orders.StatusConfirmed && o.Status != orders.StatusFulfilled {
		return nil, portalerr.New(portalerr.FailedPrecondition, "order %s is %s; only a confirmed pre-order is stocked in when fulfilled", o.Number, o.Status)
	}
	drafts, err := warehouse.FromPreOrder(o)
	if err != nil {
		return nil, err
	}
	c, err := getCustomer(ctx, r, o.CustomerID)
	if err != nil {
		return nil, err
	}
	if !c.Features.SupplierWarehouse {
		return nil, portalerr.New(portalerr.FeatureDisabled,
			"pre-order %s cannot be stocked in: customer %s has supplier_warehouse off; turn it on, or cancel the order", o.Number, c.ID)
	}
	note := fmt.Sprintf("pre-order %s fulfilled", o.Number)
	items := make([]warehouse.Item, 0, len(drafts))
	for _, d := range drafts {
		d.ID = warehouse.ItemID(ids.NewID(PrefixItem))
		it, m, err := warehouse.StockIn(d, warehouse.Act{MovementID: warehouse.MovementID(ids.NewID(PrefixMovement)), By: by, At: at, Note: note})
		if err != nil {
			return nil, err
		}
		if err := r.Stock().Create(ctx, it, m); err != nil {
			return nil, fmt.Errorf("portal: stocking in pre-order %s: %w", o.Number, err)
		}
		items = append(items, it)
	}
	return items, nil
}
