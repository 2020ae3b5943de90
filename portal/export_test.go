package portal

import (
	"context"

	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/storage"
)

// Hooks for the external tests of package portal.

// StockInPreOrder runs stockInPreOrder for o in a transaction of its own,
// at p's time and with p's IDs, as FulfilOrder does within its own.
func StockInPreOrder(ctx context.Context, p *Portal, o orders.Order, by string) error {
	return p.write(ctx, func(r storage.Repos) error {
		_, err := stockInPreOrder(ctx, r, o, p.timestamp(), by, p.ids)
		return err
	})
}

// EventTypes are eventTypes: the webhook event type of each audit action.
var EventTypes = eventTypes

// Unpublished are unpublished: the audit actions that publish no event.
var Unpublished = unpublished
