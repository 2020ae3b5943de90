package orders_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
)

func eur(amount int64) orders.Money { return orders.Money{Amount: amount, Currency: "EUR"} }

func TestMoneyCheck(t *testing.T) {
	tests := []struct {
		name   string
		m      orders.Money
		fields []string
	}{
		{"ok", eur(1999), nil},
		{"zero is a price", eur(0), nil},
		{"largest", eur(orders.MaxAmount), nil},
		{"negative", eur(-1), []string{"price.amount"}},
		{"too large", eur(orders.MaxAmount + 1), []string{"price.amount"}},
		{"lower-case currency", orders.Money{Amount: 1, Currency: "eur"}, []string{"price.currency"}},
		{"no currency", orders.Money{Amount: 1}, []string{"price.currency"}},
		{"both", orders.Money{Amount: -5, Currency: "EURO"}, []string{"price.amount", "price.currency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Check("price")
			if tt.fields == nil {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
			assert.Equal(t, tt.fields, fieldNames(err))
		})
	}
}

func TestCheckAttributes(t *testing.T) {
	many := map[string]string{}
	for i := range orders.MaxAttributes + 1 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	tests := []struct {
		name   string
		attrs  map[string]string
		fields []string
	}{
		{"none", nil, nil},
		{"some", map[string]string{"ram": "16 GB", "colour": "silver"}, nil},
		{"too many", many, []string{"attributes"}},
		{"empty key", map[string]string{"": "x"}, []string{"attributes"}},
		{"long key", map[string]string{strings.Repeat("k", orders.MaxAttributeKey+1): "x"}, []string{"attributes"}},
		{"long value", map[string]string{"ram": strings.Repeat("v", orders.MaxAttributeValue+1)}, []string{"attributes.ram"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := orders.CheckAttributes(tt.attrs)
			if tt.fields == nil {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.fields, fieldNames(err))
		})
	}
}

func TestResolve(t *testing.T) {
	const acme, globex customer.ID = "cus_acme", "cus_globex"
	inherit := customer.Features{InheritGlobalPortfolio: true}
	own := customer.Features{}
	global := orders.Product{ID: "prd_laptop", SKU: "LAP-1", Active: true, Price: eur(100_000)}
	inactive := global
	inactive.Active = false
	acmeOnly := orders.Product{ID: "prd_special", SKU: "SPC-1", Active: true, Price: eur(5_000), CustomerID: acme}
	acmeOffer := orders.Offer{ID: "ofr_1", CustomerID: acme, ProductID: global.ID, Price: eur(90_000)}
	acmeOnlyOffer := orders.Offer{ID: "ofr_2", CustomerID: acme, ProductID: acmeOnly.ID, Price: eur(4_500)}
	globexOffer := orders.Offer{ID: "ofr_3", CustomerID: globex, ProductID: global.ID, Price: eur(80_000)}

	tests := []struct {
		name  string
		cid   customer.ID
		f     customer.Features
		p     orders.Product
		o     orders.Offer
		in    bool
		price orders.Money
	}{
		{"global product, portfolio inherited", acme, inherit, global, orders.Offer{}, true, eur(100_000)},
		{"global product, portfolio not inherited", acme, own, global, orders.Offer{}, false, orders.Money{}},
		{"offer wins over the list price", acme, inherit, global, acmeOffer, true, eur(90_000)},
		{"an offer brings a global product into an own catalogue", acme, own, global, acmeOffer, true, eur(90_000)},
		{"inactive product with an offer", acme, inherit, inactive, acmeOffer, false, orders.Money{}},
		{"inactive global product", acme, inherit, inactive, orders.Offer{}, false, orders.Money{}},
		{"own product without an offer", acme, own, acmeOnly, orders.Offer{}, true, eur(5_000)},
		{"own product with an offer", acme, inherit, acmeOnly, acmeOnlyOffer, true, eur(4_500)},
		{"another customer's product", globex, inherit, acmeOnly, orders.Offer{}, false, orders.Money{}},
		{"another customer's offer is ignored", acme, inherit, global, globexOffer, true, eur(100_000)},
		{"another customer's offer brings nothing", acme, own, global, globexOffer, false, orders.Money{}},
		{"an offer on another customer's product brings nothing", globex,
			inherit, acmeOnly, orders.Offer{ID: "ofr_4", CustomerID: globex, ProductID: acmeOnly.ID, Price: eur(1)}, false, orders.Money{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := orders.Resolve(tt.cid, tt.f, tt.p, tt.o)
			assert.Equal(t, tt.in, ok)
			if !tt.in {
				assert.Zero(t, e)
				return
			}
			assert.Equal(t, tt.p, e.Product)
			assert.Equal(t, tt.price, e.Price)
			if tt.o.CustomerID == tt.cid {
				assert.Equal(t, tt.o, e.Offer)
			} else {
				assert.Zero(t, e.Offer)
			}
		})
	}
}

func TestCheckOffer(t *testing.T) {
	global := orders.Product{ID: "prd_1"}
	own := orders.Product{ID: "prd_2", CustomerID: "cus_acme"}
	assert.NoError(t, orders.CheckOffer("cus_acme", global))
	assert.NoError(t, orders.CheckOffer("cus_acme", own))
	err := orders.CheckOffer("cus_globex", own)
	assert.Equal(t, []string{"product_id"}, fieldNames(err))
}

// fieldNames returns the field names of err's violations.
func fieldNames(err error) []string {
	var out []string
	for _, f := range portalerr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}
