package orders

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// ProductID identifies a product ("prd_" + UUIDv7).
type ProductID string

// Attribute limits: a product carries at most MaxAttributes free
// attributes, with keys of at most MaxAttributeKey and values of at most
// MaxAttributeValue characters.
const (
	MaxAttributes     = 50
	MaxAttributeKey   = 64
	MaxAttributeValue = 500
)

// Product is something the provider sells: a device, an accessory, a
// service. A product without CustomerID belongs to the global portfolio; a
// product with one is seen by that customer only.
type Product struct {
	ID ProductID
	// SKU is the provider's stock keeping unit, unique across all products
	// (ignoring ASCII case).
	SKU         string
	Name        string
	Description string
	Category    string
	// Price is the list price of one unit.
	Price Money
	// Active products appear in catalogues and can be ordered; deactivated
	// ones stay on the orders that hold them.
	Active bool
	// Attributes are free key-value pairs ("ram": "16 GB"); nil when none.
	Attributes map[string]string
	// CustomerID, when set, makes this a product only that customer sees.
	CustomerID customer.ID
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Global reports whether p belongs to the global portfolio.
func (p Product) Global() bool { return p.CustomerID == "" }

// CheckAttributes returns an Invalid error on field "attributes" (or
// "attributes.<key>") when attrs breaks the attribute limits.
func CheckAttributes(attrs map[string]string) error {
	if len(attrs) > MaxAttributes {
		return portalerr.Invalidf("attributes", "must have at most %d items", MaxAttributes)
	}
	var bad []portalerr.FieldViolation
	for k, v := range attrs {
		switch {
		case k == "" || utf8.RuneCountInString(k) > MaxAttributeKey:
			bad = append(bad, portalerr.FieldViolation{Field: "attributes", Message: fmt.Sprintf("keys must be 1 to %d characters", MaxAttributeKey)})
		case utf8.RuneCountInString(v) > MaxAttributeValue:
			bad = append(bad, portalerr.FieldViolation{Field: "attributes." + k, Message: fmt.Sprintf("must be at most %d characters", MaxAttributeValue)})
		}
	}
	return portalerr.InvalidFields(bad...)
}

// OfferID identifies an offer ("ofr_" + UUIDv7).
type OfferID string

// Offer puts a product into one customer's catalogue at that customer's
// price: a global product at a customer price, or a product only that
// customer sees. A customer has at most one offer per product.
type Offer struct {
	ID         OfferID
	CustomerID customer.ID
	ProductID  ProductID
	// Price is what the customer pays for one unit; it wins over the
	// product's price.
	Price     Money
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CheckOffer returns nil when customer cid may have an offer for p: p is
// global or is cid's own product. Otherwise an Invalid error on field
// "product_id".
func CheckOffer(cid customer.ID, p Product) error {
	if !p.Global() && p.CustomerID != cid {
		return portalerr.Invalidf("product_id", "product %s belongs to another customer", p.ID)
	}
	return nil
}

// Entry is one product of a customer's catalogue with what the customer pays.
type Entry struct {
	Product Product
	// Offer is the customer's offer for the product; zero when there is none.
	Offer Offer
	// Price is the offer's price when there is an offer, else the product's.
	Price Money
}

// Resolve decides whether product p is in the catalogue of customer cid
// with features f, given o, the customer's offer for p (zero when it has
// none), and at which price. An inactive product is in no catalogue. An
// active one is in cid's catalogue when cid has an offer for it, when it is
// cid's own product, or when it is global and f.InheritGlobalPortfolio is
// on; an offer's price wins.
func Resolve(cid customer.ID, f customer.Features, p Product, o Offer) (Entry, bool) {
	if o.ID != "" && (o.CustomerID != cid || o.ProductID != p.ID) {
		o = Offer{} // not cid's offer for p: it says nothing here
	}
	switch {
	case !p.Active:
		return Entry{}, false
	case o.ID != "" && CheckOffer(cid, p) == nil:
		return Entry{Product: p, Offer: o, Price: o.Price}, true
	case p.CustomerID == cid, p.Global() && f.InheritGlobalPortfolio:
		return Entry{Product: p, Price: p.Price}, true
	}
	return Entry{}, false
}
