package webui

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
)

func TestMoneyFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, cur string
		want    int64
		bad     bool
		back    string
	}{
		{in: "1234.50", cur: "EUR", want: 123450, back: "1234.50"},
		{in: " 1234,5 ", cur: "eur", want: 123450, back: "1234.50"},
		{in: "7", cur: "EUR", want: 700, back: "7.00"},
		{in: "0.05", cur: "USD", want: 5, back: "0.05"},
		{in: "1500", cur: "JPY", want: 1500, back: "1500"},
		{in: "12.345", cur: "EUR", bad: true},
		{in: "1.5", cur: "JPY", bad: true},
		{in: "-3", cur: "EUR", bad: true},
		{in: "", cur: "EUR", bad: true},
		{in: "ten", cur: "EUR", bad: true},
	}
	for _, tt := range tests {
		m, err := money("price", tt.in, tt.cur)
		if tt.bad {
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), tt.in)
			continue
		}
		if assert.NoError(t, err, tt.in) {
			assert.Equal(t, tt.want, m.Amount, tt.in)
			var v *view
			assert.Equal(t, tt.back, v.MajorUnits(m), tt.in)
		}
	}
	var v *view
	assert.Equal(t, "0.07", v.MajorUnits(orders.Money{Amount: 7, Currency: "EUR"}))
}
