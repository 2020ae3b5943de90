package customer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

func TestContactRules(t *testing.T) {
	c := customer.Contact{Name: " Jane ", Email: " Jane@Acme.Example ", Addresses: []customer.ContactAddress{{Label: "Office", Address: customer.Address{City: "Berlin", Country: "de"}}}}.Normalize()
	assert.NoError(t, c.Check())
	assert.Equal(t, "jane@acme.example", c.Email)
	p, ok := c.Primary()
	assert.True(t, ok, "a single address is primary")
	assert.Equal(t, "DE", p.Address.Country)

	two := customer.Contact{Name: "Jane", Addresses: []customer.ContactAddress{{Primary: true}, {Primary: true}}}.Normalize()
	assert.Equal(t, []portalerr.FieldViolation{{Field: "addresses", Message: "exactly one address must be primary, not 2"}}, portalerr.FieldsOf(two.Check()))
	none := customer.Contact{Name: "Jane", Addresses: []customer.ContactAddress{{}, {}}}.Normalize()
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(none.Check()))

	bad := customer.Contact{Email: "nope", Notes: strings.Repeat("x", customer.MaxContactNotes+1), Phone: "1\n2"}.Normalize()
	var fields []string
	for _, f := range portalerr.FieldsOf(bad.Check()) {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"name", "email", "notes", "phone"}, fields)
}
