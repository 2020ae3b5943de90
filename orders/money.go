package orders

import (
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/portalerr"
)

// MaxAmount bounds a unit price in minor units (10 billion of a currency
// with two decimals), so that no order total can overflow: MaxAmount ×
// MaxQuantity × MaxLines stays far below the int64 range.
const MaxAmount = 1_000_000_000_000

// Money is an amount in minor units (cents for EUR, yen for JPY) of an
// ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// String formats m as "1999 EUR" (minor units): no rounding, no locale.
func (m Money) String() string {
	return fmt.Sprintf("%d %s", m.Amount, m.Currency)
}

// Check returns an Invalid error on field (field+".amount",
// field+".currency") when m is not a price: a negative amount or one above
// MaxAmount, or a currency that is not three upper-case letters. Whether
// the letters name a currency in ISO 4217 is for the caller's validator.
func (m Money) Check(field string) error {
	var bad []portalerr.FieldViolation
	if m.Amount < 0 || m.Amount > MaxAmount {
		bad = append(bad, portalerr.FieldViolation{Field: field + ".amount", Message: fmt.Sprintf("must be between 0 and %d minor units", int64(MaxAmount))})
	}
	if !ValidCurrency(m.Currency) {
		bad = append(bad, portalerr.FieldViolation{Field: field + ".currency", Message: "must be an ISO 4217 currency code such as EUR"})
	}
	return portalerr.InvalidFields(bad...)
}

// ValidCurrency reports whether s is shaped like an ISO 4217 code: three
// upper-case ASCII letters.
func ValidCurrency(s string) bool {
	return len(s) == 3 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}
