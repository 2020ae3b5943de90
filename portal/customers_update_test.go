package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// A form sends every field, so an empty contact e-mail must clear the
// stored one rather than be refused as not an address.
func TestUpdateCustomerClearsContactEmail(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme", ContactEmail: "it@acme.example"})
		require.NoError(t, err)
		bad := "not-mail"
		_, err = e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Version: 1, ContactEmail: &bad})
		assertCode(t, portalerr.Invalid, err)
		empty := ""
		got, err := e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Version: 1, ContactEmail: &empty})
		require.NoError(t, err)
		assert.Empty(t, got.ContactEmail)
	})
}

// TestUpdateCustomerLeavesItsInputAlone: the values the params point to
// are the caller's, perhaps shared with other goroutines; UpdateCustomer
// normalises copies of them and stores those.
func TestUpdateCustomerLeavesItsInputAlone(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		name := "  Acme GmbH "
		branding := customer.Branding{DisplayName: " Acme Portal ", AccentColor: "#FF8800"}
		out, err := e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Version: c.Version, Name: &name, Branding: &branding})
		require.NoError(t, err)
		assert.Equal(t, "Acme GmbH", out.Name, "stored normalised")
		assert.Equal(t, "Acme Portal", out.Branding.DisplayName)
		assert.Equal(t, "#ff8800", out.Branding.AccentColor)
		assert.Equal(t, "  Acme GmbH ", name, "the caller's name as it was")
		assert.Equal(t, customer.Branding{DisplayName: " Acme Portal ", AccentColor: "#FF8800"}, branding, "the caller's branding as it was")
	})
}
