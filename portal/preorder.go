package portal

import (
	"context"

	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/storage"
)

// stockPreOrder stocks a fulfilled pre-order into the supplier warehouse:
// one item per unit of each line (warehouse.FromPreOrder), each with its
// stock_in movement naming the order. FulfilOrder calls it inside its
// transaction, right after o's transition to fulfilled is written, so an
// error here rolls the fulfilment back with it; by is the actor who
// fulfilled. Standard orders stock nothing.
//
// This is the hook the warehouse use cases fill in; until then a fulfilled
// pre-order stocks nothing.
func (p *Portal) stockPreOrder(ctx context.Context, r storage.Repos, o orders.Order, by string) error {
	if o.Kind != orders.KindPreOrder {
		return nil
	}
	return nil
}
