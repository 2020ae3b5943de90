package customer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

func on() *bool  { v := true; return &v }
func off() *bool { v := false; return &v }

func TestFeaturesApply(t *testing.T) {
	def := customer.DefaultFeatures()
	preOrders := customer.Features{InheritGlobalPortfolio: true, PreOrders: true, SupplierWarehouse: true}
	auto := customer.Features{OrderAuthorization: true, AutoConfirmOrders: true, InheritGlobalPortfolio: true}
	tests := []struct {
		name  string
		from  customer.Features
		patch customer.FeaturesPatch
		ent   customer.Entitlements
		want  customer.Features
		code  portalerr.Code
		field string
	}{
		{name: "empty patch", from: def, want: def},
		{name: "pre_orders turns on supplier_warehouse", from: def,
			patch: customer.FeaturesPatch{PreOrders: on()}, want: preOrders},
		{name: "pre_orders with supplier_warehouse off in one patch", from: def,
			patch: customer.FeaturesPatch{PreOrders: on(), SupplierWarehouse: off()}, code: portalerr.Invalid, field: "supplier_warehouse"},
		{name: "supplier_warehouse cannot go off while pre_orders is on", from: preOrders,
			patch: customer.FeaturesPatch{SupplierWarehouse: off()}, code: portalerr.Invalid, field: "supplier_warehouse"},
		{name: "both off together", from: preOrders,
			patch: customer.FeaturesPatch{PreOrders: off(), SupplierWarehouse: off()}, want: def},
		{name: "pre_orders off keeps supplier_warehouse", from: preOrders,
			patch: customer.FeaturesPatch{PreOrders: off()},
			want:  customer.Features{InheritGlobalPortfolio: true, SupplierWarehouse: true}},
		{name: "auto_confirm_orders needs order_authorization", from: def,
			patch: customer.FeaturesPatch{AutoConfirmOrders: on()}, code: portalerr.Invalid, field: "auto_confirm_orders"},
		{name: "auto_confirm_orders with order_authorization", from: def,
			patch: customer.FeaturesPatch{AutoConfirmOrders: on(), OrderAuthorization: on()}, want: auto},
		{name: "order_authorization cannot go off under auto_confirm_orders", from: auto,
			patch: customer.FeaturesPatch{OrderAuthorization: off()}, code: portalerr.Invalid, field: "order_authorization"},
		{name: "hr_sync without entitlement", from: def,
			patch: customer.FeaturesPatch{HRSync: on()}, code: portalerr.LicenseRequired, field: "hr_sync"},
		{name: "hr_sync with entitlement", from: def, ent: customer.Entitlements{HRSync: true},
			patch: customer.FeaturesPatch{HRSync: on()}, want: customer.Features{InheritGlobalPortfolio: true, HRSync: true}},
		{name: "hr_sync can always be turned off", from: customer.Features{HRSync: true},
			patch: customer.FeaturesPatch{HRSync: off()}, want: customer.Features{}},
		{name: "tickets and portfolio", from: def,
			patch: customer.FeaturesPatch{Tickets: on(), InheritGlobalPortfolio: off()}, want: customer.Features{Tickets: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.from.Apply(tt.patch, tt.ent)
			if tt.code != "" {
				assert.Equal(t, tt.code, portalerr.CodeOf(err), "error: %v", err)
				if assert.Len(t, portalerr.FieldsOf(err), 1) {
					assert.Equal(t, tt.field, portalerr.FieldsOf(err)[0].Field)
				}
				assert.Equal(t, tt.from, got, "unchanged on error")
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Ada@Example.COM":    "ada@example.com",
		"  ada@example.com ": "ada@example.com",
	} {
		got, err := customer.NormalizeEmail(in)
		assert.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "ada", "Ada <ada@example.com>", "a@b@c", "ada@example.com, bob@example.com"} {
		_, err := customer.NormalizeEmail(in)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "%q", in)
	}
}
