package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) Products() storage.ProductRepo { panic("sqlstore: Products not ported yet") }
func (t *txn) Offers() storage.OfferRepo     { panic("sqlstore: Offers not ported yet") }
func (t *txn) Orders() storage.OrderRepo     { panic("sqlstore: Orders not ported yet") }
