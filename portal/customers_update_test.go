package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
